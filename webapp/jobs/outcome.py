"""What a finished job's page shows: where it came from, and what came of it."""
from flask import url_for

from ..extensions import db
from ..models import PlayThroughRecord, Session


PLACES = (("/my/sessions", "Back to My sessions"), ("/admin/sessions", "Back to all sessions"),
          ("/admin/jobs", "Back to the job monitor"), ("/research/s/", "Back to the session"),
          ("/research/playthroughs/", "Back to the play-through"),
          ("/research", "Back to the research pages"), ("/admin", "Back to the admin pages"))


def back_link(record):
    """(url, label) of the page the job was asked from."""
    back = (record.params or {}).get("back")
    if record.kind == "import":
        return back or url_for("admin.accounts"), "Back to the accounts"
    if back:
        return back, next((label for prefix, label in PLACES if back.startswith(prefix)),
                          "Back to where you started it")
    if record.session_id:
        game_session = db.session.get(Session, record.session_id)
        if game_session is not None:
            return url_for("research.session_detail", key=game_session.key), "Back to the session"
    return url_for("main.index"), "Back to the portal"


def validated_rows(record):
    """The play-throughs a validation job checked (their stored verdicts)."""
    if record.playthrough_id:
        row = db.session.get(PlayThroughRecord, record.playthrough_id)
        return [row] if row is not None else []
    if record.session_id:
        return (PlayThroughRecord.query.filter_by(session_id=record.session_id)
                .order_by(PlayThroughRecord.number).all())
    return []


def outcome(record):
    """Template values for the result part of a job's page."""
    if record.kind == "validation" and record.status == "finished":
        return {"validated": validated_rows(record), "summary": record.result or {}}
    if record.kind == "import" and record.status == "finished":
        from ..accounts.imports import created_rows
        return {"created": created_rows(record)}
    return {}
