"""A started session's controls as plain functions: pause, resume, end (the live part
runs where the play-through lives: here, or in its owner process)."""
from .seats import LobbyError


def _live_of(game_session, service=None, **kwargs):
    """(facts, the live play-through to act on here or None).  The connection is
    released first.  When another process owns the play-through, ``service`` runs
    there instead (raising its error) and ``Forwarded`` is raised."""
    from ..live import forward
    from ..live.playthroughs import Elsewhere, acting_live, read_facts
    facts = read_facts(game_session)
    if facts.status == "lobby":
        return facts, None
    live = acting_live(facts)
    if not isinstance(live, Elsewhere):
        return facts, live
    try:
        live = forward.call(live, service, **kwargs)
    except LookupError as exc:
        raise LobbyError(str(exc)) from exc
    except forward.Unavailable as exc:
        raise LobbyError(exc.message) from exc
    if live is None:
        raise Forwarded()
    return facts, live       # taken over: act here


class Forwarded(Exception):
    """The service ran in the process that owns the play-through."""


def _controlled(fn, *args, **kwargs):
    from ..live.control import ControlError
    try:
        return fn(*args, **kwargs)
    except ControlError as exc:
        raise LobbyError(str(exc)) from exc


def pause_session(game_session, actor_name, reason="owner"):
    """Pause a running session: moves are refused until it resumes; a checkpoint is made."""
    from ..live import control
    if game_session.status != "in_progress":
        raise LobbyError("Only a running session can be paused.")
    try:
        facts, live = _live_of(game_session, "pause_session", actor_name=actor_name,
                               reason=reason)
    except Forwarded:
        return None
    if live is None or live.pt.ended:
        control.write_status(facts.id, "paused")
        return live
    _controlled(control.pause_live, live, actor_name, reason, wait=True)
    return live


def resume_session(game_session, actor_name):
    """Resume a paused session."""
    from ..live import control
    if game_session.status != "paused":
        raise LobbyError("The session is not paused.")
    try:
        facts, live = _live_of(game_session, "resume_session", actor_name=actor_name)
    except Forwarded:
        return None
    if live is None or live.pt.ended:
        control.write_status(facts.id, "in_progress")
        return live
    _controlled(control.resume_live, live, actor_name, wait=True)
    return live


def end_session(game_session, actor_name, reason="ended"):
    """End a session; a play-through still running ends as 'abandoned'."""
    from ..live import control
    if game_session.status == "ended":
        raise LobbyError("The session has already ended.")
    try:
        facts, live = _live_of(game_session, "end_session", actor_name=actor_name,
                               reason=reason)
    except Forwarded:
        return None
    if live is not None:
        _controlled(control.end_live, live)
    else:
        from ..live.playthroughs import damage_for, end_damaged
        damage = damage_for(facts)
        if damage is not None:
            end_damaged(game_session, damage)
    control.write_status(facts.id, "ended")
    return live


def seat_mid_game(game_session, participant_id, role, mode="replace"):
    """Seat a watcher in a role of the running (or just ended) play-through."""
    from ..live import seating
    if game_session.status not in ("in_progress", "paused", "ended"):
        raise LobbyError("Seats are set in the lobby before the game starts.")
    try:
        facts, live = _live_of(game_session, "seat_mid_game", participant_id=participant_id,
                               role=role, mode=mode)
    except Forwarded:
        return None
    if live is None:
        raise LobbyError("The play-through cannot be reached right now; try again.")
    try:
        seating.seat(live, participant_id, role, mode)
    except seating.SeatError as exc:
        raise LobbyError(str(exc)) from exc
    from ..live.changes import after_change
    after_change(live)
    return live
