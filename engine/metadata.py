"""What a game says about itself: name, description, authors, roles, player counts."""
import pathlib

from .playthrough import read_roles

MAX_NAME_LENGTH = 200


def read_metadata(source, formulation):
    """The catalog's facts of a loaded game (no play-through is started)."""
    meta = getattr(formulation, "metadata", None)
    spec = getattr(formulation, "roles_spec", None)
    return {
        "name": str(getattr(meta, "name", None) or source.slug)[:MAX_NAME_LENGTH],
        "brief_desc": str(getattr(meta, "brief_desc", "") or ""),
        "authors": [str(a) for a in (getattr(meta, "authors", None) or [])][:50],
        "roles": [{"num": r.num, "name": r.name, "description": r.description,
                   "observer": r.observer} for r in read_roles(formulation)],
        "min_players": _count(getattr(spec, "min_players_to_start", 1), 1),
        "max_players": _count(getattr(spec, "max_players", None), None),
        "thumbnail": declared_thumbnail(getattr(meta, "thumbnail", None)),
    }


def _count(value, default):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def declared_thumbnail(value):
    """A thumbnail path a game's metadata declares (relative to its folder), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    path = pathlib.PurePosixPath(value.strip().replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return None
    return str(path)
