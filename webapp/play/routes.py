"""The game page (first render of the same regions the socket pushes) and ending a game."""
from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ..auth.identity import current_participant
from ..live import hub
from ..live.playthroughs import live_of, runtime, sync_rows
from ..models import Session
from . import bp
from .rendering import public_regions, role_regions, view_role


@bp.route("/<key>/play")
def game(key):
    """The game page: this participant's view, moves, banner, messages, end screen."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    participant = current_participant(game_session)
    if participant is None:
        return redirect(url_for("sessions.invite", key=key))
    if game_session.status == "lobby":
        return redirect(url_for("sessions.lobby", key=key))
    live = live_of(game_session)
    if live is None:
        abort(503, "This play-through cannot be shown right now.")
    with live.pt.lock:
        role = view_role(live, participant.id)
        regions = role_regions(live, role, oob=False) + public_regions(
            live, runtime().connected_ids(key), oob=False)
    return render_template("play/game.html", game_session=game_session, regions=regions,
                           is_owner=current_user.is_authenticated
                           and current_user.id == game_session.owner_id)


@bp.route("/<key>/end", methods=["POST"])
def end(key):
    """The owner ends the play-through early (recorded as abandoned)."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    if not (current_user.is_authenticated and current_user.id == game_session.owner_id):
        abort(403)
    live = live_of(game_session)
    if live is not None and not live.pt.ended:
        with live.pt.lock:
            live.pt.end("abandoned")
            sync_rows(live)
        hub.after_change(live)
    return redirect(url_for("play.game", key=key))
