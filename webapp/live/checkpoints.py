"""Log ``checkpoint_written`` when a checkpoint job of a live play-through finishes
(a thread polls the jobs of the sessions that have some pending)."""
import logging
import os
import threading
import time

log = logging.getLogger(__name__)


class CheckpointWatcher:
    """One thread per process watching pending checkpoint jobs."""

    def __init__(self, app):
        self.app = app
        self._watched = set()
        self._lock = threading.Lock()
        self._thread = None

    def watch(self, live):
        with self._lock:
            self._watched.add(live.session_key)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="checkpoint-watcher")
                self._thread.start()

    def join(self, timeout):
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self):
        runtime = self.app.extensions["live"]
        while not runtime.closed:
            time.sleep(0.5)
            with self._lock:
                keys = set(self._watched)
            if not keys:
                return
            for key in keys:
                live = runtime.live(key)
                if live is None or not live.pending_checkpoints:
                    with self._lock:
                        self._watched.discard(key)
                    continue
                try:
                    with self.app.app_context():
                        record_finished_checkpoints(live)
                except Exception:
                    log.warning("checkpoint watcher: Redis or the log is unavailable")


def record_finished_checkpoints(live):
    """Log ``checkpoint_written`` for every finished checkpoint job of ``live``."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from ..jobs.queue import connection
    for job_id in list(live.pending_checkpoints):
        try:
            job = Job.fetch(job_id, connection=connection())
        except NoSuchJobError:
            live.pending_checkpoints.discard(job_id)
            continue
        status = job.get_status()
        if status == "finished":
            result = job.return_value() or {}
            with live.pt.lock:
                if live.pt.log is not None and not live.pt.ended:
                    live.pt.record("checkpoint_written", k=result.get("k"),
                                   state_hash=result.get("state_hash"),
                                   log_seq=result.get("seq"),
                                   file=os.path.basename(result.get("result_path") or ""))
            live.pending_checkpoints.discard(job_id)
        elif status in ("failed", "canceled", "stopped"):
            live.pending_checkpoints.discard(job_id)
