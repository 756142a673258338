"""Session changes as plain functions: create, join, seat, add bots, check the minimum."""
from ..auth.identity import remember_seat
from ..extensions import db
from ..models import BOT_STRATEGIES, Participant, Session, clean_display_name


class LobbyError(Exception):
    """A lobby change that is not allowed; the message is for people."""


def create_session(owner, game_version):
    """A new session in its lobby, with the owner as an unseated participant."""
    game_session = Session(owner=owner, game_version=game_version,
                           join_code=Session.new_join_code(), status="lobby")
    db.session.add(game_session)
    join_session(game_session, owner.display_name, user=owner)
    return game_session


def join_session(game_session, display_name, user=None, guest_id=None):
    """Add a person (account or guest) to a session; stores the seat token in the cookie."""
    name = clean_display_name(display_name)
    if not name:
        raise LobbyError("Please enter a name.")
    cap = game_session.game.game_metadata.get("max_players")
    people = [p for p in game_session.participants if p.kind != "bot"]
    if cap and len(people) >= int(cap) + 1:   # the owner does not count as a player
        raise LobbyError("This session is full.")
    participant = Participant(session=game_session, display_name=name, roles=[],
                              user_id=user.id if user else None, guest_id=guest_id,
                              kind="human" if user else "guest")
    token = participant.issue_token()
    db.session.add(participant)
    db.session.commit()
    remember_seat(game_session.key, token)
    return participant


def role_numbers(game_session):
    return {r["num"]: r for r in game_session.game.roles}


def player_roles(game_session):
    """Numbers of the roles that are not observers."""
    return [n for n, r in role_numbers(game_session).items() if not r["observer"]]


def set_roles(game_session, participant, roles):
    """Seat a participant in the given roles (empty = unseated)."""
    require_lobby(game_session)
    known = role_numbers(game_session)
    wanted = sorted({int(r) for r in roles})
    if any(r not in known for r in wanted):
        raise LobbyError("That role does not exist in this game.")
    participant.roles = wanted
    db.session.commit()


def add_bot(game_session, role, strategy):
    """Seat a bot in a role."""
    require_lobby(game_session)
    if strategy not in BOT_STRATEGIES:
        raise LobbyError(f"Unknown bot strategy {strategy!r}.")
    if int(role) not in player_roles(game_session):
        raise LobbyError("Bots can only play a player role.")
    name = f"Bot ({strategy}) {role_numbers(game_session)[int(role)]['name']}"
    bot = Participant(session=game_session, display_name=clean_display_name(name),
                      kind="bot", bot_strategy=strategy, roles=[int(role)], connected=True)
    db.session.add(bot)
    db.session.commit()
    return bot


def remove_participant(game_session, participant):
    """Remove a bot, or unseat a person (people keep their place in the session)."""
    require_lobby(game_session)
    if participant.kind == "bot":
        db.session.delete(participant)
    else:
        participant.roles = []
    db.session.commit()


def filled_roles(game_session):
    """Player roles with at least one participant seated."""
    players = set(player_roles(game_session))
    return sorted({r for p in game_session.participants for r in p.roles if r in players})


def minimum_status(game_session):
    """(filled player roles, minimum needed, met?)."""
    needed = int(game_session.game.game_metadata.get("min_players", 1) or 1)
    filled = len(filled_roles(game_session))
    return filled, needed, filled >= needed


def require_lobby(game_session):
    if game_session.status != "lobby":
        raise LobbyError("The session has already started; seats are fixed.")


def _live_of(game_session, service=None, **kwargs):
    """(facts, the live play-through to act on here or None).  The connection is
    released first.  When another process owns the play-through, ``service`` runs
    there instead (raising its error) and ``Forwarded`` is raised."""
    from ..live import relay
    from ..live.playthroughs import Elsewhere, acting_live, read_facts
    facts = read_facts(game_session)
    if facts.status == "lobby":
        return facts, None
    live = acting_live(facts)
    if not isinstance(live, Elsewhere):
        return facts, live
    try:
        live = relay.call(live, service, **kwargs)
    except LookupError as exc:
        raise LobbyError(str(exc)) from exc
    except relay.Unavailable as exc:
        raise LobbyError(exc.message) from exc
    if live is None:
        raise Forwarded()
    return facts, live       # taken over: act here


class Forwarded(Exception):
    """The service ran in the process that owns the play-through."""


def _write_status(session_id, status, wait=True):
    """The session's status, written by the row writer (after the log)."""
    from ..live import rows
    future = rows.writer().submit(rows.session_status, session_id, status)
    if wait:
        rows.writer().wait(future)
        db.session.expire_all()


def _record(live, type_, **fields):
    from engine.log import LogWriteError
    try:
        with live.pt.lock:
            live.pt.record(type_, **fields)
    except LogWriteError as exc:
        raise LobbyError(f"The game's log cannot be written ({exc.strerror or exc}); "
                         "nothing changed.") from exc


def pause_live(live, actor_name, reason="owner", wait=False):
    """Pause a live play-through owned here: logged first (the record of truth), then
    moves are refused, the row follows and a checkpoint is made."""
    _record(live, "paused", by=actor_name, reason=reason, k=live.pt.k)
    live.paused = True
    _write_status(live.session_id, "paused", wait)
    from ..jobs.queue import request_checkpoint
    request_checkpoint(live, "pause")


def resume_live(live, actor_name, wait=False):
    """Resume a paused live play-through owned here; bots move again."""
    _record(live, "resumed", by=actor_name, k=live.pt.k)
    live.paused = False
    _write_status(live.session_id, "in_progress", wait)
    from flask import current_app

    from ..live.bots import schedule_bots
    schedule_bots(current_app._get_current_object(), live)


def pause_session(game_session, actor_name, reason="owner"):
    """Pause a running session: moves are refused until it resumes; a checkpoint is made."""
    if game_session.status != "in_progress":
        raise LobbyError("Only a running session can be paused.")
    try:
        facts, live = _live_of(game_session, "pause_session", actor_name=actor_name,
                               reason=reason)
    except Forwarded:
        return None
    if live is None or live.pt.ended:
        _write_status(facts.id, "paused")
        return live
    pause_live(live, actor_name, reason, wait=True)
    return live


def resume_session(game_session, actor_name):
    """Resume a paused session."""
    if game_session.status != "paused":
        raise LobbyError("The session is not paused.")
    try:
        facts, live = _live_of(game_session, "resume_session", actor_name=actor_name)
    except Forwarded:
        return None
    if live is None or live.pt.ended:
        _write_status(facts.id, "in_progress")
        return live
    resume_live(live, actor_name, wait=True)
    return live


def end_session(game_session, actor_name, reason="ended"):
    """End a session; a play-through still running ends as 'abandoned'."""
    if game_session.status == "ended":
        raise LobbyError("The session has already ended.")
    try:
        facts, live = _live_of(game_session, "end_session", actor_name=actor_name,
                               reason=reason)
    except Forwarded:
        return None
    if live is not None and not live.pt.ended:
        from engine.playthrough import MoveError

        from ..live.playthroughs import sync_rows
        try:
            with live.pt.lock:
                live.pt.end("abandoned")
                sync_rows(live)
        except MoveError as exc:
            raise LobbyError(exc.message[:1].upper() + exc.message[1:] + ".") from exc
    _write_status(facts.id, "ended")
    return live
