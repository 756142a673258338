"""Handle one client message: check seat and turn, apply under the lock, push."""
from flask import current_app

from engine.playthrough import Actor, MoveError

from ..extensions import db
from ..models import Session
from . import hub, messages
from .playthroughs import live_of


def handle(key, client, raw):
    """Act on one message from ``client``; refusals go back to the sender only."""
    if not client.allow_message():
        hub.send_flash(client, "You are sending messages too fast; slow down a little.")
        return
    try:
        data = messages.parse(raw, current_app.config["WS_MAX_MESSAGE_BYTES"])
        if data["action"] == "ping":
            return
        live = current_live(key)
        if data["action"] == "move":
            apply_move(live, client, data)
        else:
            undo_move(live, client, data)
    except messages.BadMessage as exc:
        hub.send_flash(client, str(exc))
    finally:
        db.session.remove()


def current_live(key):
    game_session = Session.query.filter_by(key=key).first()
    live = live_of(game_session) if game_session and game_session.status != "lobby" else None
    if live is None:
        raise messages.BadMessage("The game has not started yet.")
    return live


def actor_for(live, client, role):
    """The actor for a seated participant in ``role``; refuses seats not held."""
    seat = live.seats.get(client.participant_id)
    if role not in live.roles_of(client.participant_id):
        name = live.pt.role_name(role) if role is not None else "any role"
        raise messages.BadMessage(f"You are not seated as {name}.")
    return Actor(role, seat["name"], "bot" if seat["kind"] == "bot" else "human")


def apply_move(live, client, data):
    role, op, args, version = messages.move_fields(data)
    actor = actor_for(live, client, role)
    try:
        with live.pt.lock:
            events = live.pt.apply(actor, op, args, version)
            live.note_moves(events)
    except MoveError as exc:
        refuse(live, client, exc)
        return
    hub.after_change(live)


def undo_move(live, client, data):
    role = messages.integer(data, "role")
    actor = actor_for(live, client, role)
    try:
        with live.pt.lock:
            live.pt.undo(actor, owner=client.is_owner)
            live.history.append(f"{actor.name} took back a move.")
    except MoveError as exc:
        refuse(live, client, exc)
        return
    hub.after_change(live)


def refuse(live, client, exc):
    """Tell the sender why; after a stale move also redraw the sender's page."""
    if exc.code == "stale":
        game_session = db.session.get(Session, live.session_id)
        hub.snapshot(game_session, client)
    hub.send_flash(client, exc.message[:1].upper() + exc.message[1:])
