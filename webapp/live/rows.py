"""The rows the live path writes, as tasks for the row writer (``webapp/rowwriter.py``).

Every task is idempotent (an upsert or a guarded UPDATE): a play-through's row
may be written by the process that started it and, after a crash before its
writer ran, adopted from the log by another one; both writes say the same.
"""
import logging

from flask import current_app
from sqlalchemy import update

from engine.log import HEADER, read_lines

from ..extensions import db
from ..models import Participant, PlayThroughRecord, Session, utcnow

log = logging.getLogger(__name__)
NUMBER_BITS = 20       # a play-through's id: its session's id, then its number


def playthrough_id(session_id, number):
    """The id of play-through ``number`` of a session, known before any row exists (the
    owner lock and lease are taken on it before the row is written)."""
    if not 0 < number < 1 << NUMBER_BITS:
        raise ValueError(f"a session has at most {(1 << NUMBER_BITS) - 1} play-throughs")
    return (session_id << NUMBER_BITS) | number


def writer():
    return current_app.extensions["rows"]


def started(record_id, session_id, number, seed, log_path, version_hash):
    """A new play-through's row, and its session running."""
    record = db.session.get(PlayThroughRecord, record_id)
    if record is None:
        db.session.add(PlayThroughRecord(id=record_id, session_id=session_id, number=number,
                                         seed=seed, log_path=log_path,
                                         game_version_hash=version_hash))
    db.session.execute(update(Session).where(Session.id == session_id)
                       .values(status="in_progress"))


def ended(record_id, session_id, steps, reason, outcome, tip=None):
    """A play-through's end; the session ends with it unless it had ended before.
    Returns True if this write ended the row (False: ended already).  ``tip``: the
    footer's (seq, line hash), which the row keeps to re-check the file against."""
    tip_values = {"tip_seq": tip[0], "tip_hash": tip[1]} if tip else {}
    done = db.session.execute(
        update(PlayThroughRecord)
        .where(PlayThroughRecord.id == record_id, PlayThroughRecord.status != "ended")
        .values(steps=steps, status="ended", end_reason=reason, outcome=outcome,
                ended_at=utcnow(), **tip_values)).rowcount
    if done:
        db.session.execute(update(Session).where(Session.id == session_id)
                           .values(status="ended"))
    else:
        db.session.execute(update(PlayThroughRecord).where(PlayThroughRecord.id == record_id)
                           .values(steps=steps))
    return bool(done)


def session_status(session_id, status):
    db.session.execute(update(Session).where(Session.id == session_id).values(status=status))


def participant_connected(participant_id, connected):
    db.session.execute(update(Participant).where(Participant.id == participant_id)
                       .values(connected=connected, last_seen=utcnow()))


def participant_roles(participant_id, roles):
    """A participant's roles after a seat change mid-game (the next rematch keeps them)."""
    db.session.execute(update(Participant).where(Participant.id == participant_id)
                       .values(roles=list(roles)))


def adopt(session_id, number, log_path, version_hash):
    """The row of a play-through whose log exists but whose row was never written (its
    process died first): read back from the log's header."""
    try:
        lines = read_lines(log_path)
    except OSError:
        return False
    import json
    try:
        header = json.loads(lines[0]) if lines else None
    except ValueError:
        header = None
    if not header or header.get("type") != HEADER:
        return False
    started(playthrough_id(session_id, number), session_id, number,
            int(header.get("seed") or 0), log_path, header.get("game_version") or version_hash)
    log.warning("adopted play-through %s of session %s from its log (its row was missing)",
                number, session_id)
    return True
