"""The store of installed game versions: one immutable copy of each version's folder.

``<DATA_DIR>/game_versions/<slug>/<hash>/<slug>/``: a version is never changed
after it is stored, so every log stays replayable with exactly the code that
wrote it, even when the folder it came from (a built-in game being edited, say)
changes later.
"""
import os
import pathlib
import shutil
import tempfile

from flask import current_app

from engine.loader import _IGNORED_PARTS, version_hash


class StoreError(Exception):
    """A version folder that cannot be stored; the message is for people."""


def versions_root():
    return pathlib.Path(current_app.config["DATA_DIR"]) / "game_versions"


def stored(folder):
    """True if ``folder`` is already a stored version."""
    try:
        pathlib.Path(folder).resolve().relative_to(versions_root().resolve())
        return True
    except ValueError:
        return False


def store_version(folder, slug, version):
    """The stored copy of ``folder`` (version ``version``), made now if it is not there."""
    home = versions_root() / slug / version
    target = home / slug
    if home.exists():
        if target.is_dir() and version_hash(target) == version:
            return target
        raise StoreError(f"The version folder {home} exists with other contents.")
    home.parent.mkdir(parents=True, exist_ok=True)
    partial = pathlib.Path(tempfile.mkdtemp(prefix=f".{version[:12]}-", dir=home.parent))
    shutil.copytree(folder, partial / slug, ignore=shutil.ignore_patterns(*_IGNORED_PARTS,
                                                                           "*.pyc", "*.pyo"))
    if version_hash(partial / slug) != version:
        shutil.rmtree(partial, ignore_errors=True)
        raise StoreError("The game's files changed while they were being stored.")
    try:
        os.rename(partial, home)
    except OSError:                 # stored by another process meanwhile
        shutil.rmtree(partial, ignore_errors=True)
        if not (target.is_dir() and version_hash(target) == version):
            raise
    return target
