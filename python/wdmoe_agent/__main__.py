# `python3 -m wdmoe_agent`: the device-side process of the Python runtime, flag for flag the Node agent
# (`wdmoe agent`): loads only its experts, serves the wire protocol until SIGINT/SIGTERM (or its parent
# is gone), then closes. Prints the same one-line JSON "ready" event when it listens (plus runtime,
# backend and execution provider), and failures as `error[code]: message` / `hint: …` on stderr, which
# loopback and deploy read from the agent's log. The token comes from --token-file or WDMOE_TOKEN.
from __future__ import annotations

import argparse
import asyncio
import errno
import json
import os
import platform
import re
import signal
import sys
from typing import Any, List, Optional

from .errors import EXIT_BAD_INPUT, EXIT_RUN_FAILED, AgentError

PARENT_POLL_S = 0.5


def _positive(value: str) -> int:
    number = int(value) if re.fullmatch(r"\d+", value) else 0
    if number <= 0:
        raise argparse.ArgumentTypeError("expected a positive integer")
    return number


def _non_negative(value: str) -> int:
    if not re.fullmatch(r"\d+", value):
        raise argparse.ArgumentTypeError("expected 0 or a positive integer")
    return int(value)


def _port(value: str) -> int:
    if not re.fullmatch(r"\d+", value) or int(value) > 65535:
        raise argparse.ArgumentTypeError("expected a port number 0–65535")
    return int(value)


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 -m wdmoe_agent", description="serve this device's experts over the wdmoe protocol (Python runtime)")
    parser.add_argument("--model", required=True, help="model bundle directory")
    parser.add_argument("--device", required=True, help="this device's name in the testbed")
    parser.add_argument("--experts", default="all", help='experts to load: "all" or layer.expert keys, comma-separated')
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", required=True, type=_port, help="TCP port to listen on (0 = any free port)")
    parser.add_argument("--threads", type=_positive, default=1, help="CPU threads for the expert compute")
    parser.add_argument("--parent-pid", type=_positive, help="exit when this process is gone")
    parser.add_argument("--token-file", help="file holding the testbed's shared auth token (default: $WDMOE_TOKEN)")
    parser.add_argument("--backend", choices=("torch", "onnxruntime"), default="torch", help="what runs the experts")
    parser.add_argument("--handshake-timeout-ms", type=_positive, default=5000, help="close a connection that has not authenticated within this time")
    parser.add_argument("--idle-timeout-ms", type=_non_negative, default=600_000, help="close an authenticated connection idle this long; 0 = never")
    parser.add_argument("--max-connections", type=_positive, default=16, help="BS connections served at once; more get ERROR busy")
    parser.add_argument("--max-queued", type=_positive, default=64, help="RUN requests queued per connection before the agent stops reading it")
    parser.add_argument("--sysfs-root", default=os.environ.get("WDMOE_SYSFS_ROOT", "/"), help="read thermal zones and clocks under DIR instead of /")
    parser.add_argument("--accelerator", choices=("auto", "cuda", "cpu"), default="auto", help="auto: CUDA when available, else CPU; cuda: fail without it")
    return parser.parse_args(argv)


def read_token(device: str, token_file: Optional[str]) -> str:
    if token_file is None:
        token = os.environ.get("WDMOE_TOKEN", "")
    else:
        # As src/testbed/token-file.ts: a file other users can read or write is refused.
        try:
            mode = os.stat(token_file).st_mode
            with open(token_file, "r", encoding="utf-8") as handle:
                token = handle.read().strip()
        except OSError as error:
            reason = {errno.ENOENT: "not found", errno.EACCES: "permission denied", errno.EISDIR: "is a directory"}.get(error.errno or 0, str(error))
            raise AgentError("agent-no-token", "device %s: cannot read token file %s: %s" % (device, token_file, reason),
                             exit_code=EXIT_BAD_INPUT, hint="pass the file holding the testbed's auth token, or set WDMOE_TOKEN")
        if mode & 0o006:
            raise AgentError("agent-no-token", "device %s: token file %s is %s by every user (mode %04o); run `chmod 600 %s`" % (device, token_file, "readable" if mode & 0o004 else "writable", mode & 0o777, token_file),
                             exit_code=EXIT_BAD_INPUT, hint="only the agent's user may read the token file")
        if token == "":
            raise AgentError("agent-no-token", "device %s: token file %s is empty" % (device, token_file), exit_code=EXIT_BAD_INPUT,
                             hint="pass the file holding the testbed's auth token, or set WDMOE_TOKEN")
    if token == "":
        raise AgentError("agent-no-token", "device %s: no auth token" % device, exit_code=EXIT_BAD_INPUT, hint="pass --token-file FILE or set WDMOE_TOKEN")
    return token


def load_compute(args: argparse.Namespace) -> Any:
    from .bundle import Bundle

    keys: Any = "all" if args.experts == "all" else [key for key in args.experts.split(",") if key != ""]
    for key in [] if keys == "all" else keys:
        if not re.fullmatch(r"\d+\.\d+", key):
            raise AgentError("agent-bad-experts", 'device %s: expert "%s" is not of the form layer.expert (e.g. 3.7)' % (args.device, key), exit_code=EXIT_BAD_INPUT)
    bundle = Bundle(args.model)
    wanted = bundle.expert_keys(keys)
    module = "torch" if args.backend == "torch" else "onnxruntime"
    try:
        __import__(module)
    except Exception as error:  # ImportError, or a broken CUDA library raising OSError
        raise AgentError("agent-no-%s" % module, "device %s: python %s cannot import %s (%s)" % (args.device, platform.python_version(), module, error),
                         exit_code=EXIT_BAD_INPUT,
                         hint="install it (Jetson: JetPack's torch wheel from NVIDIA; elsewhere pip install torch numpy onnx) or use --backend %s"
                         % ("onnxruntime" if module == "torch" else "torch"))
    if args.backend == "torch":
        from .experts_torch import TorchExperts
        return TorchExperts(bundle, wanted, args.accelerator, args.threads)
    from .experts_onnxruntime import OnnxRuntimeExperts
    return OnnxRuntimeExperts(bundle, wanted, args.accelerator, args.threads)


async def serve(args: argparse.Namespace, token: str, compute: Any) -> int:
    from .server import AgentServer

    loop = asyncio.get_event_loop()
    stop = asyncio.Event()
    exit_code = [0]

    def on_signal(number: int) -> None:
        exit_code[0] = 128 + number
        stop.set()

    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, on_signal, number)
    from .telemetry import DeviceDescriber

    engine, engine_version = next(iter(compute.versions.items()))
    describer = DeviceDescriber(engine, engine_version, compute.execution_provider, root=args.sysfs_root)
    bounds = {"handshake_timeout_ms": args.handshake_timeout_ms, "idle_timeout_ms": args.idle_timeout_ms, "max_connections": args.max_connections, "max_queued_requests": args.max_queued}
    server = AgentServer(args.device, token, compute, describer, bounds=bounds)
    try:
        await server.start(args.host, args.port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise AgentError("port-in-use", "device %s: %s:%d is already in use" % (args.device, args.host, args.port), exit_code=EXIT_RUN_FAILED,
                             hint="stop what listens there (another agent? `wdmoe loopback down <testbed>`) or give this device another port")
        raise AgentError("agent-listen", "device %s: cannot listen on %s:%d (%s)" % (args.device, args.host, args.port, error.strerror), exit_code=EXIT_RUN_FAILED)
    ready = {
        "event": "ready", "device": args.device, "host": args.host, "port": server.port, "pid": os.getpid(), "experts": len(compute.experts),
        "runtime": "python", "backend": args.backend, "executionProvider": compute.execution_provider, "computeDevice": compute.device_label,
        "versions": dict(python=platform.python_version(), **compute.versions),
    }
    sys.stdout.write(json.dumps(ready, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    watcher = None
    if args.parent_pid is not None:
        watcher = asyncio.ensure_future(_watch_parent(args.parent_pid, stop))
    await stop.wait()
    if watcher is not None:
        watcher.cancel()
    await server.close()
    describer.close()
    return exit_code[0]


async def _watch_parent(pid: int, stop: asyncio.Event) -> None:
    while True:
        await asyncio.sleep(PARENT_POLL_S)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            stop.set()
            return
        except PermissionError:
            pass


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    compute = None
    try:
        token = read_token(args.device, args.token_file)
        compute = load_compute(args)
        return _run(serve(args, token, compute))
    except AgentError as error:
        sys.stderr.write("error[%s]: %s\n" % (error.code, error))
        if error.hint:
            sys.stderr.write("hint: %s\n" % error.hint)
        return error.exit_code
    finally:
        if compute is not None:
            compute.close()


def _run(coroutine: Any) -> int:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
