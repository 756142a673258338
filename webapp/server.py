"""The web server's worker: gunicorn's threaded worker with a deadline on request heads.

Every WebSocket holds a thread for as long as it is open (flask-sock), so the
server runs many threads (``szportal serve``: SERVER_THREADS, default 1024), and
sockets are limited per participant and per address in the app.  A connection
that has not sent its whole request head within HEADER_SECONDS is closed, so a
slow or idle client never keeps a thread: gunicorn itself waits for a first
byte but then reads the head with no deadline.
"""
import os
import socket
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

HEADER_SECONDS = float(os.environ.get("HEADER_SECONDS", "10"))


class Worker(ThreadWorker):
    """ThreadWorker whose connections must send their request head in time."""

    def init_process(self):
        self._heads = {}
        self._heads_lock = threading.Lock()
        threading.Thread(target=self._reap, daemon=True, name="head-deadline").start()
        super().init_process()

    def handle_exit(self, sig, frame):
        """SIGTERM (from the arbiter): stop accepting, and close the WebSockets, which
        would otherwise hold the graceful stop until gunicorn SIGKILLs the worker."""
        super().handle_exit(sig, frame)
        threading.Thread(target=self._close_sockets, daemon=True, name="closing").start()

    def _close_sockets(self):
        live = getattr(self.wsgi, "extensions", {}).get("live")
        if live is not None:
            live.stopping()
            live.close_sockets()

    def run(self):
        super().run()
        self._stop_app()

    def _stop_app(self):
        """After the last request: the live runtime (leases, owner locks, game processes)
        and the row writer, in that order, then the worker exits."""
        extensions = getattr(self.wsgi, "extensions", {})
        try:
            if extensions.get("live") is not None:
                extensions["live"].close()
            if extensions.get("rows") is not None:
                extensions["rows"].close(timeout=2)
        except Exception as exc:
            self.log.warning("stopping the portal's threads: %s", exc)

    def handle(self, conn):
        with self._heads_lock:
            self._heads[conn] = time.monotonic() + HEADER_SECONDS
        try:
            return super().handle(conn)
        finally:
            with self._heads_lock:
                self._heads.pop(conn, None)

    def handle_request(self, req, conn):
        with self._heads_lock:          # the head is in: the app has the request now
            self._heads.pop(conn, None)
        return super().handle_request(req, conn)

    def _reap(self):
        while True:
            time.sleep(1.0)
            now = time.monotonic()
            with self._heads_lock:
                late = [conn for conn, deadline in self._heads.items() if deadline < now]
                for conn in late:
                    del self._heads[conn]
            for conn in late:
                try:
                    conn.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def gunicorn_command(python, host, port, workers=1, threads=None):
    """The command line of the web server (``szportal serve`` and ``run``)."""
    threads = threads or int(os.environ.get("SERVER_THREADS", "1024"))
    return [python, "-m", "gunicorn", "-k", "webapp.server.Worker", "--threads", str(threads),
            "--worker-connections", str(threads * 4), "-w", str(workers),
            "-b", f"{host}:{port}", "--timeout", "120", "--graceful-timeout", "5",
            "--keep-alive", "5", "webapp.wsgi:app"]
