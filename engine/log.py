"""The canonical log: one JSON object a line, hash-chained, append-only.

Every line has ``seq`` (contiguous from 0), ``t`` (UTC ISO-8601), ``type`` and
``prev`` (hex SHA-256 of the previous line's bytes; zeros for the header).
The writer hands each line (or each move's lines, together) to the operating
system before returning, so a move is durable there before it is acknowledged
(``fsync=True`` also survives a power cut, at a price per move).
"""
import contextlib
import datetime
import hashlib
import json
import logging
import os
import threading

GENESIS = "0" * 64
HEADER = "playthrough_started"
FOOTER = "playthrough_ended"
EVENT_TYPES = frozenset({
    HEADER, "move", "undo", "paused", "resumed", "player_joined", "player_left",
    "player_reconnected", "seat_changed", "artifact_saved", "checkpoint_written",
    "goal_reached",
    FOOTER,
})
END_REASONS = ("goal", "abandoned", "stalled", "interrupted")
log = logging.getLogger(__name__)


def utc_now():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def line_hash(line_bytes):
    return hashlib.sha256(line_bytes).hexdigest()


def encode_line(event):
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


class LogWriteError(OSError):
    """A line (or a move's lines) could not be written; the log is as it was before."""


class LogWriter:
    """Appends events to a log file (or, with ``path=None``, to memory).

    ``transaction()`` groups the lines of one move (the decision, the forced moves
    after it, ``goal_reached``, the footer): they reach the file in one write, or,
    if anything fails (disk full, an I/O error, an event that cannot be encoded),
    the file is cut back to where the move began and seq and chain are as before.
    A failed write never leaves a partial or a repeated line.
    """

    def __init__(self, path=None, fsync=False, signer=None):
        self.path = path
        self.fsync = fsync
        self.signer = signer      # engine.signing.Signer: the footer gets a signature
        self.lines = [] if path is None else None
        self.next_seq = 0
        self.prev = GENESIS
        self._lock = threading.RLock()
        self._batch = None
        self._fd = None
        if path is not None:
            self._resume_chain()
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

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

    @property
    def closed(self):
        return self.path is not None and self._fd is None

    def write(self, type_, **fields):
        """Append one event; returns it (with seq, t, prev filled in).  Inside a
        transaction the line is kept until the transaction ends."""
        with self._lock:
            event = {"seq": self.next_seq, "t": utc_now(), "type": type_, "prev": self.prev}
            event.update(fields)
            if type_ == FOOTER and self.signer is not None:
                from .signing import tip_message
                event["signature"] = self.signer.sign(tip_message("footer", event))
            try:
                line = encode_line(event)
            except (TypeError, ValueError) as exc:
                raise LogWriteError(f"the {type_} event cannot be written as JSON: {exc}") \
                    from exc
            if self._batch is not None:
                self._batch.append(line)
            else:
                self._append([line])
            self.next_seq += 1
            self.prev = line_hash(line)
            return event

    @contextlib.contextmanager
    def transaction(self):
        """Lines written inside reach the log together at the end, or not at all."""
        with self._lock:
            if self._batch is not None:          # nested: part of the outer one
                yield self
                return
            self._batch = []
            seq, prev = self.next_seq, self.prev
            try:
                yield self
                lines, self._batch = self._batch, None
                if lines:
                    self._append(lines)
            except BaseException:
                self.next_seq, self.prev = seq, prev
                raise
            finally:
                self._batch = None

    def _append(self, lines):
        if self.path is None:
            self.lines.extend(lines)
            return
        if self._fd is None:
            raise LogWriteError(f"the log {self.path} is closed")
        data = b"".join(line + b"\n" for line in lines)
        start = os.fstat(self._fd).st_size
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            if self.fsync:
                os.fsync(self._fd)
        except OSError as exc:
            try:
                os.ftruncate(self._fd, start)
            except OSError:
                log.exception("could not cut the log %s back after a failed write", self.path)
            raise LogWriteError(exc.errno, f"the log could not be written ({exc.strerror})",
                                self.path) from exc

    def text(self):
        """The whole log as text (memory logs only)."""
        return "".join(line.decode("utf-8") + "\n" for line in self.lines)

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


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
