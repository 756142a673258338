"""Export and validation buttons, job progress pages, downloads, the admin job monitor."""
import datetime
import os
import uuid
from urllib.parse import urlsplit

from flask import (abort, flash, redirect, render_template, request, send_file,
                   url_for)
from flask import session as cookie
from flask_login import current_user, login_required

from ..accounts.imports import forget_passwords
from ..extensions import db
from ..models import Game, PlayThroughRecord, Session
from . import bp
from .access import may_see_job, require_admin, require_study
from .models import JobRecord
from .outcome import back_link, outcome
from .queue import JobsUnavailable, enqueue, notice_lost, redis_status, retry

EXPORT_FUNCS = {"session": "workers.exports.build_session_zip",
                "zip": "workers.exports.build_playthrough_zip",
                "log": "workers.exports.copy_playthrough_log"}


def _flag(name):
    return request.form.get(name) in ("1", "on", "true", "yes")


def _queue_job(kind, func, args, job_id, queue, back, **row):
    back = same_site(back)
    try:
        record = enqueue(kind, func, args, job_id, queue, user_id=current_user.id,
                         params={"args": args, "queue": queue, "back": back}, **row)
    except JobsUnavailable as exc:
        flash(f"Cannot start the job now: {exc}. Try again when background jobs are back.",
              "error")
        return redirect(back)
    if kind == "export":        # its page starts the download once the file is ready
        cookie["auto_download"] = record.id
    return redirect(url_for("jobs.show", job_id=record.id))


def same_site(url):
    """The path (and query) of ``url`` if it is on this site, else the home page."""
    parts = urlsplit(url or "")
    if parts.netloc and parts.netloc != request.host:
        return url_for("main.index")
    path = parts.path or url_for("main.index")
    if not path.startswith("/") or path.startswith("//"):
        return url_for("main.index")
    return path + (f"?{parts.query}" if parts.query else "")


@bp.post("/s/<key>/export")
@login_required
def export_session(key):
    """Queue a session ZIP export."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    require_study(game_session)
    notes, anonymous = _flag("include_notes"), not _include_names()
    args = [game_session.id, current_user.id, notes, anonymous]
    job_id = f"export-session-{game_session.id}-u{current_user.id}-n{int(notes)}-" \
             f"p{int(anonymous)}-{len(game_session.playthroughs)}-{_stamp(game_session)}"
    return _queue_job("export", EXPORT_FUNCS["session"], args, job_id, "exports",
                      request.referrer or url_for("main.index"), session_id=game_session.id)


@bp.post("/playthroughs/<pid:record_id>/export")
@login_required
def export_playthrough(record_id):
    """Queue a play-through export: its raw log or a ZIP."""
    record = db.get_or_404(PlayThroughRecord, record_id)
    require_study(record.session)
    fmt = request.form.get("format", "zip")
    if fmt not in ("zip", "log"):
        abort(400, "format must be zip or log")
    notes = _flag("include_notes") and fmt == "zip"
    anonymous = not _include_names()
    args = [record.id, current_user.id, notes, anonymous]
    job_id = f"export-pt-{record.id}-{fmt}-u{current_user.id}-n{int(notes)}-" \
             f"p{int(anonymous)}-{record.steps}-{record.status}"
    return _queue_job("export", EXPORT_FUNCS[fmt], args, job_id, "exports",
                      request.referrer or url_for("main.index"),
                      session_id=record.session_id, playthrough_id=record.id)


def _include_names():
    """Exports carry no display names unless an admin asks for the name table."""
    return _flag("include_names") and current_user.is_admin


def _stamp(game_session):
    last = game_session.current_playthrough
    return f"{last.steps}-{last.status}" if last else "empty"


@bp.post("/admin/exports/bulk")
@login_required
def export_bulk():
    """Queue a bulk export: all sessions of a game and/or a date range (admins)."""
    require_admin()
    slug = request.form.get("game") or None
    since, until = request.form.get("since") or None, request.form.get("until") or None
    for value in (since, until):
        if value:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                flash(f"{value!r} is not a date (use YYYY-MM-DD).", "error")
                return redirect(url_for("jobs.monitor"))
    if slug and Game.query.filter_by(slug=slug).first() is None:
        flash(f"There is no game {slug!r}.", "error")
        return redirect(url_for("jobs.monitor"))
    args = [slug, since, until, current_user.id, not _include_names()]
    job_id = f"export-bulk-{slug or 'all'}-{since}-{until}-{uuid.uuid4().hex[:8]}"
    return _queue_job("export", "workers.exports.build_bulk_zip", args, job_id, "exports",
                      url_for("jobs.monitor"))


@bp.post("/s/<key>/validate")
@login_required
def validate_session(key):
    """Queue validation of every play-through of a session."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    require_study(game_session)
    args = [game_session.id]
    job_id = f"validate-session-{game_session.id}-{_stamp(game_session)}"
    return _queue_job("validation", "workers.validation.validate_session", args, job_id,
                      "validation", request.referrer or url_for("main.index"),
                      session_id=game_session.id)


@bp.get("/playthroughs/<pid:record_id>/validation")
@login_required
def validation_report(record_id):
    """The stored validation report of a play-through, with its first divergence."""
    record = db.get_or_404(PlayThroughRecord, record_id)
    require_study(record.session)
    from ..verdicts import rechecked
    return render_template("jobs/validation.html", record=record,
                           report=rechecked(record, record.validation_report))


def _visible_job(job_id):
    record = db.get_or_404(JobRecord, job_id)
    if not may_see_job(record):
        abort(403)
    if record.kind == "import" and record.user_id != current_user.id:
        abort(403)        # its page shows generated passwords: only to who asked
    return record


@bp.get("/jobs/<job_id>")
@login_required
def show(job_id):
    """A job's page: live progress bar, then its result: a download (started by itself
    after an export), a validation verdict, or the students an import created."""
    record = _visible_job(job_id)
    return render_template("jobs/show.html", job=record, back=back_link(record),
                           auto=auto_download(record), **outcome(record))


@bp.get("/jobs/<job_id>/progress")
@login_required
def progress(job_id):
    """The progress region alone (polled by the job page until the job is done)."""
    record = _visible_job(job_id)
    notice_lost(record)
    return render_template("jobs/partials/_progress.html", job=record,
                           auto=auto_download(record), **outcome(record))


def auto_download(record):
    """True once, when the export this browser asked for is first shown finished."""
    if record.kind != "export" or record.status != "finished" \
            or cookie.get("auto_download") != record.id:
        return False
    cookie.pop("auto_download")
    return True


@bp.get("/jobs/<job_id>/download")
@login_required
def download(job_id):
    """The file an export (or a students import) job made."""
    record = _visible_job(job_id)
    if record.status != "finished" or not record.result_path \
            or record.kind not in ("export", "import") or not os.path.isfile(record.result_path):
        abort(404)
    response = send_file(record.result_path, as_attachment=True,
                         download_name=record.result_name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/jobs/<job_id>/forget")
@login_required
def forget(job_id):
    """Delete the generated passwords a students import keeps for its admin."""
    record = _visible_job(job_id)
    if record.kind != "import":
        abort(404)
    forget_passwords(record)
    flash("The generated passwords are deleted.", "info")
    return redirect(url_for("jobs.show", job_id=record.id))


@bp.get("/admin/jobs")
@login_required
def monitor():
    """Recent and failed jobs, Redis status, bulk export and batch validation (admins)."""
    require_admin()
    recent = JobRecord.query.order_by(JobRecord.created_at.desc()).limit(50).all()
    failed = JobRecord.query.filter_by(status="failed").order_by(
        JobRecord.created_at.desc()).all()
    counts = dict(db.session.query(PlayThroughRecord.validation_status,
                                   db.func.count()).group_by(
                                       PlayThroughRecord.validation_status).all())
    classes = dict(db.session.query(PlayThroughRecord.validation_class, db.func.count())
                   .filter(PlayThroughRecord.validation_class.isnot(None))
                   .group_by(PlayThroughRecord.validation_class).all())
    ok, status = redis_status()
    return render_template("jobs/monitor.html", recent=recent, failed=failed, redis_ok=ok,
                           redis_message=status, counts=counts, classes=classes,
                           games=Game.query.order_by(Game.name).all())


@bp.post("/admin/jobs/<job_id>/retry")
@login_required
def retry_job(job_id):
    """Queue a failed job again."""
    require_admin()
    record = db.get_or_404(JobRecord, job_id)
    if record.status != "failed":
        flash("Only failed jobs can be retried.", "error")
        return redirect(url_for("jobs.monitor"))
    try:
        retry(record)
        flash(f"Job {record.id} queued again.", "success")
    except JobsUnavailable as exc:
        flash(f"Cannot retry now: {exc}.", "error")
    return redirect(url_for("jobs.monitor"))


@bp.post("/admin/validation/run")
@login_required
def validate_everything():
    """Queue validation of every stored play-through (a batch)."""
    require_admin()
    job_id = f"validate-all-{uuid.uuid4().hex[:8]}"
    return _queue_job("validation", "workers.validation.validate_all", [], job_id,
                      "validation", url_for("jobs.monitor"))
