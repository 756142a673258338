"""Who is at the table: a participant's first socket opening or last socket closing
(in any process) is logged by the play-through's owner; a session nobody is at any
more pauses itself, and goes on when someone is back."""
import logging

from flask import current_app

from ..extensions import db
from ..locks import release_connection
from ..models import Participant
from . import bots, control, forward, hub, presence, rows, seating
from .playthroughs import Elsewhere, acting_live, held_current, read_facts, seat_of

log = logging.getLogger(__name__)


def set_connected(participant_id, connected, forwarded=False):
    """Note a participant's first socket opening or last socket closing (in any
    process); the play-through's owner logs joins, drops and reconnects."""
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        release_connection(db.session)
        return
    if not forwarded:
        rows.writer().submit(rows.participant_connected, participant_id, connected)
    game_session = participant.session
    name = participant.display_name
    if game_session.status in ("lobby", "ended"):
        release_connection(db.session)
        return
    live = held_current(game_session)
    if live is not None:
        # Held here (nearly always): the one seat and the status, not the session's
        # facts (every participant's row; a class arriving made that N² rows).
        seat, status = seat_of(participant), game_session.status
    else:
        facts = read_facts(game_session)
        seat, status = facts.seats.get(participant_id), facts.status
        live = acting_live(facts)
    if isinstance(live, Elsewhere):
        if forwarded:
            return
        try:
            live = forward.forward_presence(live, participant_id, connected)
        except forward.Unavailable:
            log.warning("cannot reach the owner of session %s", live.session_key)
            return
        if live is not None:       # taken over: its bots move on from here
            bots.schedule_bots(current_app._get_current_object(), live)
    if live is None:
        return
    if connected:
        seating.note_arrival(live, participant_id, seat)
        presence.connected(live, participant_id)
        resume_if_left(status, live, name)
    else:
        presence.disconnected(live, participant_id, on_left)


def on_left(live, everyone_left):
    """A reconnect window lapsed: tell the others; pause when nobody is left."""
    try:
        if everyone_left and not live.pt.ended and not live.paused \
                and hub.runtime().live(live.session_key) is live:
            control.pause_live(live, "host", "everyone left")
            presence.table(live).auto_paused = True
        hub.push_live(live)
    finally:
        db.session.remove()


def resume_if_left(status, live, name):
    """A session that paused itself because everyone left goes on when someone is back."""
    state = presence.table(live)
    if not state.auto_paused or status != "paused":
        return
    state.auto_paused = False
    control.resume_live(live, "host")     # the portal resumes it, as it paused it
