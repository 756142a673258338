"""Install a game version: stage and check an upload, then store it immutably and register it."""
import json
import os
import pathlib
import re
import shutil
import tempfile

from flask import current_app

from engine.loader import version_hash

from ..catalog import store
from ..catalog.seeding import install_game
from ..extensions import db
from ..models import Game, GameVersion
from .archive import UnsafeArchive, copy_folder, unpack_zip
from .models import GameInstall, GameStatusChange
from .smoke import check_folder

TOKEN_RE = re.compile(r"^[A-Za-z0-9_]{8,64}$")


class InstallError(Exception):
    """An install that cannot go on; the message is for people."""


def data_dir(name):
    return pathlib.Path(current_app.config["DATA_DIR"]) / name


def staging_root():
    return data_dir("install_staging")


def versions_root():
    return data_dir("game_versions")


def check_limits():
    return (current_app.config.get("INSTALL_CHECK_SECONDS"),
            current_app.config.get("INSTALL_CHECK_MEMORY_BYTES"))


def expire_staged(root, max_age):
    """Remove staged uploads older than ``max_age`` seconds (a review left open, or a
    server stopped mid-check); returns how many went."""
    import time
    root = pathlib.Path(root)
    if not root.is_dir():
        return 0
    cutoff, gone = time.time() - max_age, 0
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                gone += 1
        except OSError:
            continue
    return gone


def stage(unpack, source_name, user=None):
    """Unpack into a new staging folder and check it there; returns (token, review).

    The review names its uploader: only that account may see, confirm or discard it."""
    expire_staged(staging_root(), current_app.config["STAGED_INSTALL_SECONDS"])
    staging_root().mkdir(parents=True, exist_ok=True)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="st_", dir=staging_root()))
    token = folder.name
    try:
        game_folder = unpack(folder / "game")
        review = check_folder(game_folder, *check_limits())
        review.update(token=token, slug=game_folder.name, folder=str(game_folder),
                      source_name=str(source_name)[:255],
                      uploader_id=user.id if user is not None else None)
        annotate(review, game_folder)
    except UnsafeArchive as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise InstallError(str(exc))
    if not review["ok"]:
        shutil.rmtree(folder, ignore_errors=True)
        return None, review
    (folder / "review.json").write_text(json.dumps(review))
    return token, review


def annotate(review, game_folder):
    """Add what the admin needs to decide: new game or new version, already installed."""
    game = Game.query.filter_by(slug=game_folder.name).first()
    review["existing_game"] = game.name if game else None
    # A folder named like an installed game may be a new version of it or another game
    # that happens to share the name (built-in names are common): the installer says.
    review["free_slug"] = free_slug(game_folder.name) if game else None
    if not review["ok"]:
        return
    version = version_hash(game_folder)
    if review["game"]["version"] != version:
        review.update(ok=False, error="The game changed its own files during the check.")
    elif GameVersion.query.filter_by(version_hash=version).first() is not None:
        review.update(ok=False, error="This exact version of the game is already installed.")


def free_slug(slug):
    """The first of ``slug_2``, ``slug_3``... that no game has."""
    n = 2
    while Game.query.filter_by(slug=f"{slug[:60]}_{n}").first() is not None:
        n += 1
    return f"{slug[:60]}_{n}"


AS_VERSION, AS_NEW_GAME = "new-version", "new-game"


def stage_zip(zip_path, upload_name, user=None):
    """Stage an uploaded ZIP (``upload_name`` names the game if files are at the top)."""
    stem = pathlib.PurePath(upload_name or "game.zip").stem
    return stage(lambda dest: unpack_zip(zip_path, dest, stem), upload_name or "", user)


def stage_folder(path):
    return stage(lambda dest: copy_folder(path, dest), f"cli:{pathlib.Path(path).name}")


def staged(token, user=None):
    """The review of a staged, checked upload of ``user`` (None: the console's), or None."""
    if not token or not TOKEN_RE.match(token):
        return None
    path = staging_root() / token / "review.json"
    if not path.is_file():
        return None
    import time
    if time.time() - path.stat().st_mtime > current_app.config["STAGED_INSTALL_SECONDS"]:
        shutil.rmtree(staging_root() / token, ignore_errors=True)
        return None
    review = json.loads(path.read_text())
    if review.get("uploader_id") != (user.id if user is not None else None):
        return None
    return review


def discard(token, user=None):
    """Throw away a staged upload of ``user``; returns False if there is none."""
    if staged(token, user) is None:
        return False
    shutil.rmtree(staging_root() / token, ignore_errors=True)
    return True


def store_version(folder, slug, version):
    """Copy a checked folder to the store of versions, never overwriting."""
    try:
        return store.store_version(folder, slug, version)
    except store.StoreError as exc:
        raise InstallError(str(exc)) from exc


def confirm(token, user=None, install_as=None, new_slug=None):
    """Install a staged version of ``user``: immutable folder, GameVersion row, install record.

    When a game of the folder's name is installed, ``install_as`` must say what this is:
    ``new-version`` of that game, or a ``new-game`` under ``new_slug`` (default: a free
    ``<name>_<n>``)."""
    review = staged(token, user)
    if review is None:
        raise InstallError("This upload is no longer waiting for review; upload it again.")
    if review.get("existing_game"):
        if install_as not in (AS_VERSION, AS_NEW_GAME):
            raise InstallError(f"A game named {review['slug']!r} (“{review['existing_game']}”) "
                               "is installed: say whether this is a new version of it or a "
                               "new game.")
        if install_as == AS_NEW_GAME:
            from .archive import SLUG_RE
            slug = (new_slug or review.get("free_slug") or "").strip()
            if not SLUG_RE.match(slug):
                raise InstallError(f"{slug!r} cannot name a game: lower-case letters, digits "
                                   "and _, starting with a letter.")
            if Game.query.filter_by(slug=slug).first() is not None:
                raise InstallError(f"A game {slug!r} exists already; choose another name.")
            review = dict(review, slug=slug, renamed_from=review["slug"])
    try:
        return install_checked(pathlib.Path(review["folder"]), review, user)
    finally:
        discard(token, user)


def install_checked(folder, review, user):
    version = review["game"]["version"]
    if GameVersion.query.filter_by(version_hash=version).first() is not None:
        raise InstallError("This exact version of the game is already installed.")
    existing = Game.query.filter_by(slug=review["slug"]).first()
    is_new = existing is None
    if existing is not None and user is not None and not (user.is_admin and user.perm_games):
        from ..accounts.access import installed_by
        if not installed_by(user, existing):
            raise InstallError(f"A game {review['slug']!r} already exists and is not yours; "
                               "rename your game's folder or ask a game admin.")
    target = store_version(folder, review["slug"], version)
    if review.get("renamed_from"):
        from engine.loader import GameSource
        if GameSource(target).pff_path.name != GameSource(folder).pff_path.name:
            raise InstallError("This game's main file is found by its folder's name, so it "
                               "cannot be installed under another one; rename the folder.")
    row = install_game(target, status="dev")
    if is_new:
        db.session.add(GameStatusChange(game=row.game, to_status="dev",
                                        user_id=user.id if user else None))
    db.session.add(GameInstall(game_version=row, user_id=user.id if user else None,
                               source_name=review.get("source_name", ""),
                               check_result={"rows": review["rows"]}))
    db.session.commit()
    return row
