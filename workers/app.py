"""One Flask app per worker process, and the job wrapper that runs in it."""
import functools
import logging

from rq import get_current_job

log = logging.getLogger(__name__)
_app = None


def get_app():
    global _app
    if _app is None:
        from webapp import create_app
        _app = create_app()
    return _app


def set_app(app):
    """Use ``app`` for jobs run in this process (tests, the CLI)."""
    global _app
    _app = app


def job(kind):
    """Run the function in the app context and keep its JobRecord row in step."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            app = get_app()
            with app.app_context():
                from webapp.extensions import db
                current = get_current_job()
                tracker = Progress(current.id if current else None, current)
                tracker.update(status="started", progress=0, attempt=True,
                               message="Working…")
                try:
                    result = fn(*args, progress=tracker, **kwargs)
                except Exception as exc:
                    db.session.rollback()
                    tracker.update(status="failed", message=f"{type(exc).__name__}: {exc}",
                                   error=repr(exc))
                    raise
                made = result if isinstance(result, dict) else {}
                tracker.update(status="finished", progress=100,
                               message=made.get("message") or "Done.",
                               result_path=made.get("result_path"),
                               result_name=made.get("result_name"),
                               result={k: v for k, v in made.items()
                                       if k not in ("result_path", "result_name")} or None)
                return result
        run.kind = kind
        return run
    return wrap


class Progress:
    """Writes a job's progress to its row (and to the RQ job's meta)."""

    def __init__(self, job_id, rq_job=None):
        self.job_id = job_id
        self.rq_job = rq_job

    def update(self, **fields):
        """Write the given fields to the job's row (made if missing; once more if the
        web process made it at the same moment)."""
        from sqlalchemy.exc import IntegrityError

        from webapp.extensions import db
        try:
            self._update(**fields)
        except IntegrityError:
            db.session.rollback()
            self._update(**fields)

    def _update(self, status=None, progress=None, message=None, error=None, attempt=False,
                result_path=None, result_name=None, result=None):
        if self.job_id is None:
            return
        from webapp.extensions import db
        from webapp.jobs.models import JobRecord, clip_message
        from webapp.models import utcnow
        record = db.session.get(JobRecord, self.job_id)
        if record is None and self.rq_job is not None:
            # The live path writes job rows behind the queue: a fast worker may get
            # here first.  The row is made from the job (the web's write then merges).
            record = JobRecord(id=self.job_id, func=self.rq_job.func_name,
                               kind=(self.rq_job.meta or {}).get("kind", "checkpoint"))
            db.session.add(record)
        if record is None:
            return
        for key, value in (("status", status), ("progress", progress),
                           ("message", message and clip_message(message)),
                           ("error", error), ("result_path", result_path),
                           ("result_name", result_name), ("result", result)):
            if value is not None:
                setattr(record, key, value)
        if attempt:
            record.attempts += 1
        if status in ("finished", "failed"):
            record.finished_at = utcnow()
        db.session.commit()

    def __call__(self, done, total, message=None):
        self.update(progress=int(100 * done / max(total, 1)) if total else 0,
                    message=message or f"{done} of {total}")
