"""The one rule for who may see, start or join a game, and who may watch a session."""

from ..extensions import db
from ..models import Participant
from .models import DEFAULT_LEVEL, GameAccess

LEVEL_STATUSES = {
    "published": {"published", "deprecated"},
    "beta": {"beta", "published", "deprecated"},
    "all": {"dev", "beta", "published", "deprecated"},
}


def is_game_admin(user):
    return bool(user is not None and user.is_authenticated and user.is_admin
                and user.perm_games)


def access_of(user):
    """(level, set of game ids) of an account; guests and visitors get published only."""
    if user is None or not user.is_authenticated:
        return DEFAULT_LEVEL, set()
    row = db.session.get(GameAccess, user.id)
    if row is None:
        return DEFAULT_LEVEL, set()
    return row.level, set(row.game_ids or [])


def can_access_game(user, game, game_session=None):
    """May ``user`` (an account, a guest or an anonymous visitor) see, start or join ``game``?

    Game admins see everything. Accounts follow their access level. With
    ``game_session`` (joining by link or code): the owner always may, anyone
    with the link may join a debug session, and guests follow the owner's
    choice unless the game is still in development.
    """
    if is_game_admin(user):
        return True
    if game_session is not None:
        if user is not None and user.is_authenticated and user.id == game_session.owner_id:
            return True
        if game_session.debug:
            return True
        if user is None or not user.is_authenticated:
            return game.status != "dev"
    if installed_by(user, game):
        return True
    level, game_ids = access_of(user)
    if level == "custom":
        return game.id in game_ids
    return game.status in LEVEL_STATUSES.get(level, LEVEL_STATUSES[DEFAULT_LEVEL])


def installed_by(user, game):
    """Did ``user`` install a version of ``game``?  (Instructors see their own games.)"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from ..install.models import GameInstall
    from ..models import GameVersion
    return GameInstall.query.join(GameVersion).filter(
        GameVersion.game_id == game.id, GameInstall.user_id == user.id).first() is not None


def refusal_message(game):
    if game.status == "dev":
        return "This game is still in development and not open to you."
    return "Your account does not have access to this game."


def observer_participant(game_session, user):
    """An admin's unseated participant row (created if missing), remembered in this browser."""
    from ..auth.identity import remember_seat
    found = (Participant.query.filter_by(session_id=game_session.id, user_id=user.id)
             .order_by(Participant.id).first())
    if found is None:
        found = Participant(session=game_session, display_name=user.display_name, roles=[],
                            user_id=user.id, kind="human")
        db.session.add(found)
    token = found.issue_token()
    db.session.commit()
    remember_seat(game_session.key, token)
    return found
