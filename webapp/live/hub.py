"""What goes out over the sockets: snapshots on connect, pushes after every change."""
import logging

from flask import current_app, render_template, url_for

from ..extensions import db
from ..models import Participant, Session, utcnow
from ..play.rendering import public_regions, role_regions, view_role
from ..sessions.rendering import lobby_regions
from .playthroughs import live_of, runtime, sync_rows

log = logging.getLogger(__name__)


def flash_fragment(message, category="error"):
    return render_template("live/_flash.html", message=message, category=category)


def nav_fragment(game_session):
    if game_session.status == "lobby":
        location = url_for("sessions.lobby", key=game_session.key)
    else:
        location = url_for("play.game", key=game_session.key)
    return render_template("live/_nav.html", location=location, oob=True)


def game_fragments(live, participant_id, connected):
    """Every live region of the game page as this participant may see it."""
    with live.pt.lock:
        role = view_role(live, participant_id)
        return role_regions(live, role) + public_regions(live, connected)


def render_for(game_session, live, connected):
    """A function giving each client its full set of fragments."""
    nav = nav_fragment(game_session)
    if game_session.status == "lobby":
        variants = {}

        def lobby(client):
            if client.is_owner not in variants:
                variants[client.is_owner] = lobby_regions(game_session, None, client.is_owner,
                                                          connected)
            return nav + variants[client.is_owner]
        return lobby
    if live is None:
        return lambda client: nav
    return lambda client: nav + game_fragments(live, client.participant_id, connected)


def push_session(key):
    """Push the current regions to every socket of the session."""
    db.session.expire_all()
    game_session = Session.query.filter_by(key=key).first()
    if game_session is None:
        return
    live = live_of(game_session) if game_session.status != "lobby" else None
    connected = runtime().connected_ids(key)
    runtime().broadcast(key, render_for(game_session, live, connected))


def snapshot(game_session, client):
    """The full set of regions for one socket (on connect and after a stale move)."""
    live = live_of(game_session) if game_session.status != "lobby" else None
    render = render_for(game_session, live, runtime().connected_ids(game_session.key))
    client.send(render(client))


def send_flash(client, message):
    client.send(flash_fragment(message))


def after_change(live):
    """After a move or start: rows in step, every socket updated, bots scheduled."""
    from .bots import schedule_bots
    with live.pt.lock:
        sync_rows(live)
        push_session(live.session_key)
    schedule_bots(current_app._get_current_object(), live)


def set_connected(participant_id, connected):
    participant = db.session.get(Participant, participant_id)
    if participant is not None:
        participant.connected = connected
        participant.last_seen = utcnow()
        db.session.commit()
