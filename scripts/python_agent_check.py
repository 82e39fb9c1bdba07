#!/usr/bin/env python3
# Checks the Python agent on this machine over the wire: starts `python3 -m wdmoe_agent` (once per
# --accelerator given), connects as a BS would (HELLO/CHALLENGE/AUTH/WELCOME, proofs checked both ways),
# replays the golden RUNs the Node agent answered (scripts/python-agent-golden.ts) and compares the
# RESULTs (max abs diff), then times RUNs of growing size and reports the agent's computeMicros per token.
# Usage: python3 scripts/python_agent_check.py golden.json [--accelerator cuda --accelerator cpu] [--backend torch] [--out FILE]
# Needs what the agent needs (torch or onnxruntime, numpy, onnx); docs/runtime-python.md gives the figures it produced.
from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
from wdmoe_agent import frames  # noqa: E402
from wdmoe_agent.handshake import compute_proof, create_nonce  # noqa: E402

import numpy as np  # noqa: E402

TOKEN = "python-agent-check"


class Client:
    """A minimal BS side of the protocol: enough to authenticate, RUN and read STATS."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.next_id = 1
        bs_nonce = create_nonce()
        name = b"check"
        self._send(frames.encode_header("hello", 0, 34 + len(name)) + bs_nonce + struct.pack("<H", len(name)) + name)
        kind, _, payload = self._read()
        assert kind == "challenge", kind
        agent_nonce, proof = payload[:32], payload[32:64]
        assert proof == compute_proof(TOKEN, "agent", bs_nonce, agent_nonce), "agent proof does not verify"
        self._send(frames.encode_header("auth", 0, 32) + compute_proof(TOKEN, "bs", bs_nonce, agent_nonce))
        kind, _, payload = self._read()
        assert kind == "welcome", (kind, payload)
        count, name_length, info_length = struct.unpack_from("<I", payload, 16)[0], struct.unpack_from("<H", payload, 20)[0], struct.unpack_from("<I", payload, 24)[0]
        self.info = json.loads(payload[28 + 4 * count + name_length:28 + 4 * count + name_length + info_length])

    def _send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _exact(self, count: int) -> bytes:
        chunks = bytearray()
        while len(chunks) < count:
            chunk = self.sock.recv(count - len(chunks))
            if not chunk:
                raise ConnectionError("agent closed the connection")
            chunks += chunk
        return bytes(chunks)

    def _read(self) -> "tuple[str, int, bytes]":
        header = frames.decode_header(self._exact(16), frames.DEFAULT_FRAME_LIMITS)
        return header.type, header.request_id, self._exact(header.payload_length)

    def run(self, layer: int, states: np.ndarray, weights: np.ndarray, experts: np.ndarray) -> "tuple[np.ndarray, int]":
        rows, hidden = states.shape
        k = weights.shape[1]
        request_id = self.next_id
        self.next_id += 1
        fixed = struct.pack("<HBBIIHHI", layer, 1, 0, rows, hidden, k, 0, 0)
        body = fixed + states.astype("<f4").tobytes() + weights.astype("<f4").tobytes() + experts.astype("<u2").tobytes()
        self._send(frames.encode_header("run", request_id, len(body)) + body)
        kind, reply_id, payload = self._read()
        if kind == "error":
            raise RuntimeError(payload[4:].decode())
        assert kind == "result" and reply_id == request_id, (kind, reply_id)
        out_rows, out_hidden, micros = struct.unpack_from("<III", payload, 0)
        return np.frombuffer(payload, dtype="<f4", offset=16).reshape(out_rows, out_hidden), micros


def start_agent(accelerator: str, backend: str) -> "tuple[subprocess.Popen, int, dict]":
    env = dict(os.environ, WDMOE_TOKEN=TOKEN, PYTHONPATH=os.path.join(ROOT, "python"), PYTHONUNBUFFERED="1")
    agent = subprocess.Popen([sys.executable, "-m", "wdmoe_agent", "--model", os.path.join(ROOT, "models/tiny-mixtral"), "--device", "check-%s" % accelerator,
                              "--port", "0", "--backend", backend, "--accelerator", accelerator, "--threads", "1"], env=env, stdout=subprocess.PIPE)
    line = agent.stdout.readline().decode()  # type: ignore[union-attr]
    if not line.startswith('{"event":"ready"'):
        agent.kill()
        raise SystemExit("agent did not start: %r" % line)
    ready = json.loads(line)
    return agent, ready["port"], ready


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("golden")
    parser.add_argument("--accelerator", action="append", choices=("cuda", "cpu", "auto"))
    parser.add_argument("--backend", default="torch", choices=("torch", "onnxruntime"))
    parser.add_argument("--out")
    args = parser.parse_args()
    with open(args.golden) as handle:
        golden = json.load(handle)
    report = {"golden": golden["source"], "runs": []}
    for accelerator in args.accelerator or ["auto"]:
        agent, port, ready = start_agent(accelerator, args.backend)
        try:
            client = Client(port)
            worst = 0.0
            for case in golden["cases"]:
                rows, hidden, k = case["rows"], case["hidden"], case["k"]
                decode = lambda key, dtype, shape: np.frombuffer(base64.b64decode(case[key]), dtype=dtype).reshape(shape)  # noqa: E731
                output, _ = client.run(case["layer"], decode("states", "<f4", (rows, hidden)), decode("weights", "<f4", (rows, k)), decode("experts", "<u2", (rows, k)))
                worst = max(worst, float(np.max(np.abs(output - decode("output", "<f4", (rows, hidden))))))
            timing = {}
            generator = np.random.default_rng(7)
            for rows in (1, 16, 128, 1024, 4096):
                states = generator.standard_normal((rows, 256), dtype=np.float32)
                experts = generator.integers(0, 8, (rows, 2)).astype(np.uint16)
                weights = np.full((rows, 2), 0.5, dtype=np.float32)
                for _ in range(5):  # warm-up: CUDA context, kernels, allocator
                    client.run(1, states, weights, experts)
                micros = [client.run(1, states, weights, experts)[1] for _ in range(30)]
                timing[str(rows)] = {"median_us": statistics.median(micros), "median_us_per_token": statistics.median(micros) / rows}
            run = {"accelerator": accelerator, "backend": args.backend, "ready": ready, "welcome_runtime": {key: client.info.get(key) for key in ("runtime", "engine", "engineVersion", "executionProvider", "arch", "glibc")},
                   "max_abs_diff_vs_node": worst, "within_1e-4": worst <= 1e-4, "compute_time": timing}
            report["runs"].append(run)
            print(json.dumps(run), flush=True)
        finally:
            agent.terminate()
            agent.wait(10)
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(report, handle, indent=2)
    return 0 if all(run["within_1e-4"] for run in report["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
