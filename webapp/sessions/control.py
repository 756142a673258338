"""The owner's controls of a running session: pause, resume, end."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Session, row_id, utcnow
from . import bp
from .seats import LobbyError
from .services import end_session, pause_session, resume_session, seat_mid_game


def _control(key, service, done):
    """Run ``service`` on the session for its owner (or an admin), then push and go back."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    if not (current_user.id == game_session.owner_id or current_user.is_admin):
        abort(403)
    try:
        service(game_session, current_user.display_name)
        flash(done, "success")
    except LobbyError as exc:
        flash(str(exc), "error")
    from ..live.hub import push_session
    push_session(game_session.key)
    return redirect(request.referrer or url_for("play.game", key=game_session.key))


@bp.post("/<key>/pause")
@login_required
def pause(key):
    """Pause the session (the owner); a checkpoint is written."""
    return _control(key, pause_session, "The session is paused; players see it and cannot move.")


@bp.post("/<key>/resume")
@login_required
def resume(key):
    """Resume a paused session (the owner)."""
    return _control(key, resume_session, "The session goes on.")


def close_session(game_session, actor_name):
    """End the session for good: its running play-through ends as abandoned, or, between
    play-throughs, no rematch starts it again."""
    if not (game_session.status == "ended" and game_session.closed_at is None):
        end_session(game_session, actor_name)
    game_session.closed_at = utcnow()
    db.session.commit()


@bp.post("/<key>/end")
@login_required
def end(key):
    """End the session (the owner or an admin)."""
    return _control(key, close_session, "The session has ended.")


@bp.post("/<key>/end-damaged")
@login_required
def end_damaged_playthrough(key):
    """End a play-through whose log does not validate (the owner or an admin): its row
    ends as interrupted with the verdict that stopped it; the log stays as it is; the
    session may go on with a new play-through."""
    def service(game_session, actor_name):
        from ..live.playthroughs import damage_of
        if damage_of(game_session) is None:
            raise LobbyError("This play-through's log is not damaged; end it from the "
                             "game page.")
        end_session(game_session, actor_name)
    return _control(key, service, "The play-through has ended; its log is kept as it is.")


def role_number(value):
    """A role number from a form (a small whole number), or None."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and text.isascii() and len(text) < 6 else None


@bp.post("/<key>/seat-live")
@login_required
def seat_live(key):
    """Seat a watcher in a role while the game runs (the owner), replacing the role's
    players or sharing the role."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    if current_user.id != game_session.owner_id:
        abort(403)
    number = row_id(request.form.get("participant_id"))
    role = role_number(request.form.get("role"))
    error = None
    if number is None or role is None:
        error = "Choose a person and a role."
    else:
        try:
            seat_mid_game(game_session, number, role, request.form.get("mode", "replace"))
        except LobbyError as exc:
            error = str(exc)
    if request.headers.get("HX-Request"):
        from ..live.hub import flash_fragment
        return flash_fragment(error or "Seated.", "error" if error else "success"), 200
    flash(error or "Seated.", "error" if error else "success")
    return redirect(url_for("play.game", key=game_session.key))
