"""A watchdog of the live path: when moves wait and nothing has moved for a while,
every thread's stack is logged once (what froze, and where), until progress resumes."""
import itertools
import logging
import os
import sys
import threading
import time
import traceback

log = logging.getLogger(__name__)


class Watchdog:
    """Counts moves in flight; a thread checks every second whether they progress."""

    def __init__(self, app):
        self.app = app
        self.seconds = float(app.config.get("WATCHDOG_SECONDS", 30))
        self._inflight = {}
        self._ids = itertools.count()
        self.last_progress = time.monotonic()
        self.dumps = 0
        self._dumped = False
        self._pid = None
        self._stopped = threading.Event()

    def begin(self):
        """A move starts; returns its token for ``end``."""
        self._ensure_started()
        token = next(self._ids)
        self._inflight[token] = time.monotonic()
        return token

    def end(self, token):
        self._inflight.pop(token, None)
        self.last_progress = time.monotonic()

    def stop(self):
        self._stopped.set()

    def _ensure_started(self):
        if self._pid == os.getpid() or self.seconds <= 0:
            return
        self._pid = os.getpid()
        threading.Thread(target=self._run, daemon=True, name="live-watchdog").start()

    def stalled(self, now=None):
        """What has been waiting longer than the limit with no progress, or None."""
        now = time.monotonic() if now is None else now
        if now - self.last_progress < self.seconds:
            return None
        oldest = min(self._inflight.values(), default=None)
        if oldest is not None and now - oldest >= self.seconds:
            return f"{len(self._inflight)} move(s) waiting, the oldest for {now - oldest:.0f} s"
        rows = self.app.extensions.get("rows")
        if rows is not None and rows.pending() and now - rows.last_done >= self.seconds:
            return f"{rows.pending()} row write(s) waiting for {now - rows.last_done:.0f} s"
        return None

    def _run(self):
        while not self._stopped.wait(1.0):
            why = self.stalled()
            if why is None:
                self._dumped = False
            elif not self._dumped:
                self._dumped = True
                self.dumps += 1
                log.error("the live path has made no progress for %.0f s (%s); every "
                          "thread's stack follows\n%s", self.seconds, why, all_stacks())


def all_stacks():
    names = {t.ident: t.name for t in threading.enumerate()}
    out = []
    for ident, frame in sys._current_frames().items():
        out.append(f"--- thread {names.get(ident, '?')} ({ident})\n"
                   + "".join(traceback.format_stack(frame)))
    return "\n".join(out)
