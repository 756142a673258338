"""Invite page, joining, the lobby and the owner's lobby actions."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.access import can_access_game, refusal_message
from ..auth.identity import become_guest, current_participant
from ..extensions import db
from ..live import changes, hub
from ..live.playthroughs import runtime
from ..live.starting import StartRefused, start_playthrough
from ..models import Participant, Session, row_id
from . import bp
from .options import active_roles, check_can_start
from .rendering import lobby_context
from .seats import (LobbyError, add_bot as add_bot_to, join_session, remove_participant,
                       set_roles)


def find_session(key):
    """The session of ``key`` with its game version and game (every session page and
    action reads them: one query instead of three)."""
    from sqlalchemy.orm import joinedload

    from ..models import GameVersion
    return Session.query.options(joinedload(Session.game_version).joinedload(GameVersion.game)) \
        .filter_by(key=key).first_or_404()


def require_game_access(game_session):
    """Joining follows the account's game access (guests: the owner's choice)."""
    if not can_access_game(current_user, game_session.game, game_session):
        abort(403, refusal_message(game_session.game))


def is_owner(game_session):
    return current_user.is_authenticated and current_user.id == game_session.owner_id


def place_of(game_session):
    """Where a participant belongs now: the lobby or the game page."""
    if game_session.status == "lobby":
        return url_for("sessions.lobby", key=game_session.key)
    return url_for("play.game", key=game_session.key)


@bp.route("/<key>")
def invite(key):
    """The invite link: join form, or straight on for people already in."""
    game_session = find_session(key)
    if current_participant(game_session) is not None:
        return redirect(place_of(game_session))
    require_game_access(game_session)
    return render_template("sessions/invite.html", game_session=game_session)


@bp.route("/<key>/join", methods=["POST"])
def join(key):
    """Join the session with an account or as a guest with a display name."""
    game_session = find_session(key)
    if game_session.status == "ended":
        flash("This session has ended.", "error")
        return redirect(url_for("main.index"))
    if current_participant(game_session) is None:
        require_game_access(game_session)
        try:
            if current_user.is_authenticated:
                join_session(game_session, current_user.display_name, user=current_user)
            else:
                name = request.form.get("display_name", "")
                guest = become_guest(" ".join(name.split())[:40]) if name.strip() else None
                join_session(game_session, name, guest_id=guest)
        except LobbyError as exc:
            flash(str(exc), "error")
            return redirect(url_for("sessions.invite", key=key))
        hub.push_session_soon(game_session.key)     # a class joining: one push for all
    return redirect(place_of(game_session))


@bp.route("/<key>/lobby")
def lobby(key):
    """The lobby: who is here, seats, bots, and the start button for the owner."""
    game_session = find_session(key)
    participant = current_participant(game_session)
    if participant is None:
        return redirect(url_for("sessions.invite", key=key))
    if game_session.status != "lobby":
        return redirect(place_of(game_session))
    context = lobby_context(game_session, participant.id, is_owner(game_session),
                            runtime().connected_ids(key))
    return render_template("sessions/lobby.html", location=place_of(game_session),
                           oob=False, **context)


def owner_action(key, action):
    """Run an owner's lobby change, push the lobby to everyone, answer the form."""
    game_session = find_session(key)
    if not is_owner(game_session):
        abort(403)
    error = None
    try:
        action(game_session)
    except (LobbyError, ValueError) as exc:
        db.session.rollback()
        error = str(exc)
    hub.push_session(key)
    if request.headers.get("HX-Request"):
        return hub.flash_fragment(error or ""), 200
    if error:
        flash(error, "error")
    return redirect(place_of(game_session))


def participant_of(game_session):
    number = row_id(request.form.get("participant_id"))
    found = db.session.get(Participant, number) if number else None
    if found is None or found.session_id != game_session.id:
        raise LobbyError("No such participant in this session.")
    return found


@bp.route("/<key>/seat", methods=["POST"])
def seat(key):
    """Seat a participant in the checked roles."""
    roles = request.form.getlist("roles", type=int)
    return owner_action(key, lambda s: set_roles(s, participant_of(s), roles))


@bp.route("/<key>/bot", methods=["POST"])
def add_bot(key):
    """Add a bot playing one role with a strategy."""
    role = request.form.get("role", type=int)
    strategy = request.form.get("strategy", "random")
    return owner_action(key, lambda s: add_bot_to(s, -1 if role is None else role, strategy))


@bp.route("/<key>/remove", methods=["POST"])
def remove(key):
    """Remove a bot or unseat a person."""
    return owner_action(key, lambda s: remove_participant(s, participant_of(s)))


@bp.route("/<key>/start", methods=["POST"])
def start(key):
    """Start the first play-through; every browser moves to the game page."""
    def begin(game_session):
        if game_session.status != "lobby":
            raise LobbyError("The game has already started.")
        check_can_start(game_session)
        try:
            live = start_playthrough(game_session, active_roles(game_session))
        except StartRefused as exc:
            raise LobbyError(str(exc)) from exc
        except Exception as exc:
            raise LobbyError(f"The game failed to start: {getattr(exc, 'message', exc)}")
        changes.after_change(live)
    response = owner_action(key, begin)
    return response if request.headers.get("HX-Request") else redirect(
        place_of(find_session(key)))
