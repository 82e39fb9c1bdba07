# One BS connection on the Python agent, the port of src/agent/connection.ts: handshake (HELLO → CHALLENGE →
# AUTH → WELCOME) within a deadline, then RUN requests served one at a time in arrival order (the compute
# runs on the agent's single compute thread, so PING/STATS are answered at once meanwhile), BYE = finish
# and close. A bad frame or a failed proof gets an ERROR frame and the connection is closed; nothing a
# peer sends can raise out of here. Created by server.py; imports frames, handshake and the standard library.
from __future__ import annotations

import asyncio
import collections
import socket
import struct
import time
from typing import Any, Callable, Deque, Dict, Optional, Tuple

from . import frames
from .frames import HEADER_BYTES, FrameLimits, ProtocolError, RunFrame
from .handshake import compute_proof, create_nonce, verify_proof

# Defaults of the agent's bounds (src/agent/server.ts AGENT_DEFAULTS; __main__.py flags override them).
AGENT_DEFAULTS = {"handshake_timeout_ms": 5000, "idle_timeout_ms": 600_000, "max_connections": 16, "max_queued_requests": 64, "max_queued_bytes": 32 * 1024 * 1024}
# Replies waiting for a peer that does not read beyond this make the agent stop reading (TCP holds the BS back).
WRITE_BACKLOG_BYTES = 4 * 1024 * 1024


class ConnectionContext:
    """What every connection of one agent shares: identity, token, compute, limits, stats, the compute thread."""

    def __init__(self, device: str, token: str, compute: Any, describer: Any, limits: FrameLimits, stats: Dict[str, float],
                 executor: Any, bounds: Dict[str, int], on_closed: Callable[["AgentConnection"], None]) -> None:
        self.device = device
        self.describer = describer  # telemetry.DeviceDescriber: runtime info for WELCOME, telemetry for STATS
        self.token = token
        self.compute = compute
        self.limits = limits
        self.stats = stats
        self.executor = executor
        self.bounds = bounds
        self.on_closed = on_closed
        self.held: Dict[int, set] = {}
        for key in compute.experts:
            layer, expert = (int(part) for part in key.split("."))
            self.held.setdefault(layer, set()).add(expert)


class _FrameReader:
    """Stream → frames, the order of src/transport/frame-reader.ts: the header is checked as soon as its 16 bytes
    are in, its length against the type, then the fixed part against that length and by `inspect` (the
    connection's admission), all before the rest of the payload is waited for."""

    def __init__(self, limits: FrameLimits, inspect: Callable[[frames.Header, bytes], None]) -> None:
        self._limits = limits
        self._inspect = inspect
        self._buffer = bytearray()
        self._header: Optional[frames.Header] = None
        self._fixed_checked = False
        self.failed = False

    def feed(self, chunk: bytes, on_frame: Callable[[Any, int], None]) -> None:
        if self.failed:
            return
        self._buffer += chunk
        try:
            while True:
                if self._header is None:
                    if len(self._buffer) < HEADER_BYTES:
                        return
                    self._header = frames.decode_header(bytes(self._buffer[:HEADER_BYTES]), self._limits)
                    del self._buffer[:HEADER_BYTES]
                    self._fixed_bytes = frames.check_payload_length(self._header)
                    self._fixed_checked = False
                header = self._header
                if not self._fixed_checked:
                    if len(self._buffer) < self._fixed_bytes:
                        return
                    fixed = bytes(self._buffer[:self._fixed_bytes])
                    frames.check_fixed_part(header, fixed, self._limits)
                    self._inspect(header, fixed)
                    self._fixed_checked = True
                if len(self._buffer) < header.payload_length:
                    return
                payload = bytes(self._buffer[:header.payload_length])
                del self._buffer[:header.payload_length]
                self._header = None
                on_frame(frames.decode_frame(header, payload, self._limits), HEADER_BYTES + header.payload_length)
        except ProtocolError:
            # After a bad frame the byte stream has no trustworthy boundary left: refuse everything after it.
            self.failed = True
            raise


# What a connection agrees to read in each state (src/agent/admission.ts).
READS = {
    "hello": {"hello"}, "auth": {"auth"},
    "ready": {"run", "ping", "stats-request", "bye"}, "closing": {"bye"},
}


class AgentConnection(asyncio.Protocol):
    """Serves one socket until it closes."""

    def __init__(self, context: ConnectionContext) -> None:
        self._context = context
        self._reader = _FrameReader(context.limits, self._admit)
        self._transport: Optional[asyncio.Transport] = None
        self._state = "hello"  # hello | auth | ready | closing
        self._close_reason: Optional[str] = None
        self._queue: Deque[Tuple[RunFrame, float]] = collections.deque()
        self._is_draining = False
        self._is_paused = False
        self._bs_nonce = b""
        self._agent_nonce = b""
        self._handshake_timer: Optional[asyncio.TimerHandle] = None
        self._idle_timer: Optional[asyncio.TimerHandle] = None
        self._queued_bytes = 0
        self._last_received = time.monotonic()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        loop = asyncio.get_event_loop()
        timeout_ms = self._context.bounds["handshake_timeout_ms"]
        self._handshake_timer = loop.call_later(timeout_ms / 1000, self._reject, 0, "timeout", "no complete handshake within %d ms" % timeout_ms)

    def data_received(self, data: bytes) -> None:
        self._context.stats["bytesReceived"] += len(data)
        self._last_received = time.monotonic()
        try:
            self._reader.feed(data, self._on_frame)
        except ProtocolError as error:
            self._reject(error.request_id, error.reason, str(error))
        except Exception as error:  # a bug must cost this peer its connection, never the agent
            self._reject(0, "bad-length", "frame could not be decoded: %s" % error)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        if self._handshake_timer is not None:
            self._handshake_timer.cancel()
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._clear_queue()
        self._context.on_closed(self)

    def shutdown(self) -> None:
        """Tells the peer the agent is going away and closes."""
        self._reject(0, "shutting-down", "agent %s is shutting down" % self._context.device)

    # frames
    def _admit(self, header: frames.Header, fixed: bytes) -> None:
        """Refuses, before its payload is read, a frame this state does not read or a RUN of another hidden width."""
        if header.type not in READS[self._state]:
            when = "from a BS" if self._state == "ready" else "after BYE" if self._state == "closing" else "before the handshake completes (waiting for %s)" % self._state
            raise ProtocolError("unexpected-frame", "%s is not expected %s" % (header.type, when), header.request_id)
        if header.type == "run":
            (hidden,) = struct.unpack_from("<I", fixed, 8)
            if hidden != self._context.compute.hidden_size:
                raise ProtocolError("bad-shape", "run hidden %d does not match the experts of device %s (hidden %d)" % (hidden, self._context.device, self._context.compute.hidden_size))

    def _on_frame(self, frame: Any, wire_bytes: int) -> None:
        if self._state == "closing" and self._close_reason != "bye":
            return
        if isinstance(frame, RunFrame) and self._state == "ready":
            self._enqueue(frame, wire_bytes)
            return
        kind = "run" if isinstance(frame, RunFrame) else frame.type
        transition = "%s:%s" % (self._state, kind)
        if transition == "hello:hello":
            self._on_hello(frame)
        elif transition == "auth:auth":
            self._on_auth(frame)
        elif transition == "ready:ping":
            self._send(frames.encode_empty("pong", frame.request_id))
        elif transition == "ready:stats-request":
            self._send(frames.encode_stats(frame.request_id, self._context.stats, self._context.describer.telemetry()))
        elif transition in ("ready:bye", "closing:bye"):
            self._state = "closing"
            self._close_reason = "bye"
            if not self._is_draining:
                self._end()
        else:
            waiting = "from a BS" if self._state == "ready" else "before the handshake completes (waiting for %s)" % self._state
            self._reject(frame.request_id, "unexpected-frame", "%s is not expected %s" % (kind, waiting))

    def _on_hello(self, frame: frames.Frame) -> None:
        self._bs_nonce = frame.nonce
        self._agent_nonce = create_nonce()
        proof = compute_proof(self._context.token, "agent", self._bs_nonce, self._agent_nonce)
        self._state = "auth"
        self._send(frames.encode_challenge(self._agent_nonce, proof))

    def _on_auth(self, frame: frames.Frame) -> None:
        if not verify_proof(self._context.token, "bs", self._bs_nonce, self._agent_nonce, frame.proof):
            self._reject(0, "auth-failed", "the BS's auth proof does not match device %s's token" % self._context.device)
            return
        if self._handshake_timer is not None:
            self._handshake_timer.cancel()
        self._state = "ready"
        self._context.stats["connections"] += 1
        idle_ms = self._context.bounds["idle_timeout_ms"]
        if idle_ms > 0:
            self._idle_timer = asyncio.get_event_loop().call_later(idle_ms / 1000, self._check_idle)
        experts = [tuple(int(part) for part in key.split(".")) for key in self._context.compute.experts]
        self._send(frames.encode_welcome(self._context.device, experts, self._context.limits, self._context.describer.runtime_info()))  # type: ignore[arg-type]

    def _check_idle(self) -> None:
        """Closes the connection once nothing was received for idle_timeout_ms while nothing was queued or computing."""
        self._idle_timer = None
        if self._state != "ready":
            return
        timeout_ms = self._context.bounds["idle_timeout_ms"]
        now = time.monotonic()
        if self._is_draining or self._queue:
            self._last_received = now
        idle_ms = (now - self._last_received) * 1000
        if idle_ms >= timeout_ms:
            self._reject(0, "timeout", "idle for %d ms (the agent's idle timeout is %d ms)" % (round(idle_ms), timeout_ms))
            return
        self._idle_timer = asyncio.get_event_loop().call_later((timeout_ms - idle_ms) / 1000, self._check_idle)

    # RUN queue
    def _enqueue(self, frame: RunFrame, wire_bytes: int) -> None:
        self._context.stats["runRequests"] += 1
        deadline_at = self._last_received + frame.deadline_ms / 1000.0 if frame.deadline_ms > 0 else float("inf")
        self._queue.append((frame, deadline_at, wire_bytes))
        self._queued_bytes += wire_bytes
        self._update_reading()
        if not self._is_draining:
            self._drain()

    def _update_reading(self) -> None:
        """Reads only while the queue (count and bytes) and the reply backlog are under their bounds."""
        if self._transport is None or self._transport.is_closing():
            return
        bounds = self._context.bounds
        is_full = (len(self._queue) >= bounds["max_queued_requests"] or self._queued_bytes >= bounds["max_queued_bytes"]
                   or self._transport.get_write_buffer_size() >= WRITE_BACKLOG_BYTES)
        if is_full and not self._is_paused:
            self._transport.pause_reading()
            self._is_paused = True
        elif not is_full and self._is_paused:
            self._transport.resume_reading()
            self._is_paused = False

    def resume_writing(self) -> None:  # asyncio.Protocol: the reply backlog drained
        self._update_reading()

    def _clear_queue(self) -> None:
        self._queue.clear()
        self._queued_bytes = 0

    def _drain(self) -> None:
        """Starts the next queued RUN; returns while its compute is in flight (its completion calls back here)."""
        self._is_draining = True
        while self._queue and not self._is_closed():
            frame, deadline_at, wire_bytes = self._queue.popleft()
            self._queued_bytes -= wire_bytes
            self._update_reading()
            if self._start(frame, deadline_at):
                return
        self._is_draining = False
        if self._close_reason == "bye":
            self._end()

    def _start(self, frame: RunFrame, deadline_at: float) -> bool:
        if time.monotonic() > deadline_at:
            self._context.stats["deadlineMisses"] += 1
            self._fail_run(frame, "deadline", "RUN %d for layer %d waited past its %d ms deadline before it could start" % (frame.request_id, frame.layer, frame.deadline_ms))
            return False
        missing = self._find_missing_expert(frame)
        if missing is not None:
            self._fail_run(frame, "unknown-expert", "device %s does not hold expert %d.%d" % (self._context.device, frame.layer, missing))
            return False
        started = time.perf_counter()
        loop = asyncio.get_event_loop()
        future = loop.run_in_executor(self._context.executor, self._context.compute.apply, frame)
        future.add_done_callback(lambda done: self._on_computed(frame, started, done))
        return True

    def _on_computed(self, frame: RunFrame, started: float, done: "asyncio.Future[Any]") -> None:
        compute_micros = (time.perf_counter() - started) * 1e6
        error = done.exception()
        if error is not None:
            self._fail_run(frame, "compute-failed", "experts of layer %d failed: %s" % (frame.layer, error))
        else:
            output = done.result()
            if output.shape != (frame.rows, frame.hidden):
                self._fail_run(frame, "compute-failed", "experts of layer %d returned %d values, expected %d×%d" % (frame.layer, output.size, frame.rows, frame.hidden))
            else:
                self._context.stats["runServed"] += 1
                self._context.stats["computeMicrosTotal"] += compute_micros
                self._send(frames.encode_result(frame.request_id, frame.dtype, compute_micros, output))
                self._update_reading()
        self._drain()

    def _find_missing_expert(self, frame: RunFrame) -> Optional[int]:
        held = self._context.held.get(frame.layer, set())
        for expert in frame.experts.reshape(-1).tolist():
            if expert != frames.NO_EXPERT and expert not in held:
                return expert
        return None

    def _fail_run(self, frame: RunFrame, code: str, message: str) -> None:
        self._context.stats["runErrors"] += 1
        self._send(frames.encode_error(frame.request_id, code, message))

    # socket
    def _is_closed(self) -> bool:
        return self._transport is None or self._transport.is_closing()

    def _send(self, data: bytes) -> None:
        if self._is_closed():
            return
        self._context.stats["bytesSent"] += len(data)
        self._transport.write(data)  # type: ignore[union-attr]

    def _end(self) -> None:
        """Closes once what was written is flushed (Node's socket.end())."""
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    def _reject(self, request_id: int, code: str, message: str) -> None:
        """Answers ERROR, then closes this connection (the server keeps serving the others)."""
        if self._state == "closing":
            return
        self._state = "closing"
        self._close_reason = "rejected" if code != "shutting-down" else "server-closed"
        self._clear_queue()
        self._send(frames.encode_error(request_id, code, message))
        self._end()
        # A peer that never reads must not keep the socket alive.
        asyncio.get_event_loop().call_later(1.0, self._destroy, self._close_reason)

    def _destroy(self, reason: str) -> None:
        if self._close_reason is None:
            self._close_reason = reason
        if self._transport is not None:
            self._transport.abort()
