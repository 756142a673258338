"""A host's side of one game process: spawn it sandboxed, call it with time limits.

Calls are sent over one socket and answered in any order (each has an id); a
reader thread hands every reply to the caller waiting for it.  A call that
overruns its time limit, or a process that dies, makes the process ``dead``: it
is killed with everything it started (its pid namespace and its cgroup), and
every caller waiting on it is told.  All game processes of a host are spawned
from one long-lived thread: bwrap's ``--die-with-parent`` (PR_SET_PDEATHSIG)
follows the thread that started it, not the process.
"""
import concurrent.futures
import itertools
import json
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time

from . import protocol, sandbox
from .protocol import CallError

log = logging.getLogger(__name__)


class GameTimeout(CallError):
    """A call ran past its time limit (the process is replaced)."""


class GameDied(CallError):
    """The game process ended or was killed while a call was waiting."""


class _Spawner:
    """The one thread of this host process that starts game processes."""

    def __init__(self):
        self._jobs = queue.SimpleQueue()
        self._pid = None
        self._lock = threading.Lock()

    def run(self, fn):
        self._ensure()
        done = concurrent.futures.Future()
        self._jobs.put((fn, done))
        return done.result()

    def _ensure(self):
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            threading.Thread(target=self._loop, daemon=True, name="game-spawner").start()

    def _loop(self):
        while True:
            fn, done = self._jobs.get()
            try:
                done.set_result(fn())
            except BaseException as exc:
                done.set_exception(exc)


SPAWNER = _Spawner()
_names = itertools.count(1)


class GameProcess:
    """One game process (sandboxed when bubblewrap is there), empty until ``load``."""

    def __init__(self, config, root, settings=None):
        self.config = config
        self.settings = settings or sandbox.GameSettings()
        self.name = f"gp{os.getpid()}-{next(_names)}"
        self.folder = os.path.join(str(root), self.name)
        self.game_dir = os.path.join(self.folder, "game")
        self.scratch = os.path.join(self.folder, "scratch")
        self.proc = None
        self.network = None        # slirp4netns, when the game may reach the network
        self.group = None
        self.version = None
        self.slug = None
        self.metadata = None
        self.dead = None           # why it stopped serving, once it has
        self.started_at = None
        self.last_used = time.monotonic()
        self._sock = None
        self._ids = itertools.count(1)
        self._waiting = {}
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._reading = threading.Lock()       # held by the caller reading replies now
        self._turn = threading.Condition()     # a reply was handed out, or reading is free
        self.output = []           # what game code printed outside any play-through

    # -- life ------------------------------------------------------------------------
    def start(self):
        os.makedirs(self.game_dir, exist_ok=True)
        os.makedirs(self.scratch, exist_ok=True)
        for path in (self.folder, self.scratch):
            _world_writable(path)
        host_sock, child_sock = socket.socketpair()
        self.group = sandbox.ProcessGroup(self.config, self.name)
        try:
            self.proc = SPAWNER.run(lambda: self._popen(child_sock))
        finally:
            child_sock.close()
        self.group.add(self.proc.pid)
        self._sock = host_sock
        self.started_at = time.monotonic()
        return self

    def _popen(self, child_sock):
        fd = child_sock.fileno()
        as_root = os.geteuid() == 0
        networked = sandbox.network_granted(self.config, self.settings)
        info_read = info_write = None
        if self.config.enabled:
            if networked:
                info_read, info_write = os.pipe()
                resolv = os.path.join(self.folder, "resolv.conf")
                with open(resolv, "w") as f:
                    f.write(f"nameserver {sandbox.SLIRP_DNS}\n")
            args = sandbox.bwrap_command(self.config, self.settings, self.game_dir,
                                         self.scratch, fd, info_write,
                                         resolv if networked else None)
            env = {}
        else:
            args = sandbox.python_command(fd)
            env = sandbox.unsandboxed_env(self.settings)
        fds = (fd,) if info_write is None else (fd, info_write)
        proc = subprocess.Popen(args, env=env, cwd=self.scratch, pass_fds=fds,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=sandbox.limit_resources(self.config, as_root))
        if info_write is not None:
            os.close(info_write)
            child = read_child_pid(info_read)
            if child:
                self.network = sandbox.start_network(self.config, child)
        return proc

    def load(self, source_folder, slug, version, limits=None, timeout=60):
        """Give this process its game: the version's files are copied in, then loaded."""
        target = os.path.join(self.game_dir, slug)
        shutil.copytree(source_folder, target, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        _readable(target)
        folder = f"/game/{slug}" if self.config.enabled else target
        scratch = "/scratch" if self.config.enabled else self.scratch
        answer = self.call("load", timeout, folder=folder, slug=slug, version=version,
                           limits=limits, scratch=scratch)
        self.version, self.slug, self.metadata = answer["version"], slug, answer["metadata"]
        return answer

    def stop(self, why="stopped"):
        """Kill the process and everything it started; fail every waiting call."""
        with self._lock:
            if self.dead is None:
                self.dead = why
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(GameDied("game_died", self._died_text()))
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        if self.group is not None:
            self.group.kill()
        if self.network is not None and self.network.poll() is None:
            self.network.kill()
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.group is not None:
            self.group.remove()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _died_text(self):
        if self.dead == "timeout":
            return "the game took too long and was stopped"
        return "the game's process stopped"

    @property
    def alive(self):
        return self.dead is None and self.proc is not None and self.proc.poll() is None

    # -- calls ------------------------------------------------------------------------
    def call(self, name, timeout, **args):
        """The call's result; CallError (the game's refusal), GameTimeout or GameDied."""
        return self.call_with_output(name, timeout, **args)[0]

    def call_with_output(self, name, timeout, **args):
        """(result, what game code printed during the call)."""
        future = self.submit(name, **args)
        try:
            result = self._wait(future, timeout)
            return result, getattr(future, "output", "")
        except CallError as exc:
            exc.output = getattr(future, "output", "")
            raise
        except concurrent.futures.TimeoutError:
            log.warning("game process %s (%s): call %s took over %.1f s; replacing it",
                        self.name, self.slug, name, timeout)
            self.stop("timeout")
            raise GameTimeout("game_timeout", f"the game took longer than {timeout:g} s; "
                              "nothing changed") from None

    def submit(self, name, **args):
        self.last_used = time.monotonic()
        future = concurrent.futures.Future()
        with self._lock:
            if self.dead is not None:
                raise GameDied("game_died", self._died_text())
            call_id = next(self._ids)
            self._waiting[call_id] = future
        try:
            data = protocol.encode({"id": call_id, "call": name, "args": args})
            with self._send_lock:
                self._sock.sendall(data)
        except (OSError, protocol.ProtocolError) as exc:
            with self._lock:
                self._waiting.pop(call_id, None)
            if isinstance(exc, protocol.ProtocolError):
                raise CallError("too_large", str(exc)) from exc
            self.stop("crashed")
            raise GameDied("game_died", self._died_text()) from exc
        return future

    def _wait(self, future, timeout):
        """The call's result.  A waiting caller reads the replies itself while nobody
        else does (a reply then wakes no other thread), handing each to its caller;
        the others wait for their reply or for their turn to read."""
        deadline = time.monotonic() + timeout
        while not future.done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise concurrent.futures.TimeoutError()
            if self._reading.acquire(blocking=False):
                try:
                    self._read_until(future, deadline)
                finally:
                    self._reading.release()
                    with self._turn:
                        self._turn.notify_all()
            else:
                with self._turn:
                    if not future.done():
                        self._turn.wait(min(left, 0.5))
        return future.result()

    def _read_until(self, future, deadline):
        import select
        try:
            while not future.done():
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._sock], [], [], left)[0]:
                    return
                self._hand_out(protocol.receive(self._sock))
        except (EOFError, OSError, protocol.ProtocolError, ValueError) as exc:
            if self.dead is None:
                code = self.proc.poll() if self.proc is not None else None
                log.warning("game process %s (%s) ended (exit %s): %s", self.name, self.slug,
                            code, type(exc).__name__)
            self.stop(self.dead or "crashed")

    def _hand_out(self, reply):
        with self._lock:
            future = self._waiting.pop(reply.get("id"), None)
        if future is not None:
            future.output = reply.get("output") or ""
            if "error" in reply:
                error = reply["error"] or {}
                future.set_exception(CallError(error.get("code", "game_error"),
                                               error.get("message", "the game failed"),
                                               error.get("detail")))
            else:
                future.set_result(reply.get("ok"))
        with self._turn:
            self._turn.notify_all()


def _world_writable(path):
    try:
        os.chmod(path, 0o777)       # the sandbox's uid writes its scratch
    except OSError:
        pass


def _readable(folder):
    for root, dirs, files in os.walk(folder):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def read_child_pid(fd, timeout=10.0):
    """The sandbox's first process, from bubblewrap's --info-fd (one JSON object)."""
    import select
    data, deadline = b"", time.monotonic() + timeout
    try:
        while b"}" not in data and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                data += chunk
    finally:
        os.close(fd)
    try:
        return json.loads(data.split(b"}", 1)[0] + b"}").get("child-pid")
    except ValueError:
        return None
