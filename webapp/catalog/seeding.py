"""Install game folders into the catalog: a Game row per slug, a GameVersion per hash."""
import logging
import pathlib

from engine.loader import GameSource

from ..extensions import db
from ..install.lifecycle import promote_version
from . import store
from ..models import MAX_GAME_NAME_LENGTH, Game, GameVersion

log = logging.getLogger(__name__)


def read_game_metadata(source):
    """Name, description, roles and player counts, as the game's own process reads them
    (game code never runs here)."""
    from engine.gameproc import logs as game_logs

    from ..games import pool, ref
    meta = game_logs.metadata(pool(), ref(source.folder, source.slug, source.version))
    meta["name"] = str(meta.get("name") or source.slug)[:MAX_GAME_NAME_LENGTH]
    return meta


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
    if not store.stored(source.folder):
        source = GameSource(store.store_version(source.folder, source.slug, source.version),
                            slug=source.slug)
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
