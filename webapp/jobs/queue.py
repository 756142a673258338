"""Enqueue jobs on RQ by dotted name (webapp never imports workers).

Every job has a deterministic id (the same export asked twice while the first
is still running is the same job), a timeout, retries with back-off and a
failure TTL.  When Redis is not reachable, ``JobsUnavailable`` says so.
"""
import concurrent.futures
import logging

import redis
from flask import current_app
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job

from ..extensions import db
from .models import JobRecord

log = logging.getLogger(__name__)
# queue: (timeout seconds, retries, back-off seconds before each retry).  The
# first retry is immediate: the usual cause is a worker that died, and a
# scheduled retry would wait for the dead worker's scheduler lock to lapse.
QUEUES = {
    "checkpoints": (120, 3, [0, 10, 30]),
    "exports": (1800, 3, [0, 30, 120]),
    "validation": (1800, 2, [0, 60]),
    "accounts": (1800, 2, [0, 30]),
}
FAILURE_TTL = 7 * 24 * 3600
RESULT_TTL = 24 * 3600


class JobsUnavailable(Exception):
    """Background jobs cannot be queued now (Redis is not reachable)."""


def connection():
    """The app's Redis connection (one client per app, created on first use)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise JobsUnavailable("background jobs are not configured (REDIS_URL is not set)")
    client = current_app.extensions.get("redis")
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2,
                                      health_check_interval=15)
        current_app.extensions["redis"] = client
    return client


def redis_status():
    """(ok, message) for pages that report whether background jobs work."""
    try:
        connection().ping()
        return True, "Background jobs are running."
    except JobsUnavailable as exc:
        return False, str(exc).capitalize() + "."
    except redis.RedisError as exc:
        return False, ("Background jobs are unavailable: Redis is not reachable "
                       f"({type(exc).__name__}). Games go on; checkpoints and exports "
                       "resume when it is back.")


def enqueue(kind, func, args, job_id, queue, **row):
    """Queue ``func`` (dotted name) unless a job with ``job_id`` is already pending
    (for pages; the live path uses ``enqueue_live``)."""
    record = db.session.get(JobRecord, job_id)
    if record is not None and not record.done:
        return record
    _redis_enqueue(kind, func, args, job_id, queue)
    record = job_row(job_id, kind, func, fresh=True, **row)
    db.session.commit()
    return record


def _redis_enqueue(kind, func, args, job_id, queue):
    timeout, retries, backoff = QUEUES[queue]
    try:
        Queue(queue, connection=connection()).enqueue(
            func, *args, job_id=job_id, job_timeout=timeout, failure_ttl=FAILURE_TTL,
            result_ttl=RESULT_TTL, retry=Retry(max=retries, interval=backoff),
            meta={"kind": kind})
    except redis.RedisError as exc:
        raise JobsUnavailable(f"Redis is not reachable ({type(exc).__name__})") from exc


def job_row(job_id, kind, func, fresh=False, **row):
    """The job's row, created if missing; ``fresh`` marks it queued again (a new run).
    A row a worker already moved on (started, finished) is not put back to queued."""
    record = db.session.get(JobRecord, job_id)
    if record is None:
        record = JobRecord(id=job_id, kind=kind, func=func)
        db.session.add(record)
        fresh = True
    if fresh:
        record.status, record.progress, record.error = "queued", 0, None
        record.message, record.finished_at = "Waiting for a worker…", None
    for key, value in row.items():
        setattr(record, key, value)
    return record


def enqueue_live(app, kind, func, args, job_id, queue, **row):
    """The live path's enqueue (from the background thread: Redis only here); the
    row is handed to the row writer.  Live job ids are unique per request."""
    _redis_enqueue(kind, func, args, job_id, queue)
    return app.extensions["rows"].submit(job_row, job_id, kind, func, **row)


def retry(record):
    """Queue a failed job again under the same id."""
    try:
        Job.fetch(record.id, connection=connection()).delete()
    except (NoSuchJobError, redis.RedisError):
        pass
    return enqueue(record.kind, record.func, record.params.get("args", []), record.id,
                   record.params.get("queue", "exports"))


_background = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                    thread_name_prefix="enqueue")


def in_background(fn, *args, app=None):
    """Run ``fn`` off the move path, in an app context (enqueueing is a Redis round
    trip; the move was already logged and pushed).  It writes no rows itself."""
    app = app or current_app._get_current_object()

    def run():
        with app.app_context():
            try:
                return fn(app, *args)
            except Exception:
                log.exception("background enqueue failed")
            finally:
                db.session.remove()
    return _background.submit(run)


def request_checkpoint(live, reason):
    """Ask a worker to write a checkpoint of ``live`` up to its current log line."""
    pt = live.pt
    if pt.log is None or pt.log.path is None:
        return None
    live.last_checkpoint_k = pt.k
    return in_background(_enqueue_checkpoint, live, pt.log.next_seq - 1, reason)


def _enqueue_checkpoint(app, live, upto, reason):
    job_id = f"checkpoint-{live.record_id}-{upto}"
    args = [live.record_id, upto]
    try:
        row = enqueue_live(app, "checkpoint", "workers.checkpoints.write_checkpoint", args,
                           job_id, "checkpoints", playthrough_id=live.record_id,
                           session_id=live.session_id,
                           params={"args": args, "queue": "checkpoints", "reason": reason})
    except JobsUnavailable as exc:
        log.warning("checkpoint of play-through %s not queued: %s", live.record_id, exc)
        return None
    live.pending_checkpoints.add(job_id)
    app.extensions["checkpoints"].watch(live)
    return row


def maybe_checkpoint(live):
    """Every CHECKPOINT_EVERY moves, and at the end, queue a checkpoint."""
    every = current_app.config.get("CHECKPOINT_EVERY", 20)
    pt = live.pt
    if pt.ended and not live.final_checkpoint:
        live.final_checkpoint = True
        return request_checkpoint(live, "end")
    if every and pt.k - live.last_checkpoint_k >= every:
        return request_checkpoint(live, "every")
    return None


def request_validation(record_id, session_id, steps, app=None):
    """Validate a play-through that has just ended (a job; skipped without Redis)."""
    return in_background(_enqueue_validation, record_id, session_id, steps, app=app)


def _enqueue_validation(app, record_id, session_id, steps):
    args = [record_id]
    try:
        return enqueue_live(app, "validation", "workers.validation.validate_playthrough",
                            args, f"validate-pt-{record_id}-{steps}", "validation",
                            playthrough_id=record_id, session_id=session_id,
                            params={"args": args, "queue": "validation"})
    except JobsUnavailable as exc:
        log.warning("validation of play-through %s not queued: %s", record_id, exc)
        return None


def notice_lost(record):
    """Mark a pending job failed when Redis no longer knows it (Redis restarted empty)."""
    if record.done:
        return
    try:
        Job.fetch(record.id, connection=connection())
    except NoSuchJobError:
        record.status = "failed"
        record.error = record.message = ("the job was lost (Redis restarted without it); "
                                         "retry it")
        db.session.commit()
    except (JobsUnavailable, redis.RedisError):
        pass
