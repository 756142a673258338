"""The one thread that writes the live path's rows.

Socket threads, bots and timers never write rows themselves: they hand the
write to this thread and go on (a play-through's start and end, step counts,
presence, job rows).  The canonical log is the record of truth and is written
first; the rows follow it a few milliseconds later.  The writer holds a
database connection while it works and takes no live lock, so it can never be
part of a lock-order deadlock; a caller that needs a write done (a page that
redirects to what it just started) waits for its future holding neither a
live lock nor a connection.
"""
import concurrent.futures
import logging
import os
import queue
import threading
import time

from .locks import connections_held, live_locks_held, violation

log = logging.getLogger(__name__)
_STOP = object()


class RowWriter:
    """A queue of row writes run in order by one thread of this process."""

    BATCH = 200
    RETRIES = 3
    STEPS_DELAY = 0.2           # step counts of many moves are written together

    def __init__(self, app):
        self.app = app
        self._queue = queue.SimpleQueue()
        self._steps = {}                # play-through id -> latest step count
        self._steps_lock = threading.Lock()
        self._steps_due = False         # a wake-up for the step counts is queued
        self._thread = None
        self._pid = None
        self._start_lock = threading.Lock()
        self.last_done = time.monotonic()
        self.closed = False

    def submit(self, fn, *args, **kwargs):
        """Run ``fn(*args, **kwargs)`` in the writer (app context, then commit); a Future."""
        future = concurrent.futures.Future()
        if self.closed:
            future.set_exception(RuntimeError("the row writer is closed"))
            return future
        self._ensure_started()
        self._queue.put((fn, args, kwargs, future))
        return future

    def note_steps(self, playthrough_id, steps, tip=None):
        """Remember a play-through's step count (and its log's tip: the last line's seq
        and hash); written with the next batch."""
        with self._steps_lock:
            self._steps[playthrough_id] = (steps, tip)
            if self._steps_due:
                return
            self._steps_due = True
        self.submit(_steps_wake)

    def forget_steps(self, playthrough_id):
        with self._steps_lock:
            self._steps.pop(playthrough_id, None)

    def wait(self, future, timeout=30):
        """Wait for a submitted write; the caller must hold no live lock or connection."""
        if live_locks_held() or connections_held():
            violation("waited for the row writer while holding a live lock or a connection")
        return future.result(timeout)

    def flush(self, timeout=30):
        """Wait until everything submitted so far is written."""
        return self.wait(self.submit(_noop), timeout)

    def pending(self):
        return self._queue.qsize()

    def close(self, timeout=10):
        if self._thread is not None and self._pid == os.getpid() and not self.closed:
            self._queue.put(_STOP)
            self._thread.join(timeout)
        self.closed = True

    def _ensure_started(self):
        # gunicorn forks after the app is built: the thread runs in the process using it.
        if self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._start_lock:
            if self._pid == os.getpid() and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, daemon=True, name="row-writer")
            self._thread.start()

    def _take_batch(self):
        first = self._queue.get()
        batch = [first]
        while first is not _STOP and len(batch) < self.BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            batch.append(item)
            if item is _STOP:
                break
        return batch

    def _run(self):
        while True:
            batch = self._take_batch()
            if all(item is not _STOP and item[0] is _steps_wake for item in batch):
                self._gather_steps(batch)
            stop = batch[-1] is _STOP
            with self.app.app_context():
                from .extensions import db
                try:
                    for item in batch:
                        if item is not _STOP:
                            self._run_one(db, *item)
                    self._write_steps(db)
                finally:
                    db.session.remove()
            self.last_done = time.monotonic()
            if stop:
                return

    def _gather_steps(self, batch):
        """Only step counts so far: let more moves' counts gather for STEPS_DELAY, but
        go at once when any other write comes (a play-through's end, a job's row)."""
        deadline = time.monotonic() + self.STEPS_DELAY
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self._queue.get(timeout=left)
            except queue.Empty:
                return
            batch.append(item)
            if item is _STOP or item[0] is not _steps_wake:
                return

    def _run_one(self, db, fn, args, kwargs, future):
        for attempt in range(self.RETRIES):
            try:
                result = fn(*args, **kwargs)
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                if attempt + 1 < self.RETRIES and _transient(exc):
                    time.sleep(0.05 * (attempt + 1))
                    continue
                log.exception("row write %s failed", getattr(fn, "__name__", fn))
                future.set_exception(exc)
                return
            future.set_result(result)
            return

    def _write_steps(self, db):
        with self._steps_lock:
            steps, self._steps = self._steps, {}
            self._steps_due = False
        if not steps:
            return
        from sqlalchemy import bindparam, update

        from .models import PlayThroughRecord
        table = PlayThroughRecord.__table__
        # One statement run for every row at once (executemany), with a tip or without.
        with_tip = [{"pid": p, "k": k, "seq": tip[0], "hash": tip[1]}
                    for p, (k, tip) in steps.items() if tip is not None]
        without = [{"pid": p, "k": k} for p, (k, tip) in steps.items() if tip is None]
        where = (table.c.id == bindparam("pid"), table.c.status != "ended")
        try:
            if with_tip:
                db.session.execute(update(table).where(*where).values(
                    steps=bindparam("k"), tip_seq=bindparam("seq"),
                    tip_hash=bindparam("hash")), with_tip)
            if without:
                db.session.execute(update(table).where(*where).values(steps=bindparam("k")),
                                   without)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.warning("could not write step counts of %s", sorted(steps), exc_info=True)


def _noop():
    return None


def _steps_wake():
    return None


def _transient(exc):
    """A write worth trying again (the database was busy or the connection dropped)."""
    from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
    # IntegrityError: an upsert met a row another process inserted a moment before.
    return isinstance(exc, (OperationalError, IntegrityError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)
