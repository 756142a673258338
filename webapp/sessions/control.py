"""The owner's controls of a running session: pause, resume, end."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..models import Session
from . import bp
from .services import LobbyError, end_session, pause_session, resume_session


def _owned(key):
    game_session = Session.query.filter_by(key=key).first_or_404()
    if not (current_user.id == game_session.owner_id or current_user.is_admin):
        abort(403)
    return game_session


def _after(game_session):
    from ..live.hub import push_session
    push_session(game_session.key)
    return redirect(request.referrer or url_for("play.game", key=game_session.key))


@bp.post("/<key>/pause")
@login_required
def pause(key):
    """Pause the session (the owner); a checkpoint is written."""
    game_session = _owned(key)
    try:
        pause_session(game_session, current_user.display_name)
        flash("The session is paused; players see it and cannot move.", "success")
    except LobbyError as exc:
        flash(str(exc), "error")
    return _after(game_session)


@bp.post("/<key>/resume")
@login_required
def resume(key):
    """Resume a paused session (the owner)."""
    game_session = _owned(key)
    try:
        resume_session(game_session, current_user.display_name)
        flash("The session goes on.", "success")
    except LobbyError as exc:
        flash(str(exc), "error")
    return _after(game_session)


@bp.post("/<key>/end")
@login_required
def end(key):
    """End the session (the owner or an admin)."""
    game_session = _owned(key)
    try:
        end_session(game_session, current_user.display_name)
        flash("The session has ended.", "success")
    except LobbyError as exc:
        flash(str(exc), "error")
    return _after(game_session)
