"""Pause, resume and end a live play-through owned here: the log first (the record of
truth), then the session's row through the row writer, then checkpoints and bots."""
from engine.log import LogWriteError
from engine.playthrough import MoveError

from ..extensions import db
from . import bots, rows
from .playthroughs import sync_rows


class ControlError(Exception):
    """A change that could not be made; the message is for people."""


def write_status(session_id, status, wait=True):
    """The session's status, written by the row writer (after the log)."""
    future = rows.writer().submit(rows.session_status, session_id, status)
    if wait:
        rows.writer().wait(future)
        db.session.expire_all()


def _by(live, actor_name):
    """Who paused or resumed, as the log says it: format 2 names no one ("host" when the
    portal did it, "owner" when the session's owner did)."""
    if getattr(live.pt, "format", 1) == 1:
        return actor_name
    return "host" if actor_name == "host" else "owner"


def _record(live, type_, **fields):
    try:
        with live.pt.lock:
            live.pt.record(type_, **fields)
    except LogWriteError as exc:
        raise ControlError(f"The game's log cannot be written ({exc.strerror or exc}); "
                           "nothing changed.") from exc


def pause_live(live, actor_name, reason="owner", wait=False):
    """Moves are refused until it resumes; a checkpoint is made."""
    _record(live, "paused", by=_by(live, actor_name), reason=reason, k=live.pt.k)
    live.paused = True
    write_status(live.session_id, "paused", wait)
    from ..jobs.queue import request_checkpoint
    request_checkpoint(live, "pause")


def resume_live(live, actor_name, wait=False):
    """Moves are taken again; bots move on."""
    _record(live, "resumed", by=_by(live, actor_name), k=live.pt.k)
    live.paused = False
    write_status(live.session_id, "in_progress", wait)
    from flask import current_app
    bots.schedule_bots(current_app._get_current_object(), live)


def end_live(live):
    """A play-through still running ends as 'abandoned'."""
    if live.pt.ended:
        return
    try:
        with live.pt.lock:
            live.pt.end("abandoned")
            sync_rows(live)
    except MoveError as exc:
        raise ControlError(exc.message[:1].upper() + exc.message[1:] + ".") from exc
