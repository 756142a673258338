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
from .log import read_lines
from .replay import _signature, batch_summary, validate
from .signing import ABSENT, Keyring, files_digest, tip_message

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
                 annotations=None, progress=None, signer=None):
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
        if signer is not None:
            # The portal's public key travels with the export (a checker trusts it only
            # if it trusts the portal), and the manifest's file list is signed.
            manifest["signing_key"] = signer.public()
            manifest["signature"] = signer.sign(
                tip_message("manifest", {"files_digest": files_digest(files)}))
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


def manifest_problems(folder, manifest):
    """Every way the unpacked files and the manifest disagree: a listed file missing or
    changed, a file present but not listed, a listed play-through without its log, a
    log whose play-through is not listed."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        return ["the manifest has no file list"]
    problems = []
    for name, digest in sorted(files.items()):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            problems.append(f"{name} is listed but missing")
        elif _sha256_file(path) != digest:
            problems.append(f"{name} differs from its listed sum")
    present = set()
    for root, _, names in os.walk(folder):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), folder).replace(os.sep, "/")
            present.add(rel)
    for name in sorted(present - set(files) - {"manifest.json"}):
        problems.append(f"{name} is in the ZIP but not in the manifest")
    listed = manifest.get("playthroughs")
    if not isinstance(listed, list):
        return problems + ["the manifest lists no play-throughs"]
    numbers = {str(p.get("number")) for p in listed if isinstance(p, dict)}
    logs = {n.split("/")[1] for n in present
            if n.startswith("playthroughs/") and n.endswith("/log.jsonl")
            and n.count("/") == 2}
    for n in sorted(numbers - logs):
        problems.append(f"play-through {n} is listed but its log is not in the ZIP")
    for n in sorted(logs - numbers):
        problems.append(f"playthroughs/{n}/log.jsonl is in the ZIP but its play-through is "
                        "not listed")
    return problems


def manifest_signature(manifest, keyring):
    """``valid`` / ``invalid`` / ``absent`` / ``unknown key`` for a manifest's signature:
    a key that only the ZIP itself carries is not trusted."""
    sig = manifest.get("signature")
    if not sig:
        return ABSENT
    files = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    return (keyring or Keyring()).verify("manifest", {"files_digest": files_digest(files)},
                                         sig)


def validate_bundle(zip_path, twice=False, validator=None, keyring=None, known=None):
    """Validate an export ZIP offline: manifest sums, game version, every log.
    ``validator(log_path, resolve, twice)`` replays a log (default: in this process;
    the command line passes one that replays in a sandboxed game process, since the
    bundled code is someone else's).  ``keyring``: the keys trusted for signatures;
    ``known(slug, version)``: whether the validating portal has that game version."""
    validator = validator or (lambda log, resolve, twice: validate(log, resolve, twice=twice))
    folder = tempfile.mkdtemp(prefix="szbundle-")
    try:
        try:
            extract(zip_path, folder)
            with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
                manifest = json.load(f)
        except (zipfile.BadZipFile, OSError, ValueError, BundleError) as exc:
            return _bundle_error(f"not a readable export bundle: {exc}")
        if not isinstance(manifest, dict):
            return _bundle_error("the manifest is not a JSON object")
        if manifest.get("kind") == "bulk":
            return _validate_bulk(folder, manifest, twice, validator, keyring, known)
        problems = manifest_problems(folder, manifest)
        if problems:
            summary = _bundle_error("files differ from the manifest: " + "; ".join(problems[:5]))
            summary["manifest_problems"] = problems
            return summary
        try:
            source = GameSource(os.path.join(folder, "game"), slug=manifest.get("game"))
        except GameLoadError as exc:
            return _bundle_error(f"the bundled game does not load: {exc}")
        resolve = (lambda slug, version: source if version == source.version else None)
        reports = []
        folder_logs = os.path.join(folder, "playthroughs")
        for entry in sorted(os.listdir(folder_logs) if os.path.isdir(folder_logs) else []):
            log_path = os.path.join(folder_logs, entry, "log.jsonl")
            report = validator(log_path, resolve, twice)
            report["signature"] = _signature(read_lines(log_path), keyring)
            report["path"] = f"playthroughs/{entry}/log.jsonl"
            reports.append(report)
        summary = batch_summary(reports)
        summary["manifest"] = "ok"
        summary["manifest_signature"] = manifest_signature(manifest, keyring)
        shipped = manifest.get("signing_key") or {}
        summary["shipped_key"] = shipped.get("key") if isinstance(shipped, dict) else None
        summary["game_version"] = {
            "slug": source.slug, "version": source.version,
            "known": None if known is None else bool(known(source.slug, source.version))}
        return summary
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _validate_bulk(folder, manifest, twice, validator, keyring=None, known=None):
    """A bulk export: check each inner bundle's sum, then validate each bundle."""
    reports = []
    for name, digest in sorted(manifest.get("files", {}).items()):
        path = os.path.join(folder, name)
        if not os.path.isfile(path) or _sha256_file(path) != digest:
            return _bundle_error(f"files differ from the manifest: {name}")
        inner = validate_bundle(path, twice, validator, keyring, known)
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
