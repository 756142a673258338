"""The real portal in child processes (gunicorn web server, RQ worker), for fault tests."""
import os
import signal
import socket
import subprocess
import sys
import time

import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portal_env(folder, redis_url, database_url=None, **extra):
    """The environment of a portal process; its database is ``database_url`` (an
    ``empty_database_url`` follows the run's --database) or a SQLite file in ``folder``."""
    env = dict(os.environ, DATABASE_URL=database_url or f"sqlite:///{folder}/portal.db",
               DATA_DIR=f"{folder}/data", INSTANCE_PATH=f"{folder}/instance",
               SECRET_KEY="fault-test-secret", REDIS_URL=redis_url, BOT_DELAY_SECONDS="0",
               CHECKPOINT_EVERY="2", PYTHONPATH=REPO)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def cli(env, *args):
    subprocess.run([sys.executable, "-c", "from webapp.cli import main; main()", *args],
                   env=env, cwd=REPO, check=True, capture_output=True, timeout=120)


def descendants(pid):
    """Pids of all descendants of ``pid`` (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


class Child:
    """A child process in its own process group (so SIGKILL takes its children too)."""

    def __init__(self, args, env, log_path):
        self.args, self.env, self.log_path = args, env, log_path
        self.proc = None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=REPO, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self):
        """SIGKILL the process and every descendant (RQ's work horse runs in a
        session of its own): no clean-up of any kind."""
        if self.proc is not None:
            for pid in [self.proc.pid] + descendants(self.proc.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self):
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
            self.proc = None


class WebServer(Child):
    def __init__(self, env, folder, port=None, workers=1):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__([sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "16",
                          "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
                          "webapp.wsgi:app"],
                         env, f"{folder}/web.log")

    def start(self, timeout=30):
        super().start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("the web server did not start: " + open(self.log_path).read()[-2000:])


class Worker(Child):
    def __init__(self, env, folder, burst=False):
        args = [sys.executable, "-m", "workers.cli", "worker"] + (["--burst"] if burst else [])
        super().__init__(args, env, f"{folder}/worker.log")
