"""Unpack an uploaded game ZIP (or copy a folder) into a temporary folder, refusing anything unsafe.

Every member is checked before a byte is written: absolute paths, ``..``,
links and special files, too many files, too large files, suspicious
compression ratios. Extraction then streams each member and stops at its
declared size, so a lying header cannot write more than was checked.
"""
import os
import pathlib
import re
import shutil
import stat
import zipfile

MAX_FILES = 1000
MAX_FILE_BYTES = 20 * 1024 ** 2
MAX_TOTAL_BYTES = 50 * 1024 ** 2
MAX_RATIO = 100
RATIO_FROM_BYTES = 256 * 1024        # tiny files compress well for honest reasons
SKIPPED_PARTS = {"__MACOSX", "__pycache__", ".git", ".DS_Store"}
SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class UnsafeArchive(Exception):
    """The upload is refused; the message says why, for people."""


def slug_from(name):
    slug = name.strip().lower().replace("-", "_").replace(" ", "_")
    if not SLUG_RE.match(slug):
        raise UnsafeArchive(f"“{name}” cannot be a game name: use letters, digits and "
                            "underscores, starting with a letter.")
    return slug


def member_parts(name):
    """The path parts of a ZIP member name, refusing absolute and escaping paths."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or re.match(r"^[A-Za-z]:", clean):
        raise UnsafeArchive(f"The ZIP contains an absolute path: {name}")
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchive(f"The ZIP contains a path leaving its folder (..): {name}")
    return parts


def check_member(info):
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UnsafeArchive(f"The ZIP contains a link: {info.filename}")
    if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise UnsafeArchive(f"The ZIP contains a special file: {info.filename}")
    if info.flag_bits & 0x1:
        raise UnsafeArchive(f"The ZIP contains an encrypted file: {info.filename}")
    if info.file_size > MAX_FILE_BYTES:
        raise UnsafeArchive(f"{info.filename} is too large "
                            f"({info.file_size} bytes; at most {MAX_FILE_BYTES}).")
    if info.file_size > RATIO_FROM_BYTES and \
            info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise UnsafeArchive(f"{info.filename} has a suspicious compression ratio "
                            f"({info.file_size // max(info.compress_size, 1)}:1); "
                            "it looks like a ZIP bomb.")


def checked_members(zf):
    """(parts, info) of the files to extract; raises UnsafeArchive on the first problem."""
    infos = zf.infolist()
    if len(infos) > MAX_FILES:
        raise UnsafeArchive(f"The ZIP has too many files ({len(infos)}; at most {MAX_FILES}).")
    total, members, seen = 0, [], set()
    for info in infos:
        parts = member_parts(info.filename)
        check_member(info)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise UnsafeArchive(f"The ZIP unpacks to more than {MAX_TOTAL_BYTES} bytes.")
        if not parts or info.is_dir() or SKIPPED_PARTS & set(parts):
            continue
        key = "/".join(parts).lower()
        if key in seen:
            raise UnsafeArchive(f"The ZIP contains {info.filename} twice.")
        seen.add(key)
        members.append((parts, info))
    if not members:
        raise UnsafeArchive("The ZIP is empty.")
    return members


def game_root(members, fallback_name):
    """(slug, members relative to the game folder): one top folder, or files at the top."""
    tops = {parts[0] for parts, _ in members}
    if len(tops) == 1 and all(len(parts) > 1 for parts, _ in members):
        top = tops.pop()
        return slug_from(top), [(parts[1:], info) for parts, info in members]
    return slug_from(fallback_name), members


def stream_member(zf, info, target):
    written = 0
    with zf.open(info) as src, open(target, "xb") as dst:
        while True:
            block = src.read(1 << 16)
            if not block:
                break
            written += len(block)
            if written > info.file_size:
                raise UnsafeArchive(f"{info.filename} is larger than its header says.")
            dst.write(block)


def unpack_zip(zip_path, dest, fallback_name):
    """Extract a game ZIP into ``dest``/<slug>/; returns that folder."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            slug, members = game_root(checked_members(zf), fallback_name)
            folder = pathlib.Path(dest) / slug
            folder.mkdir(parents=True)
            root = folder.resolve()
            for parts, info in members:
                target = folder.joinpath(*parts)
                if not target.resolve().is_relative_to(root):
                    raise UnsafeArchive(f"The ZIP contains a path leaving its folder: "
                                        f"{info.filename}")
                target.parent.mkdir(parents=True, exist_ok=True)
                stream_member(zf, info, target)
            return folder
    except zipfile.BadZipFile:
        raise UnsafeArchive("The file is not a ZIP archive (or it is damaged).")
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise UnsafeArchive(f"The ZIP cannot be read: {exc}")


def copy_folder(source, dest):
    """Copy a game folder into ``dest``/<slug>/ with the same limits as a ZIP; returns it."""
    source = pathlib.Path(source)
    folder = pathlib.Path(dest) / slug_from(source.name)
    count = total = 0
    for root, dirs, names in os.walk(source):
        dirs[:] = [d for d in dirs if d not in SKIPPED_PARTS]
        for name in dirs + names:
            path = pathlib.Path(root) / name
            if path.is_symlink():
                raise UnsafeArchive(f"The folder contains a link: {path.relative_to(source)}")
        for name in names:
            path = pathlib.Path(root) / name
            if name in SKIPPED_PARTS or name.endswith((".pyc", ".pyo")):
                continue
            if not path.is_file():
                raise UnsafeArchive(f"The folder contains a special file: "
                                    f"{path.relative_to(source)}")
            count, total = count + 1, total + path.stat().st_size
            if count > MAX_FILES or total > MAX_TOTAL_BYTES:
                raise UnsafeArchive("The folder has too many files or is too large.")
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns(*SKIPPED_PARTS, "*.pyc"))
    return folder
