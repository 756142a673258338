"""Run a throw-away PostgreSQL server for tests, using Debian's binaries in
``/usr/lib/postgresql/<version>/bin`` (the highest version installed).

Usage::

    with running_postgres() as server:
        server.create_database("t_1")
        url = server.url("t_1")          # "postgresql+psycopg://postgres@127.0.0.1:PORT/t_1"

The cluster lives in a fresh temporary folder with durability switched off
(no fsync, no synchronous commit, no full pages): a crash loses it, which a
test cluster may. Loopback TCP only, trust authentication, superuser
``postgres``. The folder is removed when the server stops.

``initdb`` refuses to run as root, so as root (CI) the cluster is created and
served by the ``postgres`` system user of Debian's package, in a folder it owns.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

from tests.support.redis_server import free_port

__all__ = ["MISSING", "postgres_bindir", "PostgresServer", "running_postgres"]

POSTGRES_ROOT = Path("/usr/lib/postgresql")
MISSING = (f"no {POSTGRES_ROOT}/*/bin/initdb; install Debian's postgresql package")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
PR_SET_PDEATHSIG = 1   # prctl(2)
LIBC = ctypes.CDLL(None, use_errno=True)   # loaded here: the forked child only calls it
# Speed over durability (see the module docstring).
SETTINGS = ("listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off",
            "full_page_writes=off")


def _version_key(folder: Path):
    return [int(part) if part.isdigit() else 0 for part in folder.name.split(".")]


def postgres_bindir() -> Path | None:
    """The bin folder of the highest PostgreSQL version installed, or None."""
    if not POSTGRES_ROOT.is_dir():
        return None
    found = [d for d in POSTGRES_ROOT.iterdir() if (d / "bin" / "initdb").is_file()]
    return max(found, key=_version_key) / "bin" if found else None


def _run_as() -> dict:
    """Popen arguments that drop root to the postgres system user (none otherwise)."""
    if os.geteuid() != 0:
        return {}
    return {"user": SYSTEM_USER, "group": pwd.getpwnam(SYSTEM_USER).pw_gid,
            "extra_groups": []}


def _stop_with_parent() -> None:
    """In the child before exec: a fast shutdown when the test process dies, even by
    SIGKILL (no server is left running).  Python switches the user first, and the
    kernel clears this setting on a switch, so it must come here."""
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGINT)


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, served on a free loopback port."""

    def __init__(self, bindir: Path | None = None):
        self.bindir = bindir or postgres_bindir()
        if self.bindir is None:
            raise FileNotFoundError(MISSING)
        self.folder = None
        self.port = None
        self.proc = None

    def url(self, dbname: str = "postgres") -> str:
        """The SQLAlchemy URL of database ``dbname`` on this server."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def start(self, timeout: float = 30.0, attempts: int = 3) -> "PostgresServer":
        """initdb a new cluster, then serve it; retries on another port (port race)."""
        self._init_cluster()
        for _ in range(attempts):
            self.port = free_port()
            self.proc = self._serve()
            if self._wait_ready(timeout):
                return self
            self._stop_process()
        log = self.log_tail()
        self.stop()
        raise RuntimeError(f"postgres did not start after {attempts} attempts:\n{log}")

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended) and remove its folder."""
        self._stop_process()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        with psycopg.connect(self.dsn(), autocommit=True) as connection:
            connection.execute(sql)

    def create_database(self, name: str, template: str = "template0") -> str:
        """Create database ``name`` as a copy of ``template``; returns its URL."""
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, ending any session still connected to it."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def dsn(self, dbname: str = "postgres") -> str:
        """The libpq connection string of database ``dbname`` (for psycopg)."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname}"

    def _init_cluster(self) -> None:
        # A folder of its own under the system temporary folder: as root, pytest's
        # tmp_path sits under a root-only folder the postgres user cannot enter.
        self.folder = Path(tempfile.mkdtemp(prefix="szportal-pg-"))
        for sub in ("data", "socket"):
            (self.folder / sub).mkdir()
        if os.geteuid() == 0:
            for path in (self.folder, self.folder / "data", self.folder / "socket"):
                shutil.chown(path, SYSTEM_USER, pwd.getpwnam(SYSTEM_USER).pw_gid)
        result = subprocess.run(
            [str(self.bindir / "initdb"), "-D", str(self.folder / "data"), "-U", SUPERUSER,
             "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
            cwd=self.folder, capture_output=True, text=True, timeout=120, **_run_as())
        if result.returncode != 0:
            self.stop()
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def _serve(self) -> subprocess.Popen:
        args = [str(self.bindir / "postgres"), "-D", str(self.folder / "data"),
                "-k", str(self.folder / "socket"), "-p", str(self.port)]
        for setting in SETTINGS:
            args += ["-c", setting]
        log = open(self.folder / "postgres.log", "ab")
        try:
            return subprocess.Popen(args, cwd=self.folder, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True, preexec_fn=_stop_with_parent,
                                    **_run_as())
        finally:
            log.close()

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                psycopg.connect(self.dsn(), connect_timeout=1).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False

    def _stop_process(self, timeout: float = 10.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)          # PostgreSQL's fast shutdown
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        self.proc = None

    def log_tail(self) -> str:
        """The end of the server's log (for a failed test's report)."""
        path = self.folder / "postgres.log" if self.folder else None
        return path.read_text(errors="replace")[-4000:] if path and path.exists() else ""


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a throw-away server, yield it, stop it and remove its folder on exit."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()
