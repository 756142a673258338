"""Game options set in the lobby, rematches, and debug sessions for game authors."""
import logging
import pathlib
import shutil

from flask import current_app

from ..extensions import db
from ..models import Session
from .seats import LobbyError, create_session, filled_roles, player_roles, require_lobby

log = logging.getLogger(__name__)


def min_players(game_session):
    return int(game_session.game.game_metadata.get("min_players", 1) or 1)


def excluded_roles(game_session):
    return [int(r) for r in (game_session.options or {}).get("excluded_roles", [])]


def shows_role_options(game_session):
    """Offer "which roles play" only where a game has more player roles than it needs."""
    return len(player_roles(game_session)) > min_players(game_session)


def active_roles(game_session):
    """The roles passed to the game as ``active_roles``: seated player roles not unticked."""
    excluded = set(excluded_roles(game_session))
    return [r for r in filled_roles(game_session) if r not in excluded]


def set_active_roles(game_session, ticked):
    """The owner's choice of which seated roles play (the rest are left out of the deal)."""
    require_lobby(game_session)
    ticked = {int(r) for r in ticked}
    known = set(player_roles(game_session))
    if not ticked <= known:
        raise LobbyError("That role does not exist in this game.")
    options = dict(game_session.options or {})
    options["excluded_roles"] = sorted(known - ticked)
    game_session.options = options
    db.session.commit()


def check_can_start(game_session):
    """Raise LobbyError unless enough roles are seated and left active."""
    active, needed = active_roles(game_session), min_players(game_session)
    if len(filled_roles(game_session)) < needed:
        raise LobbyError("Not enough roles are filled to start.")
    if len(active) < needed:
        raise LobbyError(f"At least {needed} roles must play; tick more roles in the options.")


def rotate_seats(game_session, roles):
    """Everybody moves on to the next of ``roles`` (observers and other roles stay)."""
    if len(roles) < 2:
        return
    from .seats import bot_name
    following = {r: roles[(i + 1) % len(roles)] for i, r in enumerate(roles)}
    for participant in game_session.participants:
        participant.roles = sorted({following.get(r, r) for r in participant.roles})
        if participant.kind == "bot":          # its name says which role it plays
            participant.display_name = bot_name(game_session, participant.bot_strategy,
                                                participant.roles)
    db.session.commit()


def start_rematch(game_session, rotate=False):
    """A new play-through in the same session with the same seats; returns the new live."""
    from ..live import presence
    from ..live.playthroughs import live_of, read_facts
    from ..live.starting import StartRefused, start_playthrough
    facts = read_facts(game_session)
    old = live_of(facts)
    current = facts.current
    interrupted = old is None and current is not None and current.status == "ended" \
        and current.end_reason == "interrupted"      # a damaged log, ended by its owner
    if not interrupted and (old is None or not old.pt.ended):
        raise LobbyError("A rematch can start only after the play-through has ended.")
    roles = (old.pt.active_roles if old is not None else None) or active_roles(game_session)
    if rotate:
        rotate_seats(game_session, sorted(roles))
        facts = None                  # the seats changed: read again
    try:
        live = start_playthrough(game_session, sorted(roles), facts=facts)
    except StartRefused as exc:
        raise LobbyError(str(exc)) from exc
    except Exception as exc:
        db.session.rollback()
        raise LobbyError(f"The rematch failed to start: {getattr(exc, 'message', exc)}")
    if old is not None:
        presence.cancel_timers(old)
        if old.bot_timer is not None:
            old.bot_timer.cancel()
        old.pt.close()    # registering the new one released the old one's lease and lock
    return live


def owns_game(user, game):
    """True if ``user`` installed (uploaded) a version of ``game``."""
    if getattr(game, "owner_id", None) == user.id:
        return True
    try:
        from ..install.models import GameInstall
    except ImportError:
        return False
    version_ids = [v.id for v in game.versions]
    return bool(version_ids) and GameInstall.query.filter(
        GameInstall.user_id == user.id, GameInstall.game_version_id.in_(version_ids)).first() \
        is not None


def may_debug(user, game):
    """Admins with the games permission, and instructors for their own games."""
    if not user.is_authenticated:
        return False
    if user.is_admin and user.perm_games:
        return True
    return user.kind == "instructor" and owns_game(user, game)


def create_debug_session(user, game):
    """A debug session (any game status) with ``user`` seated in every player role."""
    if game.current_version is None:
        raise LobbyError("This game has no installed version.")
    game_session = create_session(user, game.current_version)
    game_session.debug = True
    owner = game_session.participants[0]
    owner.roles = player_roles(game_session)
    db.session.commit()
    return game_session


def rows_referring_to(table_name):
    """(table, column) pairs whose foreign key points at ``table_name``.id."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == table_name for fk in column.foreign_keys):
                found.append((table, column))
    return found


def purge_debug_sessions():
    """Delete every debug session with its rows, live play-throughs and data; returns a count."""
    from ..live.playthroughs import runtime
    from ..locks import release_connection
    doomed = Session.query.filter_by(debug=True).all()
    keys = [s.key for s in doomed]
    release_connection(db.session)
    for key in keys:
        runtime().forget(key)
    data_dir = pathlib.Path(current_app.config["DATA_DIR"])
    for game_session in doomed:
        folder = data_dir / "gdm" / game_session.game.slug / "sessions" / str(game_session.id)
        ids = [game_session.id]
        pt_ids = [r.id for r in game_session.playthroughs]
        for table, column in rows_referring_to("playthrough"):
            if pt_ids:
                db.session.execute(table.delete().where(column.in_(pt_ids)))
        for table, column in rows_referring_to("session"):
            db.session.execute(table.delete().where(column.in_(ids)))
        db.session.execute(Session.__table__.delete().where(Session.id == game_session.id))
        db.session.commit()
        shutil.rmtree(folder, ignore_errors=True)
    db.session.expire_all()
    return len(doomed)
