# The wdmoe wire protocol v2 codec, in Python: the 16-byte header, frame type and error codes, limits,
# and the encoders/decoders the agent needs (HELLO/AUTH/RUN/PING/STATS-REQUEST/BYE in, CHALLENGE/
# WELCOME/RESULT/PONG/STATS/ERROR out). A port of src/transport/frame-*.ts, check for check and in the
# same order, so a bad frame gets the same error code from either agent. docs/protocol.md is the spec.
# Pure: no sockets, timers or logging; numpy only. Used by connection.py.
from __future__ import annotations

import json
import struct
from typing import Dict, NamedTuple, Optional, Tuple

import numpy as np

#  Header, little-endian, 16 bytes:
#  | 0      4        6      7       8           12              16
#  | magic  | version | type | flags | requestId | payloadLength | payload …
#  | "WDMO" | u16 = 2 | u8   | u8=0  | u32       | u32           |
MAGIC = b"WDMO"
PROTOCOL_VERSION = 2
HEADER_BYTES = 16
_HEADER = struct.Struct("<4sHBBII")

FRAME_TYPES: Dict[str, int] = {
    "hello": 0x01, "challenge": 0x02, "auth": 0x03, "welcome": 0x04,
    "run": 0x10, "result": 0x11,
    "ping": 0x20, "pong": 0x21, "stats-request": 0x22, "stats": 0x23,
    "error": 0x7E, "bye": 0x7F,
}
TYPE_BY_CODE = {code: name for name, code in FRAME_TYPES.items()}

WIRE_ERROR_CODES: Dict[str, int] = {
    "bad-magic": 1, "bad-version": 2, "bad-type": 3, "bad-flags": 4, "bad-length": 5, "too-large": 6,
    "bad-dtype": 7, "bad-shape": 8, "truncated": 9, "unexpected-frame": 10, "bad-info": 11, "auth-failed": 20,
    "deadline": 30, "compute-failed": 31, "unknown-expert": 32, "shutting-down": 40, "busy": 41, "timeout": 42, "unknown": 0xFFFF,
}

NO_EXPERT = 0xFFFF
NONCE_BYTES = 32
PROOF_BYTES = 32
DTYPE_BY_CODE = {1: "fp32", 2: "fp16"}
DTYPE_CODES = {"fp32": 1, "fp16": 2}
DTYPE_BYTES = {"fp32": 4, "fp16": 2}
NUMPY_DTYPES = {"fp32": np.dtype("<f4"), "fp16": np.dtype("<f2")}


class FrameLimits(NamedTuple):
    max_payload_bytes: int = 64 * 1024 * 1024
    max_rows: int = 65_536
    max_hidden: int = 65_536
    max_k: int = 64
    max_experts: int = 65_535
    max_string_bytes: int = 4096
    max_info_bytes: int = 65_536  # the JSON runtime info / telemetry in WELCOME and STATS


DEFAULT_FRAME_LIMITS = FrameLimits()


class ProtocolError(Exception):
    """A frame that breaks the protocol; `reason` is its wire error code name."""

    def __init__(self, reason: str, message: str, request_id: int = 0) -> None:
        super().__init__("protocol error (%s): %s" % (reason, message))  # the Node agent's ProtocolError message
        self.reason = reason
        self.request_id = request_id  # the offending frame's id when its header was trustworthy (unexpected-frame)


class Header(NamedTuple):
    type: str
    request_id: int
    payload_length: int


class RunFrame(NamedTuple):
    request_id: int
    layer: int
    dtype: str
    rows: int
    hidden: int
    k: int
    deadline_ms: int
    states: np.ndarray  # float32 [rows, hidden] (fp16 payloads converted)
    weights: np.ndarray  # float32 [rows, k]
    experts: np.ndarray  # uint16 [rows, k]


class Frame(NamedTuple):
    """Any frame other than RUN the agent receives: type, request id and the fields it carries."""
    type: str
    request_id: int
    nonce: bytes = b""
    client_name: str = ""
    proof: bytes = b""


def decode_header(data: bytes, limits: FrameLimits) -> Header:
    """Checks magic, version, type, flags and the payload limit, in this order (frame-header.ts decodeHeader)."""
    magic, version, code, flags, request_id, payload_length = _HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise ProtocolError("bad-magic", 'expected "WDMO", got 0x%s' % bytes(data[0:4]).hex())
    if version != PROTOCOL_VERSION:
        raise ProtocolError("bad-version", "peer speaks protocol version %d, this side speaks %d" % (version, PROTOCOL_VERSION))
    frame_type = TYPE_BY_CODE.get(code)
    if frame_type is None:
        raise ProtocolError("bad-type", "unknown frame type 0x%02x" % code)
    if flags != 0:
        raise ProtocolError("bad-flags", "flags must be 0 in version %d, got 0x%x" % (PROTOCOL_VERSION, flags))
    if payload_length > limits.max_payload_bytes:
        raise ProtocolError("too-large", "%s payload of %d bytes exceeds the limit of %d" % (frame_type, payload_length, limits.max_payload_bytes))
    return Header(frame_type, request_id, payload_length)


def encode_header(frame_type: str, request_id: int, payload_length: int) -> bytes:
    return _HEADER.pack(MAGIC, PROTOCOL_VERSION, FRAME_TYPES[frame_type], 0, request_id & 0xFFFFFFFF, payload_length)


def _expect_length(frame_type: str, payload: "bytes | int", expected: int) -> None:
    length = payload if isinstance(payload, int) else len(payload)
    if length != expected:
        raise ProtocolError("bad-length", "%s payload is %d bytes, its fields say %d" % (frame_type, length, expected))


def _expect_at_least(frame_type: str, payload: "bytes | int", minimum: int) -> None:
    length = payload if isinstance(payload, int) else len(payload)
    if length < minimum:
        raise ProtocolError("truncated", "%s payload is %d bytes, needs at least %d" % (frame_type, length, minimum))


def _check_string_length(frame_type: str, length: int, limits: FrameLimits) -> None:
    if length > limits.max_string_bytes:
        raise ProtocolError("too-large", "%s string of %d bytes exceeds %d" % (frame_type, length, limits.max_string_bytes))


def _check_range(frame_type: str, field: str, value: int, low: int, high: int) -> None:
    if value < low or value > high:
        raise ProtocolError("bad-shape", "%s %s %d is outside %d..%d" % (frame_type, field, value, low, high))


def _read_string(frame_type: str, payload: bytes, offset: int, length: int, limits: FrameLimits) -> str:
    if length > limits.max_string_bytes:
        raise ProtocolError("too-large", "%s string of %d bytes exceeds %d" % (frame_type, length, limits.max_string_bytes))
    return bytes(payload[offset:offset + length]).decode("utf-8", errors="replace")


def _truncate_utf8(text: str, max_bytes: int) -> bytes:
    data = text.encode("utf-8")
    return data if len(data) <= max_bytes else data[:max_bytes].decode("utf-8", errors="ignore").encode("utf-8")


# RUN (BS → agent), 20 fixed bytes then tensors:
# | layer u16 | dtype u8 | reserved u8 = 0 | rows u32 | hidden u32 | k u16 | reserved u16 = 0 | deadlineMs u32 |
# | states dtype[rows×hidden] | pad 0..3 zero bytes to a multiple of 4 | weights f32[rows×k] | experts u16[rows×k] |
_RUN_FIXED = struct.Struct("<HBBIIHHI")


def _run_shape(fixed: bytes, limits: FrameLimits) -> Tuple[str, int, int, int, int]:
    """A RUN's dtype, rows, hidden, k (checked against the limits) and where its weights start."""
    _, dtype_code, _, rows, hidden, k, _, _ = _RUN_FIXED.unpack_from(fixed, 0)
    dtype = DTYPE_BY_CODE.get(dtype_code)
    if dtype is None:
        raise ProtocolError("bad-dtype", "run dtype code %d is not fp32 (1) or fp16 (2)" % dtype_code)
    _check_range("run", "rows", rows, 1, limits.max_rows)
    _check_range("run", "hidden", hidden, 1, limits.max_hidden)
    _check_range("run", "k", k, 1, limits.max_k)
    states_bytes = rows * hidden * DTYPE_BYTES[dtype]
    return dtype, rows, hidden, k, 20 + states_bytes + (4 - states_bytes % 4) % 4


def decode_run(request_id: int, payload: bytes, limits: FrameLimits) -> RunFrame:
    _expect_at_least("run", payload, 20)
    layer, _, _, _, _, _, _, deadline_ms = _RUN_FIXED.unpack_from(payload, 0)
    dtype, rows, hidden, k, weights_at = _run_shape(payload, limits)
    _expect_length("run", payload, weights_at + 6 * rows * k)
    states = np.frombuffer(payload, dtype=NUMPY_DTYPES[dtype], count=rows * hidden, offset=20).astype(np.float32).reshape(rows, hidden)
    weights = np.frombuffer(payload, dtype="<f4", count=rows * k, offset=weights_at).astype(np.float32).reshape(rows, k)
    experts = np.frombuffer(payload, dtype="<u2", count=rows * k, offset=weights_at + 4 * rows * k).astype(np.uint16).reshape(rows, k)
    return RunFrame(request_id, layer, dtype, rows, hidden, k, deadline_ms, states, weights, experts)


# RESULT (agent → BS), 16 fixed bytes then the output:
# | rows u32 | hidden u32 | computeMicros u32 | dtype u8 | reserved u8[3] = 0 | output dtype[rows×hidden] |
def encode_result(request_id: int, dtype: str, compute_micros: float, output: np.ndarray) -> bytes:
    rows, hidden = output.shape
    body = np.ascontiguousarray(output, dtype=NUMPY_DTYPES[dtype]).tobytes()
    micros = max(0, min(0xFFFFFFFF, int(round(compute_micros))))
    fixed = struct.pack("<IIIB3x", rows, hidden, micros, DTYPE_CODES[dtype])
    return encode_header("result", request_id, 16 + len(body)) + fixed + body


# HELLO (BS → agent): | nonce u8[32] | nameLength u16 | clientName utf8[nameLength] |
def _decode_hello(request_id: int, payload: bytes, limits: FrameLimits) -> Frame:
    _expect_at_least("hello", payload, 34)
    (name_length,) = struct.unpack_from("<H", payload, 32)
    _expect_length("hello", payload, 34 + name_length)
    return Frame("hello", request_id, nonce=bytes(payload[0:32]), client_name=_read_string("hello", payload, 34, name_length, limits))


# CHALLENGE (agent → BS): | nonce u8[32] | proof u8[32] |
def encode_challenge(nonce: bytes, proof: bytes) -> bytes:
    return encode_header("challenge", 0, NONCE_BYTES + PROOF_BYTES) + nonce + proof


# AUTH (BS → agent): | proof u8[32] |
def _decode_auth(request_id: int, payload: bytes) -> Frame:
    _expect_length("auth", payload, 32)
    return Frame("auth", request_id, proof=bytes(payload))


# WELCOME (agent → BS):
# | maxPayloadBytes u32 | maxRows u32 | maxHidden u32 | maxK u32 | expertCount u32 | nameLength u16 | reserved u16 = 0 |
# | infoLength u32 | expertCount × (layer u16, expert u16) | device utf8[nameLength] | info utf8 JSON[infoLength] |
WELCOME_FIXED_BYTES = 28


def encode_json(document: object) -> bytes:
    """A runtime info or telemetry document for the wire (UTF-8 JSON)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode_welcome(device: str, experts: "list[tuple[int, int]]", limits: FrameLimits, info: object) -> bytes:
    name = _truncate_utf8(device, 1024)
    document = encode_json(info)
    fixed = struct.pack("<IIIIIHHI", limits.max_payload_bytes, limits.max_rows, limits.max_hidden, limits.max_k, len(experts), len(name), 0, len(document))
    held = b"".join(struct.pack("<HH", layer, expert) for layer, expert in experts)
    return encode_header("welcome", 0, len(fixed) + len(held) + len(name) + len(document)) + fixed + held + name + document


def _check_info_length(frame_type: str, length: int, limits: FrameLimits) -> None:
    if length > limits.max_info_bytes:
        raise ProtocolError("too-large", "%s info is %d bytes, limit %d" % (frame_type, length, limits.max_info_bytes))


# ERROR (either way): | code u16 | messageLength u16 | message utf8[messageLength] |  (layout frozen across versions)
def encode_error(request_id: int, code: str, message: str) -> bytes:
    text = _truncate_utf8(message, 1024)
    return encode_header("error", request_id, 4 + len(text)) + struct.pack("<HH", WIRE_ERROR_CODES[code], len(text)) + text


def _decode_error(request_id: int, payload: bytes, limits: FrameLimits) -> Frame:
    _expect_at_least("error", payload, 4)
    (message_length,) = struct.unpack_from("<H", payload, 2)
    _expect_length("error", payload, 4 + message_length)
    return Frame("error", request_id, client_name=_read_string("error", payload, 4, message_length, limits))


# STATS (agent → BS), 8 × u64 counters since the agent started, then the telemetry JSON:
# | connections | runRequests | runServed | runErrors | deadlineMisses | computeMicrosTotal | bytesReceived | bytesSent |
# | telemetryLength u32 | telemetry utf8 JSON[telemetryLength] |
STATS_FIELDS = ("connections", "runRequests", "runServed", "runErrors", "deadlineMisses", "computeMicrosTotal", "bytesReceived", "bytesSent")
STATS_FIXED_BYTES = 8 * len(STATS_FIELDS) + 4


def encode_stats(request_id: int, stats: "dict[str, float]", telemetry: object) -> bytes:
    values = [max(0, int(round(stats[field]))) for field in STATS_FIELDS]
    document = encode_json(telemetry)
    return encode_header("stats", request_id, STATS_FIXED_BYTES + len(document)) + struct.pack("<8QI", *values, len(document)) + document


def encode_empty(frame_type: str, request_id: int) -> bytes:
    return encode_header(frame_type, request_id, 0)


def decode_frame(header: Header, payload: bytes, limits: FrameLimits) -> "Frame | RunFrame":
    """Decodes a payload whose header passed decode_header; frames an agent never receives are still checked
    (a peer that sends them gets unexpected-frame from the connection, like the Node agent)."""
    frame_type, request_id = header.type, header.request_id
    if frame_type == "run":
        return decode_run(request_id, payload, limits)
    if frame_type == "hello":
        return _decode_hello(request_id, payload, limits)
    if frame_type == "auth":
        return _decode_auth(request_id, payload)
    if frame_type == "challenge":
        _expect_length("challenge", payload, 64)
    elif frame_type == "welcome":
        _decode_welcome_lengths(payload, limits)
    elif frame_type == "result":
        _decode_result_lengths(payload, limits)
    elif frame_type == "error":
        return _decode_error(request_id, payload, limits)
    elif frame_type == "stats":
        _expect_at_least("stats", payload, STATS_FIXED_BYTES)
        (telemetry_length,) = struct.unpack_from("<I", payload, 8 * len(STATS_FIELDS))
        _check_info_length("stats", telemetry_length, limits)
        _expect_length("stats", payload, STATS_FIXED_BYTES + telemetry_length)
    else:
        _expect_length(frame_type, payload, 0)
    return Frame(frame_type, request_id)


def _decode_welcome_lengths(payload: bytes, limits: FrameLimits) -> None:
    _expect_at_least("welcome", payload, WELCOME_FIXED_BYTES)
    (expert_count,) = struct.unpack_from("<I", payload, 16)
    _check_range("welcome", "expertCount", expert_count, 0, limits.max_experts)
    (name_length,) = struct.unpack_from("<H", payload, 20)
    (info_length,) = struct.unpack_from("<I", payload, 24)
    _check_info_length("welcome", info_length, limits)
    name_at = WELCOME_FIXED_BYTES + 4 * expert_count
    _expect_length("welcome", payload, name_at + name_length + info_length)
    _read_string("welcome", payload, name_at, name_length, limits)


def _decode_result_lengths(payload: bytes, limits: FrameLimits) -> None:
    _expect_at_least("result", payload, 16)
    rows, hidden, _, dtype_code = struct.unpack_from("<IIIB", payload, 0)
    dtype = DTYPE_BY_CODE.get(dtype_code)
    if dtype is None:
        raise ProtocolError("bad-dtype", "result dtype code %d is not fp32 (1) or fp16 (2)" % dtype_code)
    _check_range("result", "rows", rows, 1, limits.max_rows)
    _check_range("result", "hidden", hidden, 1, limits.max_hidden)
    _expect_length("result", payload, 16 + rows * hidden * DTYPE_BYTES[dtype])



# Admission before allocation (src/transport/frame.ts FIXED_PART_BYTES, checkPayloadLength, checkFixedPart): the
# header's length is checked against its type's fixed part, then the fixed part's fields against that length.
FIXED_PART_BYTES = {
    "hello": 34, "challenge": 64, "auth": 32, "welcome": 28, "run": 20, "result": 16,
    "ping": 0, "pong": 0, "stats-request": 0, "stats": 8 * 8 + 4, "error": 4, "bye": 0,
}


def _implied_length(frame_type: str, fixed: bytes, limits: FrameLimits) -> "int | None":
    if frame_type == "hello":
        (name_length,) = struct.unpack_from("<H", fixed, 32)
        _check_string_length("hello", name_length, limits)
        return 34 + name_length
    if frame_type == "welcome":
        (expert_count,) = struct.unpack_from("<I", fixed, 16)
        _check_range("welcome", "expertCount", expert_count, 0, limits.max_experts)
        (name_length,) = struct.unpack_from("<H", fixed, 20)
        _check_string_length("welcome", name_length, limits)
        (info_length,) = struct.unpack_from("<I", fixed, 24)
        _check_info_length("welcome", info_length, limits)
        return 28 + 4 * expert_count + name_length + info_length
    if frame_type == "run":
        _, rows, _, k, weights_at = _run_shape(fixed, limits)
        return weights_at + 6 * rows * k
    if frame_type == "result":
        rows, hidden, _, dtype_code = struct.unpack_from("<IIIB", fixed, 0)
        dtype = DTYPE_BY_CODE.get(dtype_code)
        if dtype is None:
            raise ProtocolError("bad-dtype", "result dtype code %d is not fp32 (1) or fp16 (2)" % dtype_code)
        _check_range("result", "rows", rows, 1, limits.max_rows)
        _check_range("result", "hidden", hidden, 1, limits.max_hidden)
        return 16 + rows * hidden * DTYPE_BYTES[dtype]
    if frame_type == "error":
        (message_length,) = struct.unpack_from("<H", fixed, 2)
        _check_string_length("error", message_length, limits)
        return 4 + message_length
    if frame_type == "stats":
        (telemetry_length,) = struct.unpack_from("<I", fixed, 64)
        _check_info_length("stats", telemetry_length, limits)
        return 68 + telemetry_length
    return None


def check_payload_length(header: Header) -> int:
    """The header's payloadLength against what its type allows; returns the fixed part's length to read next."""
    fixed = FIXED_PART_BYTES[header.type]
    if header.type in ("challenge", "auth", "ping", "pong", "stats-request", "bye"):
        _expect_length(header.type, header.payload_length, fixed)
    else:
        _expect_at_least(header.type, header.payload_length, fixed)
    return fixed


def check_fixed_part(header: Header, fixed: bytes, limits: FrameLimits) -> None:
    """The fixed part's fields (dtype, shape, counts, string lengths) must imply exactly the header's length."""
    implied = _implied_length(header.type, fixed, limits)
    if implied is not None:
        _expect_length(header.type, header.payload_length, implied)
