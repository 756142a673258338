"""Install game folders into the catalog: a Game row per slug, a GameVersion per hash."""
import logging
import pathlib

from engine.loader import GameSource
from engine.playthrough import read_roles

from ..extensions import db
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
        }
    finally:
        loaded.unload()


def install_game(folder, status="published"):
    """Add or update the catalog entry of one game folder; returns the GameVersion."""
    source = GameSource(folder)
    version = GameVersion.query.filter_by(version_hash=source.version).first()
    if version is not None:
        return version
    meta = read_game_metadata(source)
    game = Game.query.filter_by(slug=source.slug).first()
    if game is None:
        game = Game(slug=source.slug, status=status)
        db.session.add(game)
    game.name, game.brief_desc = meta.pop("name"), meta.pop("brief_desc")
    game.game_metadata = meta
    version = GameVersion(game=game, version_hash=source.version, folder=str(source.folder))
    db.session.add(version)
    db.session.commit()
    return version


def seed_games(games_dir, status="published"):
    """Install every game folder (a subfolder with a PFF) under ``games_dir``."""
    installed = []
    for folder in sorted(pathlib.Path(games_dir).iterdir()):
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        try:
            installed.append(install_game(folder, status))
        except Exception as exc:  # GameLoadError or the game's own code: skip only this one
            db.session.rollback()
            log.warning("skipping game folder %s: %s", folder, exc)
    return installed
