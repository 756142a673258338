"""A game's lifecycle: dev → beta → published → deprecated, each step recorded."""
from ..extensions import db
from ..models import GAME_STATUSES, utcnow
from .models import GameMetadataVersion, GameStatusChange

CATALOG_FIELDS = ("name", "brief_desc", "min_players", "max_players")

NEXT = {"dev": "beta", "beta": "published", "published": "deprecated"}
BACK = {"beta": "dev", "published": "beta", "deprecated": "published"}
ACTION_NAMES = {"beta": "Move to beta", "published": "Publish", "deprecated": "Deprecate",
                "dev": "Back to development"}


class LifecycleError(Exception):
    """A status change that is not allowed."""


def allowed_moves(game):
    return [s for s in (NEXT.get(game.status), BACK.get(game.status)) if s]


def set_status(game, status, user):
    """Move the game one step forward or back and record when and by whom."""
    if status not in GAME_STATUSES:
        raise LifecycleError(f"Unknown status {status!r}.")
    if status not in allowed_moves(game):
        raise LifecycleError(f"A {game.status} game cannot become {status}.")
    db.session.add(GameStatusChange(game=game, from_status=game.status, to_status=status,
                                    user_id=user.id))
    game.status = status
    db.session.commit()


def history(game):
    return (GameStatusChange.query.filter_by(game_id=game.id)
            .order_by(GameStatusChange.changed_at, GameStatusChange.id).all())


def log_change(game, user, note, version=None):
    """A line in the game's history that is not a status step (promotion, metadata edit)."""
    db.session.add(GameStatusChange(game=game, from_status=game.status, to_status=game.status,
                                    user_id=getattr(user, "id", None), note=note[:255],
                                    version=version))


def promote_version(version, user=None, log=True):
    """Make ``version`` the one new sessions start with (running sessions keep theirs).

    The game's roles and other facts follow the version; its name, description and
    player counts too if the version's own differ from the last live version's."""
    game = version.game
    before = game.live_version
    version.promoted_at, version.promoted_by_id = utcnow(), getattr(user, "id", None)
    meta = dict(version.meta or {})
    game.game_metadata = {**(game.game_metadata or {}),
                          **{k: v for k, v in meta.items() if k not in ("name", "brief_desc")}}
    old_meta = (before.meta or {}) if before is not None else {}
    if meta and any(meta.get(k) != old_meta.get(k) for k in CATALOG_FIELDS):
        new_metadata_version(game, {k: meta.get(k) for k in CATALOG_FIELDS}, user, "install")
    if log:
        log_change(game, user, f"version {version.version_hash[:12]} promoted: new sessions "
                   "start with it", version)


def new_metadata_version(game, fields, user, source):
    """Record and apply a new version of the game's name, description and player counts."""
    last = (GameMetadataVersion.query.filter_by(game_id=game.id)
            .order_by(GameMetadataVersion.number.desc()).first()) if game.id else None
    row = GameMetadataVersion(game=game, number=(last.number + 1) if last else 1,
                              name=fields["name"], brief_desc=fields.get("brief_desc") or "",
                              min_players=int(fields.get("min_players") or 1),
                              max_players=fields.get("max_players"),
                              source=source, user_id=getattr(user, "id", None))
    db.session.add(row)
    game.name, game.brief_desc = row.name, row.brief_desc
    game.game_metadata = {**(game.game_metadata or {}), "min_players": row.min_players,
                          "max_players": row.max_players}
    return row


def promote(version, user):
    """A game admin's promotion of a pending version (logged)."""
    if version.promoted_at is not None:
        raise LifecycleError("This version is already live.")
    promote_version(version, user)
    db.session.commit()
