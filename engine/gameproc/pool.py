"""The game processes of one host: one per game version, started from a warm spare.

A process for a version is made on first use: a spare (a sandboxed Python that
has imported the engine and waits, empty) is given the version's files and
loads them; a new spare is started in the background.  A game whose admin set
an environment or network access gets a process started for it with those
settings.  Processes holding no play-through for ``idle_seconds`` are stopped.
Loading one version never waits for another (one lock per version, none around
game code).
"""
import logging
import os
import threading
import time

from . import host, sandbox

log = logging.getLogger(__name__)


class GamePool:
    """Game processes of this host process, by game version."""

    def __init__(self, root, config=None, limits=None, settings_for=None,
                 idle_seconds=120.0, spare=True, load_seconds=60.0):
        self.root = str(root)
        self.config = config or sandbox.SandboxConfig.detect()
        self.limits = limits
        self.settings_for = settings_for or (lambda slug: sandbox.GameSettings())
        self.idle_seconds = idle_seconds
        self.load_seconds = load_seconds
        self.use_spare = spare
        self._lock = threading.Lock()
        self._by_version = {}
        self._version_locks = {}
        self._holders = {}            # process name -> play-through ids held
        self._spare = None
        self._spare_lock = threading.Lock()
        self._pid = None
        self._closed = False
        self.started = 0              # processes started (spares included)

    # -- processes -----------------------------------------------------------------
    def process(self, folder, slug, version):
        """The loaded, live process of ``version`` (started if needed)."""
        self._ensure_started()
        found = self._by_version.get(version)
        if found is not None and found.alive:
            return found
        with self._version_lock(version):
            found = self._by_version.get(version)
            if found is not None and found.alive:
                return found
            if found is not None:
                self.drop(found)
            settings = self.settings_for(slug)
            proc = self._fresh(settings)
            try:
                proc.load(folder, slug, version, self.limits, self.load_seconds)
            except BaseException:
                proc.stop("failed to load")
                raise
            with self._lock:
                self._by_version[version] = proc
                self._holders[proc.name] = set()
            self._refill()
            return proc

    def _version_lock(self, version):
        with self._lock:
            found = self._version_locks.get(version)
            if found is None:
                found = self._version_locks[version] = threading.Lock()
            return found

    def _fresh(self, settings):
        """A started, empty process: the spare when the settings are the defaults."""
        default = not settings.env and not settings.network
        if default and self.use_spare:
            with self._spare_lock:
                spare, self._spare = self._spare, None
            if spare is not None and spare.alive:
                spare.settings = settings
                return spare
        self.started += 1
        return host.GameProcess(self.config, self._folder(), settings).start()

    def _refill(self):
        if not self.use_spare or self._closed:
            return

        def make():
            with self._spare_lock:
                if self._spare is not None and self._spare.alive:
                    return
            try:
                spare = host.GameProcess(self.config, self._folder()).start()
                spare.call("ping", 30)
            except Exception:
                log.warning("could not start a spare game process", exc_info=True)
                return
            self.started += 1
            with self._spare_lock:
                if self._spare is None and not self._closed:
                    self._spare = spare
                    return
            spare.stop("not needed")
        threading.Thread(target=make, daemon=True, name="game-spare").start()

    def _folder(self):
        path = os.path.join(self.root, str(os.getpid()))
        os.makedirs(path, exist_ok=True)
        return path

    def drop(self, proc, why="replaced"):
        """Stop ``proc`` and forget it (its play-throughs reopen in a new one)."""
        with self._lock:
            if self._by_version.get(proc.version) is proc:
                del self._by_version[proc.version]
            self._holders.pop(proc.name, None)
        proc.stop(proc.dead or why)

    # -- who holds what ----------------------------------------------------------------
    def hold(self, proc, pid):
        with self._lock:
            self._holders.setdefault(proc.name, set()).add(pid)

    def release(self, proc, pid):
        with self._lock:
            self._holders.get(proc.name, set()).discard(pid)

    def processes(self):
        with self._lock:
            return list(self._by_version.values())

    def held_by(self, proc):
        with self._lock:
            return set(self._holders.get(proc.name, ()))

    def closed_pid(self):
        """True if this pool belongs to another process (gunicorn forked after it was
        made) or was closed: the caller makes a new one."""
        return self._closed or (self._pid is not None and self._pid != os.getpid())

    # -- upkeep ------------------------------------------------------------------------
    def _ensure_started(self):
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._by_version, self._holders, self._spare = {}, {}, None
        sweep_leftovers(self.root, self.config)
        threading.Thread(target=self._upkeep, daemon=True, name="game-pool").start()
        self._refill()

    def _upkeep(self):
        while not self._closed:
            time.sleep(min(5.0, max(0.5, self.idle_seconds / 4)))
            self.reap()

    def reap(self, now=None):
        """Stop processes that hold nothing and have been idle a while, and dead ones."""
        now = time.monotonic() if now is None else now
        with self._lock:
            doomed = [p for p in self._by_version.values()
                      if not p.alive or (not self._holders.get(p.name)
                                         and now - p.last_used > self.idle_seconds)]
        for proc in doomed:
            self.drop(proc, "idle")
        return len(doomed)

    def close(self):
        """Stop every process of this pool (the host is going away)."""
        self._closed = True
        for proc in self.processes():
            self.drop(proc, "closed")
        with self._spare_lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.stop("closed")


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def sweep_leftovers(root, config):
    """Folders and cgroups left by host processes that died without cleaning up."""
    import shutil
    if os.path.isdir(root):
        for name in os.listdir(root):
            if name.isdigit() and not _alive(int(name)):
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
    if config.cgroup_root and os.path.isdir(config.cgroup_root):
        for name in os.listdir(config.cgroup_root):
            owner = name.removeprefix("szportal-")
            if name.startswith("szportal-") and owner.isdigit() and not _alive(int(owner)):
                group = os.path.join(config.cgroup_root, name)
                for child in os.listdir(group):
                    path = os.path.join(group, child)
                    if os.path.isdir(path):
                        sandbox.ProcessGroup.at(path).remove()
                try:
                    os.rmdir(group)
                except OSError:
                    pass
