"""Handle one client message: check seat and turn, apply under the lock, push."""
import logging

from flask import current_app

from engine.playthrough import Actor, MoveError

from ..extensions import db
from ..locks import release_connection
from ..models import Session
from . import changes, forward, hub, messages, presence
from .playthroughs import Elsewhere, acting_live, read_facts, runtime

log = logging.getLogger(__name__)
FAILED = "The server could not handle that message; nothing changed. Try again."


def handle(key, client, raw, forwarded=False):
    """Act on one message from ``client``; refusals go back to the sender only.

    A message for a play-through another process owns is forwarded there (it
    arrives with ``forwarded`` and is never sent on again).  Every message gets
    an answer: nothing escapes to the socket's handler."""
    try:
        if not client.allow_message():
            hub.send_flash(client, "You are sending messages too fast; slow down a little.")
            return
        message = messages.parse(raw, current_app.config["WS_MAX_MESSAGE_BYTES"])
        if message.action == "ping":
            return
        token = runtime().watchdog.begin()
        try:
            act(key, client, raw, message, forwarded)
        finally:
            runtime().watchdog.end(token)
    except messages.BadMessage as exc:
        hub.send_flash(client, str(exc))
    except forward.Unavailable as exc:
        hub.send_flash(client, exc.message)
    except Exception:
        log.exception("a socket message of session %s failed", key)
        hub.send_flash(client, FAILED)
    finally:
        db.session.remove()


def act(key, client, raw, message, forwarded):
    """Apply the move or undo where the play-through lives."""
    live = current_live(key)
    if isinstance(live, Elsewhere):
        if forwarded:
            raise messages.BadMessage("The game is moving between servers; "
                                      "send that again in a moment.")
        live = forward.forward_message(live, client, raw)
        if live is None:
            return
    if message.action == "move":
        apply_move(live, client, message)
    else:
        undo_move(live, client, message)


def current_live(key):
    """The session's play-through to act on (from memory, without a query, once it is
    running here), or ``Elsewhere`` when another process owns it."""
    found = runtime().live(key)
    if found is not None and not found.pt.ended:
        return found
    routed = runtime().route(key)
    if routed is not None:
        return routed
    # Not here, or ended: a rematch may have started in another process (whose notice
    # may still be on its way), so the database says which play-through is current.
    game_session = Session.query.filter_by(key=key).first()
    if game_session is None or game_session.status == "lobby":
        release_connection(db.session)
        raise messages.BadMessage("The game has not started yet.")
    live = acting_live(read_facts(game_session))
    if live is None:
        from .playthroughs import damage_of
        damage = damage_of(game_session)
        if damage is not None:
            raise messages.BadMessage(f"This play-through cannot go on: {damage.why}")
        raise messages.BadMessage("The game has not started yet.")
    if isinstance(live, Elsewhere):
        runtime().set_route(key, live)
    return live


def actor_for(live, client, role):
    """The actor for a seated participant in ``role``; refuses seats not held."""
    seat = live.seats.get(client.participant_id)
    if role not in live.roles_of(client.participant_id):
        name = live.pt.role_name(role) if role is not None else "any role"
        raise messages.BadMessage(f"You are not seated as {name}.")
    return Actor(role, seat["name"], "bot" if seat["kind"] == "bot" else "human",
                 seat.get("participant"))


def require_running(live):
    if live.paused:
        raise messages.BadMessage("The game is paused: moves wait until it resumes.")


def apply_move(live, client, message):
    require_running(live)
    actor = actor_for(live, client, message.role)
    try:
        # Only this play-through's lock is held while game code runs: other
        # sessions' sockets never wait for a slow transition.
        with presence.Thinking(live, actor.name, hub.push_status):
            with live.pt.lock:
                live.pt.apply(actor, message.op, list(message.args), message.state_version)
    except MoveError as exc:
        refuse(live, client, exc)
        return
    changes.after_change(live)


def undo_actor(live, client, role):
    """Who asks for an undo: a seated player, or the owner (who may undo any move)."""
    if role is not None and role in live.roles_of(client.participant_id):
        return actor_for(live, client, role)
    if client.is_owner:
        seat = live.seats.get(client.participant_id) or {"name": "the teacher"}
        return Actor(None, seat["name"], "human", seat.get("participant"))
    return actor_for(live, client, role)


def undo_move(live, client, message):
    require_running(live)
    if message.role is None and not client.is_owner:
        raise messages.BadMessage("The move is missing its role.")
    actor = undo_actor(live, client, message.role)
    try:
        with live.pt.lock:
            live.pt.undo(actor, owner=client.is_owner)
    except MoveError as exc:
        refuse(live, client, exc)
        return
    changes.after_change(live)


def refuse(live, client, exc):
    """Tell the sender why; after a stale move also redraw the sender's page."""
    if exc.code == "stale":
        hub.snapshot_live(live, client)
    text = exc.message[:1].upper() + exc.message[1:]
    if exc.code in ("game_error", "game_timeout", "game_died", "too_large"):
        text += ". Nothing changed: the game is as it was before this move."
    elif exc.code == "not_recorded":
        text += "."
    hub.send_flash(client, text)
