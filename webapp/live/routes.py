"""The session's WebSocket: check origin, identity and limits, snapshot, read messages."""
import logging
from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user

from ..auth.identity import current_participant
from ..extensions import db, sock
from ..locks import release_connection
from ..models import Session
from . import attendance, bp, hub, moves
from .playthroughs import runtime
from .table import Client

log = logging.getLogger(__name__)
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


def origin_allowed():
    """The Origin header must name this host (or one listed in WS_ALLOWED_ORIGINS)."""
    origin = request.headers.get("Origin", "")
    allowed = current_app.config.get("WS_ALLOWED_ORIGINS") or []
    return bool(origin) and (urlsplit(origin).netloc == request.host or origin in allowed)


def refuse(ws, code, text):
    """Say why in the page (a flash), then close the socket."""
    try:
        ws.send(hub.flash_fragment(text))
        ws.close(code, text[:120])
    except Exception:
        pass


@sock.route("/ws/s/<key>", bp=bp)
def session_socket(ws, key):
    """Live channel of one session: full snapshot out on connect, moves in."""
    game_session = Session.query.filter_by(key=key).first()
    participant = current_participant(game_session) if game_session else None
    is_owner = bool(participant and current_user.is_authenticated
                    and current_user.id == game_session.owner_id)
    participant_id = participant.id if participant else None
    release_connection(db.session)
    if not origin_allowed() or participant_id is None:
        ws.close(POLICY_VIOLATION, "not allowed")
        return
    client = Client(ws, participant_id, is_owner, current_app.config["WS_RATE_PER_SECOND"],
                    request.args.get("page"))
    refusal = runtime().admit(key, client, request.remote_addr or "")
    if refusal is not None:
        refuse(ws, POLICY_VIOLATION, refusal)
        return
    try:
        # Joins are logged before this socket can receive any push.
        attendance.set_connected(participant_id, True)
        runtime().add_client(key, client)
        hub.push_session(key, only=client)      # its first state, now
        hub.push_session_soon(key)              # the others: who is connected
        db.session.remove()
        while client.alive:
            moves.handle(key, client, ws.receive())
    except Exception as exc:
        if type(exc).__name__ != "ConnectionClosed":
            log.exception("the socket of session %s failed", key)
    finally:
        closed(key, client, participant_id)


def closed(key, client, participant_id):
    """A socket ended: forget it, and tell the others if it was the person's last."""
    try:
        runtime().remove_client(key, client)
        if participant_id not in runtime().connected_ids(key):
            attendance.set_connected(participant_id, False)
        hub.push_session_soon(key)
    except Exception:
        log.exception("cleaning up a socket of session %s failed", key)
    finally:
        runtime().unadmit(client)
        db.session.remove()
