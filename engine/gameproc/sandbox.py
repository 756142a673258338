"""The sandbox a game process runs in: bubblewrap, limits, a cgroup for its processes.

With bubblewrap (Debian's ``bubblewrap``, the sandbox Flatpak uses) the process
sees only the system's programs and libraries, the Python install, the virtual
environment, the engine's own package, its game's folder (read-only, at
``/game/<slug>``) and its scratch folder (writable, at ``/scratch``); it has no
network (unless an admin granted it to the game: then through slirp4netns with
the host's loopback off), a scrubbed environment and an unprivileged uid.  Limits
on memory, open files and file sizes are rlimits; processes and threads are
limited by a cgroup ``pids`` controller where the machine offers one (root
ignores RLIMIT_NPROC, and bwrap started by root maps the sandbox's uid back to
root).  Without bubblewrap the game process still runs apart, with the rlimits,
and ``SandboxConfig.enabled`` is False so the portal can say the sandbox is off.
"""
import dataclasses
import os
import pathlib
import resource
import shutil
import sys

import engine

ENGINE_DIR = pathlib.Path(engine.__file__).resolve().parent
SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin")
NETWORK_FILES = ("/etc/hosts", "/etc/nsswitch.conf", "/etc/ssl/certs",
                 "/etc/ca-certificates", "/usr/share/ca-certificates")
# slirp4netns's user-mode network: the sandbox is 10.0.2.100, its DNS 10.0.2.3; the
# gateway (the host) is refused with --disable-host-loopback.
SLIRP_ADDRESS, SLIRP_GATEWAY, SLIRP_DNS = "10.0.2.100/24", "10.0.2.2", "10.0.2.3"
CGROUP_ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")
HASH_SEED = "0"


@dataclasses.dataclass
class SandboxConfig:
    """How game processes are confined (one per host process)."""
    bwrap: str | None = None
    memory_bytes: int = 1024 * 1024 * 1024
    open_files: int = 256
    file_bytes: int = 64 * 1024 * 1024
    processes: int = 64
    slirp: str | None = None
    cgroup_root: str | None = None

    @property
    def enabled(self):
        return self.bwrap is not None

    @classmethod
    def detect(cls, use_bwrap=True, **limits):
        """The sandbox this machine offers (bubblewrap, slirp4netns, a pids cgroup)."""
        bwrap = shutil.which("bwrap") if use_bwrap else None
        return cls(bwrap=bwrap, slirp=shutil.which("slirp4netns"),
                   cgroup_root=writable_cgroup_root(), **limits)

    def describe(self):
        """One line for the dashboard and ``make run``."""
        if not self.enabled:
            return ("Sandbox OFF: bubblewrap (/usr/bin/bwrap) is not installed; game code "
                    "runs in separate processes with limits but can read this machine's "
                    "files and reach its network.")
        limits = "process limit by cgroup" if self.cgroup_root else "no process cgroup"
        return f"Sandbox on: bubblewrap, no network unless granted, {limits}."


@dataclasses.dataclass
class GameSettings:
    """What an admin configured for one game: environment, network, time per move."""
    env: dict = dataclasses.field(default_factory=dict)
    network: bool = False
    move_seconds: float = 10.0


def writable_cgroup_root():
    """A cgroup folder with a ``pids`` controller this process may create groups in."""
    for root in CGROUP_ROOTS:
        base = pathlib.Path(root)
        if not (base / "cgroup.procs").exists():
            continue
        if root == "/sys/fs/cgroup" and "pids" not in _read(base / "cgroup.controllers"):
            continue
        probe = base / f"szportal-probe-{os.getpid()}"
        try:
            probe.mkdir()
            probe.rmdir()
        except OSError:
            continue
        return root
    return None


def _read(path):
    try:
        return path.read_text()
    except OSError:
        return ""


def environment(settings):
    """The game process's whole environment: only what the admin set, and the basics."""
    env = {str(k): str(v) for k, v in (settings.env or {}).items()}
    seed = env.get("PYTHONHASHSEED") if env.get("PYTHONHASHSEED", "").isdigit() else HASH_SEED
    env.update(PYTHONHASHSEED=seed, PYTHONDONTWRITEBYTECODE="1", LANG="C.UTF-8",
               HOME="/scratch", PATH="/usr/bin:/bin")
    return env


def python_executable():
    """The virtual environment's Python, by its real path (the one bound in the sandbox)."""
    venv = pathlib.Path(sys.prefix).resolve()
    for name in ("python3", "python"):
        candidate = venv / "bin" / name
        if candidate.exists():
            return str(candidate)
    return sys.executable


def python_command(fd, hash_seed=HASH_SEED):
    # -s: no user site; -P: no script folder or cwd on sys.path (cwd is writable).
    return [python_executable(), "-s", "-P", "-m", "engine.gameproc", "--fd", str(fd)]


def network_granted(config, settings):
    """True when the game's admin granted network access and this machine can give it
    without the host's loopback (bubblewrap and slirp4netns)."""
    return bool(settings.network and config.enabled and config.slirp)


def bwrap_command(config, settings, game_dir, scratch_dir, fd, info_fd=None,
                  resolv_conf=None):
    """The bubblewrap command line of one game process."""
    args = [config.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--uid", "65534", "--gid", "65534", "--tmpfs", "/tmp"]
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    if network_granted(config, settings):      # slirp4netns joins the network namespace
        args += [x for path in NETWORK_FILES if os.path.exists(path)
                 for x in ("--ro-bind", path, path)]
        if resolv_conf:
            args += ["--ro-bind", str(resolv_conf), "/etc/resolv.conf"]
    binds = {pathlib.Path(sys.base_prefix).resolve(), pathlib.Path(sys.prefix).resolve(),
             ENGINE_DIR}
    for path in sorted(binds):
        args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", str(game_dir), "/game", "--bind", str(scratch_dir), "/scratch",
             "--proc", "/proc", "--dev", "/dev", "--chdir", "/scratch", "--clearenv"]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    for key, value in environment(settings).items():
        args += ["--setenv", key, value]
    args += ["--setenv", "PYTHONPATH", str(ENGINE_DIR.parent)]
    return args + python_command(fd)


def start_network(config, child_pid):
    """slirp4netns for the network namespace of a sandbox's process: the internet, not
    the host.  Returns its Popen (stop it with the game process)."""
    import subprocess
    netns = f"/proc/{child_pid}/ns/net"
    as_root = os.geteuid() == 0
    args = [config.slirp, "--mtu=65520", "--disable-host-loopback", "--netns-type=path"]
    if not as_root:     # rootless: slirp4netns joins the sandbox's user namespace itself
        args += ["--configure", f"--userns-path=/proc/{child_pid}/ns/user"]
    proc = subprocess.Popen(args + [netns, "tap0"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if as_root:         # root configures the interface itself (slirp's own would fail)
        import time
        script = (f"ip link set lo up; ip link set tap0 up && ip addr add {SLIRP_ADDRESS} "
                  f"dev tap0 && ip route add default via {SLIRP_GATEWAY}")
        for _ in range(50):
            done = subprocess.run(["nsenter", f"--net={netns}", "sh", "-c", script],
                                  capture_output=True)
            if done.returncode == 0:
                break
            time.sleep(0.05)
    return proc


def unsandboxed_env(settings):
    env = environment(settings)
    env["HOME"] = "/tmp"
    env["PYTHONPATH"] = str(ENGINE_DIR.parent)
    return env


def limit_resources(config, as_root):
    """preexec_fn: rlimits of the game process (inherited through bwrap's exec)."""
    def apply():
        for kind, value in ((resource.RLIMIT_AS, config.memory_bytes),
                            (resource.RLIMIT_NOFILE, config.open_files),
                            (resource.RLIMIT_FSIZE, config.file_bytes),
                            (resource.RLIMIT_CORE, 0)):
            try:
                resource.setrlimit(kind, (value, value))
            except (ValueError, OSError):
                pass
        if not as_root:      # root ignores it (the cgroup limits root's game processes)
            try:
                resource.setrlimit(resource.RLIMIT_NPROC, (config.processes * 4,) * 2)
            except (ValueError, OSError):
                pass
    return apply


class ProcessGroup:
    """A pids cgroup holding one game process and everything it starts."""

    def __init__(self, config, name):
        self.path = None
        if config.cgroup_root:
            path = pathlib.Path(config.cgroup_root) / f"szportal-{os.getpid()}" / name
            try:
                path.mkdir(parents=True, exist_ok=True)
                (path / "pids.max").write_text(str(config.processes))
                self.path = path
            except OSError:
                self.path = None

    @classmethod
    def at(cls, path):
        """The group at an existing cgroup folder (a leftover, to be removed)."""
        group = cls.__new__(cls)
        group.path = pathlib.Path(path)
        return group

    def add(self, pid):
        if self.path is not None:
            try:
                (self.path / "cgroup.procs").write_text(str(pid))
            except OSError:
                pass

    def pids(self):
        if self.path is None:
            return []
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def kill(self):
        """SIGKILL everything still in the group (a detached child included)."""
        import signal
        for _ in range(3):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def remove(self):
        if self.path is not None:
            self.kill()
            for _ in range(50):
                try:
                    self.path.rmdir()
                    break
                except OSError:
                    import time
                    time.sleep(0.02)
            try:
                self.path.parent.rmdir()
            except OSError:
                pass
