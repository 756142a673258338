"""The session's WebSocket: check origin and identity, snapshot, then read messages."""
from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user

from ..auth.identity import current_participant
from ..extensions import db, sock
from ..models import Session
from . import bp, hub, moves
from .playthroughs import runtime
from .runtime import Client

POLICY_VIOLATION = 1008


def origin_allowed():
    """The Origin header must name this host (or one listed in WS_ALLOWED_ORIGINS)."""
    origin = request.headers.get("Origin", "")
    allowed = current_app.config.get("WS_ALLOWED_ORIGINS") or []
    return bool(origin) and (urlsplit(origin).netloc == request.host or origin in allowed)


@sock.route("/ws/s/<key>", bp=bp)
def session_socket(ws, key):
    """Live channel of one session: full snapshot out on connect, moves in."""
    game_session = Session.query.filter_by(key=key).first()
    participant = current_participant(game_session) if game_session else None
    if not origin_allowed() or participant is None:
        ws.close(POLICY_VIOLATION, "not allowed")
        return
    participant_id = participant.id
    client = Client(ws, participant_id,
                    current_user.is_authenticated and current_user.id == game_session.owner_id,
                    current_app.config["WS_RATE_PER_SECOND"])
    try:
        # Joins are logged before this socket can receive any push.
        hub.set_connected(participant_id, True)
        runtime().add_client(key, client)
        hub.push_session(key)
        db.session.remove()
        while client.alive:
            moves.handle(key, client, ws.receive())
    finally:
        runtime().remove_client(key, client)
        if participant_id not in runtime().connected_ids(key):
            hub.set_connected(participant_id, False)
        hub.push_session(key)
        db.session.remove()
