"""The canonical log: one JSON object a line, hash-chained, append-only.

Every line has ``seq`` (contiguous from 0), ``t`` (UTC ISO-8601), ``type`` and
``prev`` (hex SHA-256 of the previous line's bytes; zeros for the header).
The writer flushes each line before returning, so a move is durable in the
operating system before it is acknowledged (``fsync=True`` also survives a
power cut, at a price per move).
"""
import datetime
import hashlib
import json
import os
import threading

GENESIS = "0" * 64
HEADER = "playthrough_started"
FOOTER = "playthrough_ended"
EVENT_TYPES = frozenset({
    HEADER, "move", "undo", "paused", "resumed", "player_joined", "player_left",
    "player_reconnected", "artifact_saved", "checkpoint_written", "goal_reached",
    FOOTER,
})
END_REASONS = ("goal", "abandoned", "stalled", "interrupted")


def utc_now():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def line_hash(line_bytes):
    return hashlib.sha256(line_bytes).hexdigest()


def encode_line(event):
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


class LogWriter:
    """Appends events to a log file (or, with ``path=None``, to memory)."""

    def __init__(self, path=None, fsync=False):
        self.path = path
        self.fsync = fsync
        self.lines = [] if path is None else None
        self.next_seq = 0
        self.prev = GENESIS
        self._lock = threading.Lock()
        self._file = None
        if path is not None:
            self._resume_chain()
            self._file = open(path, "ab")

    def _resume_chain(self):
        if not os.path.exists(self.path):
            return
        last = None
        with open(self.path, "rb") as f:
            for raw in f:
                if raw.strip():
                    last = raw.rstrip(b"\n")
        if last is not None:
            self.next_seq = json.loads(last)["seq"] + 1
            self.prev = line_hash(last)

    def write(self, type_, **fields):
        """Append one event; returns it (with seq, t, prev filled in)."""
        with self._lock:
            event = {"seq": self.next_seq, "t": utc_now(), "type": type_, "prev": self.prev}
            event.update(fields)
            line = encode_line(event)
            if self._file is not None:
                self._file.write(line + b"\n")
                self._file.flush()
                if self.fsync:
                    os.fsync(self._file.fileno())
            else:
                self.lines.append(line)
            self.next_seq += 1
            self.prev = line_hash(line)
            return event

    def text(self):
        """The whole log as text (memory logs only)."""
        return "".join(line.decode("utf-8") + "\n" for line in self.lines)

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None


def drop_partial_tail(path):
    """Cut a last line that was never finished (the process died mid-write).

    Such a line was never flushed whole, so its move was never acknowledged.
    Returns the number of bytes removed.  Only for resuming a live log: stored
    logs are validated as they are, never repaired.
    """
    if not os.path.exists(path):
        return 0
    with open(path, "rb+") as f:
        data = f.read()
        if not data or data.endswith(b"\n"):
            return 0
        keep = data.rfind(b"\n") + 1
        f.truncate(keep)
        return len(data) - keep


def read_lines(source):
    """Raw lines (bytes, without newline) of a log path, bytes or text."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, str) and "\n" in source:
        data = source.encode("utf-8")
    else:
        with open(source, "rb") as f:
            data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def read_events(source):
    """Parsed events of a log, trusting it (for display; use replay to verify)."""
    return [json.loads(line) for line in read_lines(source) if line.strip()]
