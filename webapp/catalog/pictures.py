"""A picture for every game: the thumbnail its metadata declares, else the first image in
its folder, else a generated one (its initials on a colour of its own).

Read from what install stored (the version's metadata) and from the version's files:
no game code is loaded here.
"""
import hashlib
import os
import pathlib

from markupsafe import escape

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
SKIPPED = {"__pycache__", "__MACOSX", ".git"}
COLOURS = ("#1f5fbf", "#1e7b34", "#a35c00", "#b3261e", "#6b3fa0", "#00796b", "#455a64",
           "#c2185b")
_found = {}


def is_image(name):
    return pathlib.PurePosixPath(name).suffix.lower() in IMAGE_SUFFIXES


def declared(version):
    """The metadata's thumbnail, if it names an image file inside the version's folder."""
    name = (version.meta or {}).get("thumbnail")
    if not name or not is_image(name):
        return None
    root = pathlib.Path(version.folder).resolve()
    path = (root / name).resolve()
    return name if path.is_relative_to(root) and path.is_file() else None


def first_image(folder):
    """The first image file of a folder, in sorted order, top level first."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not d.startswith("."))
        for name in sorted(files):
            if is_image(name) and not name.startswith("."):
                return os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/")
    return None


def picture_file(version):
    """(folder, relative path) of the version's picture, or None for a generated one.
    Version folders never change, so the answer is kept per version."""
    key = (version.version_hash, version.folder)      # ids are reused across databases
    if key not in _found:
        name = declared(version) or first_image(version.folder)
        _found[key] = (version.folder, name) if name else None
    return _found[key]


def initials(name):
    words = [w for w in str(name).replace("-", " ").replace("_", " ").split() if w[:1].isalnum()]
    return ("".join(w[0] for w in words[:2]) or "?").upper()


def generated_svg(game):
    """An SVG with the game's initials on a colour chosen by its slug."""
    colour = COLOURS[int(hashlib.sha256(game.slug.encode()).hexdigest(), 16) % len(COLOURS)]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" '
            f'viewBox="0 0 320 180" role="img" aria-label="{escape(game.name)}">'
            f'<rect width="320" height="180" fill="{colour}"/>'
            f'<text x="160" y="112" font-family="sans-serif" font-size="72" font-weight="700" '
            f'fill="#fff" text-anchor="middle">{escape(initials(game.name))}</text></svg>')
