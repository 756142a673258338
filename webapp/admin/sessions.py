"""Session lists: every session for admins, "My sessions" for instructors; terminating one."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.access import observer_participant
from ..auth.identity import current_participant
from ..extensions import db
from ..live import hub
from ..models import Session, utcnow
from ..sessions import services as session_services
from . import bp, my_bp, overview
from .guards import admin_required, starter_required


@my_bp.route("/sessions")
@starter_required
def my_sessions():
    """The sessions this instructor started, with links, codes and controls."""
    return render_template("instructor/sessions.html", rows=overview.sessions_of(current_user),
                           everyone=False)


@bp.route("/sessions")
@admin_required()
def all_sessions():
    """Every session, newest first, with the same controls as "My sessions"."""
    return render_template("instructor/sessions.html", rows=overview.sessions_of(),
                           everyone=True)


def terminate_session(game_session):
    """End a session for everyone (its running play-through ends as abandoned)."""
    try:
        if not (game_session.status == "ended" and game_session.closed_at is None):
            session_services.end_session(game_session, current_user.display_name,
                                         reason="terminated")
        game_session.closed_at = utcnow()
        db.session.commit()
    except session_services.LobbyError as exc:
        db.session.rollback()
        return str(exc)
    hub.push_session(game_session.key)
    return None


@bp.route("/sessions/<key>/terminate", methods=["POST"])
@admin_required()
def terminate(key):
    """Terminate a session from the dashboard."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    error = terminate_session(game_session)
    flash(error or f"The session of {game_session.game.name} ({game_session.join_code}) "
          "was terminated.", "error" if error else "info")
    target = request.form.get("back")
    return redirect(url_for("admin.all_sessions") if target == "sessions"
                    else url_for("admin.dashboard"))


@bp.route("/sessions/<key>/observe")
@admin_required()
def observe(key):
    """Watch any session's live game without a seat (an unseated participant row)."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    if current_participant(game_session) is None:
        observer_participant(game_session, current_user)
    return redirect(url_for("play.game", key=key))
