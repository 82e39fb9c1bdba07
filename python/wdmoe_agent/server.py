# The Python agent's TCP server, the port of src/agent/server.ts: accepts BS connections and serves each
# with an AgentConnection; one bad or silent peer only ever loses its own connection. Experts run on one
# compute thread (the device has one accelerator), so the event loop keeps answering PING/STATS.
# Used by __main__.py and imports connection.py, frames.py and the standard library only.
from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any, Dict, Optional, Set

from .connection import AGENT_DEFAULTS, AgentConnection, ConnectionContext
from .frames import DEFAULT_FRAME_LIMITS, FrameLimits, encode_error

STATS_KEYS = ("connections", "runRequests", "runServed", "runErrors", "deadlineMisses", "computeMicrosTotal", "bytesReceived", "bytesSent")


class AgentServer:
    """Listens on host:port and serves until close()."""

    def __init__(self, device: str, token: str, compute: Any, describer: Any, limits: FrameLimits = DEFAULT_FRAME_LIMITS, bounds: Optional[Dict[str, int]] = None) -> None:
        self._bounds = dict(AGENT_DEFAULTS, **(bounds or {}))
        self._device = device
        self.stats: Dict[str, float] = {key: 0 for key in STATS_KEYS}
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="wdmoe-compute")
        self._connections: Set[AgentConnection] = set()
        self._context = ConnectionContext(device, token, compute, describer, limits, self.stats, self._executor, self._bounds, self._connections.discard)
        self._server: Optional[asyncio.AbstractServer] = None
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        """Listens; raises OSError (errno EADDRINUSE, …) when it cannot."""
        loop = asyncio.get_event_loop()

        def create() -> asyncio.Protocol:
            if len(self._connections) >= self._bounds["max_connections"]:
                return _Busy("agent %s already serves %d connections (its --max-connections)" % (self._device, self._bounds["max_connections"]))
            connection = AgentConnection(self._context)
            self._connections.add(connection)
            return connection

        self._server = await loop.create_server(create, host=host, port=port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Sends shutting-down on every connection, stops listening; bounded to 2 s even if a socket lingers."""
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            connection.shutdown()
        if self._server is not None:
            try:
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            except asyncio.TimeoutError:
                pass
        deadline = asyncio.get_event_loop().time() + 2.0
        while self._connections and asyncio.get_event_loop().time() < deadline:
            await asyncio.sleep(0.02)
        self._executor.shutdown(wait=False)


class _Busy(asyncio.Protocol):
    """A connection over --max-connections: ERROR busy, then close (aborted after 1 s if the peer never reads)."""

    def __init__(self, message: str) -> None:
        self._message = message

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(encode_error(0, "busy", self._message))  # type: ignore[attr-defined]
        transport.close()
        asyncio.get_event_loop().call_later(1.0, transport.abort)  # type: ignore[attr-defined]
