"""The wire between a host and a game process: length-prefixed JSON frames.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON.
Requests are ``{"id": n, "call": name, "args": {...}}``; replies are
``{"id": n, "ok": value, "output": text}`` or ``{"id": n, "error": {"code",
"message", "detail"}, "output": text}`` (``output``: what game code printed
during the call, trimmed).  Frames above ``MAX_FRAME`` are refused: a game
cannot flood its host.
"""
import json
import math
import struct

MAX_FRAME = 64 * 1024 * 1024
_HEAD = struct.Struct(">I")


class ProtocolError(Exception):
    """The peer sent something that is not a frame of this protocol."""


class CallError(Exception):
    """A call the game process refused or failed; ``code`` is machine-readable."""

    def __init__(self, code, message, detail=None):
        super().__init__(message)
        self.code, self.message, self.detail = code, message, detail

    def as_dict(self):
        return {"code": self.code, "message": self.message, "detail": self.detail}


def _finite(value):
    raise ValueError(f"{value} is not a finite number")


def encode(obj):
    data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")
    if len(data) > MAX_FRAME:
        raise ProtocolError(f"a frame of {len(data)} bytes is over {MAX_FRAME}")
    return _HEAD.pack(len(data)) + data


def send(sock, obj):
    sock.sendall(encode(obj))


def _read_exact(sock, size):
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock):
    """The next frame's object; EOFError when the peer has gone."""
    (size,) = _HEAD.unpack(_read_exact(sock, _HEAD.size))
    if size > MAX_FRAME:
        raise ProtocolError(f"a frame of {size} bytes is over {MAX_FRAME}")
    try:
        return json.loads(_read_exact(sock, size), parse_constant=_finite)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"a frame is not JSON: {exc}") from exc


def finite_or_none(value):
    return value if not isinstance(value, float) or math.isfinite(value) else None
