"""`szportal run` (what `make run` does): everything starts, serves, and stops on Ctrl+C."""
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.support.server import REPO, descendants, free_port

pytestmark = pytest.mark.slow


def test_run_starts_redis_worker_and_web_then_stops_them_all(tmp_path, empty_database_url):
    port = free_port()
    env = dict(os.environ, PORT=str(port), INSTANCE_PATH=str(tmp_path / "instance"),
               DATABASE_URL=empty_database_url, DATA_DIR=str(tmp_path / "data"),
               PYTHONPATH=REPO)
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "run"],
                            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/games", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            raise AssertionError("the portal never answered")
        children = descendants(proc.pid)
        names = " ".join(open(f"/proc/{pid}/cmdline").read() for pid in children
                         if os.path.exists(f"/proc/{pid}/cmdline"))
        assert "redis-server" in names and "gunicorn" in names and "workers.cli" in names
        assert "Tic-Tac-Toe" in requests.get(f"http://127.0.0.1:{port}/games").text
        # Ctrl+C in a terminal: SIGINT to the whole process group at once
        began = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
        took = time.monotonic() - began
        assert f"http://127.0.0.1:{port}/" in output and "instructor-demo" in output
        assert took < 5, f"stopping took {took:.1f} s:\n{output[-3000:]}"
        assert "Traceback" not in output and "SIGKILL" not in output, output[-3000:]
        stops = [output.find(f"Stopped {what}") for what in
                 ("the web server", "the game processes", "the worker", "the scheduler",
                  "Redis")]
        assert -1 not in stops and stops == sorted(stops), output[-3000:]
        assert "Everything stopped in" in output
        time.sleep(1)
        assert not [pid for pid in children if os.path.exists(f"/proc/{pid}")
                    and "Z" not in open(f"/proc/{pid}/stat").read().split()[2]]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
