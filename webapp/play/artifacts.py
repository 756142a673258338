"""Saved texts of ``file_edit`` moves: every save is a numbered version on disk.

The engine writes ``artifacts/v0001__<name>`` and logs ``artifact_saved``
(name, version, the saver's role); this module lists and reads them.
"""
import json
import os
import pathlib

from ..live import presence


def artifact_name(spec):
    """The file name the engine uses for a ``file_edit`` parameter's saves."""
    return os.path.basename(str(spec.get("file_path") or spec.get("name") or "")) or "text"


def read_saved(log_path):
    """Every ``artifact_saved`` event of a log, oldest first."""
    found = []
    if not log_path or not os.path.exists(log_path):
        return found
    with open(log_path, "rb") as f:
        for raw in f:
            if b'"artifact_saved"' not in raw:
                continue
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if event.get("type") == "artifact_saved":
                found.append({"name": event.get("name"), "version": event.get("version"),
                              "role": (event.get("actor") or {}).get("role"),
                              "by": (event.get("actor") or {}).get("participant",
                                                                   (event.get("actor") or {})
                                                                   .get("name")),
                              "words": event.get("words"), "k": event.get("k")})
    return found


def has_files(folder):
    return bool(folder) and os.path.isdir(folder) and bool(os.listdir(folder))


def artifact_list(live):
    """The play-through's saved versions (cached per state version)."""
    pt = live.pt
    state = presence.table(live)
    version, cached = state.artifacts
    if version == pt.version:
        return cached
    found = []
    # ``artifact_versions`` counts every saved version (restored on resume): a
    # play-through that saved none is not looked for on disk at every push.
    if pt.artifact_versions and has_files(pt.artifacts_dir) and pt.log is not None:
        names = {s.get("participant"): s.get("name") for s in live.seats.values()}
        found = [dict(a, by=names.get(a["by"], a["by"])) for a in read_saved(pt.log.path)]
    state.artifacts = (pt.version, found)
    return found


def artifact_path(folder, name, version):
    """The file of one saved version, never outside ``folder``."""
    folder = pathlib.Path(folder).resolve()
    path = (folder / f"v{int(version):04d}__{os.path.basename(name)}").resolve()
    return path if path.parent == folder else None


def latest_text(folder, name):
    """Text of the newest saved version of ``name`` in ``folder``, or None."""
    if not has_files(folder):
        return None
    suffix = f"__{name}"
    saved = sorted(n for n in os.listdir(folder) if n.startswith("v") and n.endswith(suffix))
    if not saved:
        return None
    return (pathlib.Path(folder) / saved[-1]).read_text(encoding="utf-8", errors="replace")


def editor_text(live, spec):
    """What the editor opens with: the last saved version, else the game's initial text."""
    saved = latest_text(live.pt.artifacts_dir, artifact_name(spec))
    return saved if saved is not None else str(spec.get("initial_text") or "")


def playthrough_number(live):
    """The play-through's number in its session (looked up once)."""
    state = presence.table(live)
    if state.number is None:
        from ..extensions import db
        from ..models import PlayThroughRecord
        state.number = db.session.get(PlayThroughRecord, live.record_id).number
    return state.number
