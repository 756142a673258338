"""API endpoints: sessions, play-throughs, their logs and validation, my export jobs."""
from flask import abort, g, jsonify, request

from engine.log import read_events

from ..extensions import db
from ..models import PlayThroughRecord, Session
from ..research.queries import FilterError, page_of, parse_filters
from ..research.replays import validation_report
from . import bp, serialize
from .auth import error
from .openapi import document


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API (no token needed)."""
    return jsonify(document())


@bp.route("/signing-key")
def signing_key():
    """This portal's public key: its signatures on log footers, checkpoints and export
    manifests are valid under it (no token needed: a public key is public)."""
    from ..signing import signer
    return jsonify(signer().public())


@bp.route("/sessions")
def sessions():
    """Sessions, with the research panel's filters, sorting and pagination."""
    try:
        filters = parse_filters(request.args)
    except FilterError as exc:
        return error(400, "bad_filter", str(exc))
    items, total, pages = page_of(filters)
    return jsonify({"items": [serialize.session_summary(s) for s in items],
                    "page": filters["page"], "per_page": filters["per_page"],
                    "total": total, "pages": pages})


@bp.route("/sessions/<key>")
def session(key):
    """One session with its seats and play-throughs."""
    game_session = Session.query.filter_by(key=key).first()
    if game_session is None:
        abort(404, f"There is no session with key {key!r}.")
    return jsonify(serialize.session_detail(game_session))


def record_or_404(playthrough_id):
    record = db.session.get(PlayThroughRecord, playthrough_id)
    if record is None:
        abort(404, f"There is no play-through {playthrough_id}.")
    return record


@bp.route("/playthroughs/<pid:playthrough_id>")
def playthrough(playthrough_id):
    """One play-through's row."""
    return jsonify(serialize.playthrough(record_or_404(playthrough_id)))


@bp.route("/playthroughs/<pid:playthrough_id>/log")
def playthrough_log(playthrough_id):
    """The play-through's log as parsed events (trusting it; see /validation)."""
    record = record_or_404(playthrough_id)
    try:
        events = read_events(record.log_path)
    except OSError:
        abort(404, "The play-through's log file is missing.")
    except ValueError as exc:
        return error(409, "unreadable_log", f"The log is not valid JSON lines: {exc}")
    return jsonify({"playthrough_id": record.id, "events": events})


@bp.route("/playthroughs/<pid:playthrough_id>/validation")
def playthrough_validation(playthrough_id):
    """The validation report: the stored one, else a fresh strict replay."""
    record = record_or_404(playthrough_id)
    report, source = validation_report(record)
    return jsonify({"playthrough_id": record.id, "source": source, "report": report})


def job_model():
    try:
        from ..jobs.models import JobRecord
    except ImportError:
        return None
    return JobRecord


@bp.route("/exports")
def exports():
    """The caller's export jobs, newest first."""
    model = job_model()
    if model is None:
        return jsonify({"available": False, "items": []})
    jobs = (model.query.filter_by(user_id=g.api_user.id)
            .order_by(model.created_at.desc()).limit(200).all())
    return jsonify({"available": True, "items": [serialize.export_job(j) for j in jobs]})
