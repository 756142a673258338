"""Self-contained export bundles (ZIP) and their offline validation.

Layout (DESIGN.md, "Exports"): ``manifest.json`` (format, session and game
metadata, every other file with its SHA-256), ``game/`` (the exact game
version), ``playthroughs/<n>/log.jsonl``, ``playthroughs/<n>/checkpoints/``,
``playthroughs/<n>/artifacts/``, ``validation.json`` and optionally
``annotations.json``.  Reading checks every member path before anything is
extracted.
"""
import hashlib
import json
import os
import shutil
import stat
import tempfile
import zipfile

from . import ENGINE_VERSION
from .loader import GameLoadError, GameSource, version_hash
from .replay import batch_summary, validate

BUNDLE_FORMAT = 1
MAX_MEMBERS = 100_000
MAX_TOTAL_BYTES = 4 * 1024 ** 3
MAX_RATIO = 200


class BundleError(Exception):
    """A ZIP that is not a valid, safe export bundle."""


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add_tree(zf, folder, prefix, files, skip=("__pycache__",)):
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in sorted(names):
            if name.endswith(".pyc"):
                continue
            path = os.path.join(root, name)
            if os.path.islink(path):
                continue
            arc = prefix + os.path.relpath(path, folder).replace(os.sep, "/")
            zf.write(path, arc)
            files[arc] = _sha256_file(path)


def write_bundle(out_path, meta, game_folder, playthroughs, validation=None,
                 annotations=None, progress=None):
    """Write a bundle; ``playthroughs`` is a list of dicts with ``number``,
    ``log_path`` and optional ``checkpoints_dir``/``artifacts_dir``/``meta``.
    ``progress(done, total)`` is called after each play-through.  The ZIP is
    written to a temporary name and renamed, so a reader never sees half of it."""
    tmp = out_path + ".part"
    files = {}
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        _add_tree(zf, game_folder, "game/", files)
        for i, p in enumerate(playthroughs, 1):
            base = f"playthroughs/{p['number']}/"
            zf.write(p["log_path"], base + "log.jsonl")
            files[base + "log.jsonl"] = _sha256_file(p["log_path"])
            for key, sub in (("checkpoints_dir", "checkpoints/"), ("artifacts_dir", "artifacts/")):
                if p.get(key) and os.path.isdir(p[key]):
                    _add_tree(zf, p[key], base + sub, files)
            if progress:
                progress(i, len(playthroughs))
        for name, data in (("validation.json", validation), ("annotations.json", annotations)):
            if data is not None:
                raw = json.dumps(data, indent=2).encode("utf-8")
                zf.writestr(name, raw)
                files[name] = hashlib.sha256(raw).hexdigest()
        manifest = {"format": BUNDLE_FORMAT, "engine_version": ENGINE_VERSION,
                    "game_version": version_hash(game_folder), **meta,
                    "playthroughs": [{"number": p["number"], **(p.get("meta") or {})}
                                     for p in playthroughs],
                    "files": files}
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    os.replace(tmp, out_path)
    return manifest


def check_members(zf):
    """Refuse absolute paths, '..', links, too many or too large members, bombs."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise BundleError(f"too many files in the ZIP ({len(infos)})")
    total = 0
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise BundleError(f"absolute path in the ZIP: {name}")
        if ".." in name.replace("\\", "/").split("/"):
            raise BundleError(f"path leaving the folder in the ZIP: {name}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise BundleError(f"link in the ZIP: {name}")
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO \
                and info.file_size > 1 << 20:
            raise BundleError(f"suspicious compression ratio for {name}")
    if total > MAX_TOTAL_BYTES:
        raise BundleError("the ZIP unpacks to more than the allowed size")
    return infos


def extract(zip_path, dest):
    with zipfile.ZipFile(zip_path) as zf:
        check_members(zf)
        zf.extractall(dest)


def validate_bundle(zip_path, twice=False, validator=None):
    """Validate an export ZIP offline: manifest sums, game version, every log.
    ``validator(log_path, resolve, twice)`` replays a log (default: in this process;
    the command line passes one that replays in a sandboxed game process, since the
    bundled code is someone else's)."""
    validator = validator or (lambda log, resolve, twice: validate(log, resolve, twice=twice))
    folder = tempfile.mkdtemp(prefix="szbundle-")
    try:
        try:
            extract(zip_path, folder)
            with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
                manifest = json.load(f)
        except (zipfile.BadZipFile, OSError, ValueError, BundleError) as exc:
            return _bundle_error(f"not a readable export bundle: {exc}")
        if manifest.get("kind") == "bulk":
            return _validate_bulk(folder, manifest, twice, validator)
        bad = [name for name, digest in manifest.get("files", {}).items()
               if not os.path.isfile(os.path.join(folder, name))
               or _sha256_file(os.path.join(folder, name)) != digest]
        if bad:
            return _bundle_error(f"files differ from the manifest: {', '.join(sorted(bad)[:5])}")
        try:
            source = GameSource(os.path.join(folder, "game"), slug=manifest.get("game"))
        except GameLoadError as exc:
            return _bundle_error(f"the bundled game does not load: {exc}")
        resolve = (lambda slug, version: source if version == source.version else None)
        reports = []
        for entry in sorted(os.listdir(os.path.join(folder, "playthroughs"))):
            log_path = os.path.join(folder, "playthroughs", entry, "log.jsonl")
            report = validator(log_path, resolve, twice)
            report["path"] = f"playthroughs/{entry}/log.jsonl"
            reports.append(report)
        summary = batch_summary(reports)
        summary["manifest"] = "ok"
        return summary
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _validate_bulk(folder, manifest, twice, validator):
    """A bulk export: check each inner bundle's sum, then validate each bundle."""
    reports = []
    for name, digest in sorted(manifest.get("files", {}).items()):
        path = os.path.join(folder, name)
        if not os.path.isfile(path) or _sha256_file(path) != digest:
            return _bundle_error(f"files differ from the manifest: {name}")
        inner = validate_bundle(path, twice, validator)
        if inner.get("error"):
            return _bundle_error(f"{name}: {inner['error']}")
        for report in inner["reports"]:
            report["path"] = f"{name}!{report['path']}"
            reports.append(report)
    summary = batch_summary(reports)
    summary["manifest"] = "ok"
    return summary


def _bundle_error(message):
    return {"status": "error", "logs": 0, "counts": {}, "canonical": 0, "reports": [],
            "seconds": 0.0, "steps_replayed": 0, "manifest": message, "error": message}
