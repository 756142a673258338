"""Install game folders into the catalog: a Game row per slug, a GameVersion per hash."""
import logging
import pathlib

from engine.loader import GameSource
from engine.playthrough import read_roles

from ..extensions import db
from ..install.lifecycle import promote_version
from ..models import MAX_GAME_NAME_LENGTH, Game, GameVersion

log = logging.getLogger(__name__)


def read_game_metadata(source):
    """Name, description, roles and player counts, from one throw-away load."""
    loaded = source.load()
    try:
        formulation = loaded.formulation
        meta = formulation.metadata
        spec = getattr(formulation, "roles_spec", None)
        return {
            "name": str(getattr(meta, "name", None) or source.slug)[:MAX_GAME_NAME_LENGTH],
            "brief_desc": str(getattr(meta, "brief_desc", "") or ""),
            "authors": [str(a) for a in (getattr(meta, "authors", None) or [])],
            "roles": [{"num": r.num, "name": r.name, "description": r.description,
                       "observer": r.observer} for r in read_roles(formulation)],
            "min_players": int(getattr(spec, "min_players_to_start", 1) or 1),
            "max_players": getattr(spec, "max_players", None),
            "thumbnail": declared_thumbnail(getattr(meta, "thumbnail", None)),
        }
    finally:
        loaded.unload()


def declared_thumbnail(value):
    """A thumbnail path a game's metadata declares (relative to its folder), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    path = pathlib.PurePosixPath(value.strip().replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return None
    return str(path)


def install_game(folder, status="published", promote=None, user=None):
    """Add a game folder's version to the catalog; returns the GameVersion.

    The first version of a game is live at once.  A later version stays in
    development (debug play and its author) until promoted: ``promote=True``
    here (the console), or a game admin's action (``lifecycle.promote``).
    """
    source = GameSource(folder)
    version = GameVersion.query.filter_by(version_hash=source.version).first()
    if version is not None:
        if promote and version.promoted_at is None:
            promote_version(version, user)
        return version
    meta = read_game_metadata(source)
    game = Game.query.filter_by(slug=source.slug).first()
    is_new = game is None
    if is_new:
        game = Game(slug=source.slug, status=status, name=meta["name"],
                    brief_desc=meta["brief_desc"], game_metadata={})
        db.session.add(game)
    version = GameVersion(game=game, version_hash=source.version, folder=str(source.folder),
                          meta=meta)
    db.session.add(version)
    db.session.flush()
    if promote or (promote is None and is_new):
        promote_version(version, user, log=not is_new)
    db.session.commit()
    return version


def seed_games(games_dir, status="published"):
    """Install every game folder (a subfolder with a PFF) under ``games_dir``; the
    built-in games come with the portal, so their new versions are promoted at once."""
    installed = []
    for folder in sorted(pathlib.Path(games_dir).iterdir()):
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        try:
            installed.append(install_game(folder, status, promote=True))
        except Exception as exc:  # GameLoadError or the game's own code: skip only this one
            db.session.rollback()
            log.warning("skipping game folder %s: %s", folder, exc)
    return installed
