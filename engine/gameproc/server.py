"""The game process: ``python -m engine.gameproc --fd N``.

Reads requests from the host over the socket on fd N, runs each in a thread of
its own (calls on one play-through run one at a time; calls on others do not
wait), and writes the replies back.  What game code prints is captured per call
and returned with the reply; it never reaches the protocol.  The process ends
when the host closes the socket.
"""
import argparse
import contextvars
import io
import os
import signal
import socket
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

from . import protocol
from .protocol import CallError

OUTPUT_LIMIT = 16 * 1024
_output = contextvars.ContextVar("szgame_output", default=None)


class Capture(io.TextIOBase):
    """sys.stdout and sys.stderr of the game process: text goes to the running call."""

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        buffer = _output.get()
        if buffer is None:
            return len(text)
        if buffer[1] < OUTPUT_LIMIT:
            buffer[0].append(text[:OUTPUT_LIMIT - buffer[1]])
            if buffer[1] + len(text) >= OUTPUT_LIMIT:
                buffer[0].append("\n(more output of this move was cut)\n")
        buffer[1] += len(text)
        return len(text)

    def flush(self):
        pass


class Server:
    """The calls of one game process, dispatched to threads."""

    def __init__(self, sock, threads=16):
        self.sock = sock
        self.table = None
        self.scratch = None
        self._send_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="call")
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._reaped = 0.0
        self.reap_children = os.getpid() == 2      # pid namespace of bwrap: we are pid 2

    def serve(self):
        while True:
            try:
                request = protocol.receive(self.sock)
            except (EOFError, OSError, protocol.ProtocolError):
                return
            self._pool.submit(self._run, request)

    def _run(self, request):
        with self._busy_lock:
            self._busy += 1
        started = time.monotonic()
        try:
            self._answer(request)
        finally:
            with self._busy_lock:
                self._busy -= 1
                idle = self._busy == 0
            now = time.monotonic()
            # Starting a process takes a millisecond or more: a quicker call started
            # none, so the sandbox is looked through only after slower calls (and at
            # least once a second).
            if idle and self.reap_children and (now - started >= 0.001
                                                or now - self._reaped >= 1.0):
                self._reaped = now
                reap_strays()

    def _answer(self, request):
        buffer = [[], 0]
        _output.set(buffer)
        reply = {"id": request.get("id")}
        try:
            reply["ok"] = self.dispatch(request.get("call"), request.get("args") or {})
        except CallError as exc:
            reply["error"] = exc.as_dict()
        except BaseException as exc:         # the game's own failure: the call fails
            reply["error"] = {"code": "game_error",
                              "message": f"{type(exc).__name__}: {exc}"[:2000],
                              "detail": game_traceback(exc)[-8000:]}
        finally:
            _output.set(None)
        text = "".join(buffer[0])
        if text:
            reply["output"] = text
        self._reply(reply)

    def _reply(self, reply):
        try:
            data = protocol.encode(reply)
        except (protocol.ProtocolError, TypeError, ValueError) as exc:
            data = protocol.encode({"id": reply.get("id"), "error": {
                "code": "too_large", "message": f"the game's answer cannot be sent: {exc}"}})
        with self._send_lock:
            try:
                self.sock.sendall(data)
            except OSError:
                os._exit(0)               # the host has gone

    def dispatch(self, call, args):
        if call == "ping":
            return {"pid": os.getpid(), "held": self.table.held() if self.table else []}
        if call == "load":
            return self.load(**args)
        if self.table is None:
            raise CallError("not_loaded", "no game is loaded in this process")
        handler = getattr(self.table, call, None) if call in CALLS else None
        if handler is None:
            raise CallError("unknown_call", f"unknown call {call!r}")
        return handler(**args)

    def load(self, folder, slug, version=None, limits=None, scratch=None):
        from ..check import explain
        from .calls import Table
        if self.table is not None:
            raise CallError("loaded", "a game is already loaded in this process")
        try:
            table = Table(folder, slug, version, limits)
            table.scratch = scratch
            metadata = table.metadata()
        except CallError:
            raise
        except BaseException as exc:     # the game fails to load: say why, in its words
            raise CallError("load", explain(exc), game_traceback(exc)) from exc
        self.table = table
        return {"version": table.source.version, "metadata": metadata}


def reap_strays():
    """Kill every process of this sandbox but its init and this one: what a game
    started (a detached child, a fork) does not outlive the call that started it."""
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, me):
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def game_traceback(exc):
    """The traceback of a failure in game code: the game's own frames only (under
    /game), then the error; the engine's frames say nothing to a game's author."""
    error = exc.__cause__ or exc
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.filename.startswith("/game/") or "/game/" in f.filename]
    return ("".join(traceback.format_list(frames))
            + "".join(traceback.format_exception_only(type(error), error)))


CALLS = frozenset({"metadata", "open", "reopen", "settle", "apply", "undo", "end", "views",
                   "bot_move", "snapshot", "close", "checkpoint_of", "replay_view",
                   "trace", "trace_many", "trace_lines", "check", "trail"})


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m engine.gameproc")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args(argv)
    # Signals sent to a terminal's process group are for the host, which stops game
    # processes itself, in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=args.fd)
    threading.stack_size(2 * 1024 * 1024)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.stdout = sys.stderr = Capture()
    import engine.loader  # noqa: F401  (the base module and the RNG dispatcher first)
    Server(sock, args.threads).serve()
    os._exit(0)


if __name__ == "__main__":
    main()
