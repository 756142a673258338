"""Play-throughs rebuilt from their logs for the viewer, and their validation reports.

A rebuilt play-through is kept per record and only moves forward: showing
the next event applies one more recorded event; going back replays from the
header.  Replaying forward (instead of rendering old states kept in a list)
matters for games that keep facts in module globals during play: the view at
event N is then exactly what the game would have drawn at event N.
"""
import collections
import json
import os
import threading

from flask import current_app

from engine.gameproc import logs as game_logs
from engine.gameproc.remote import role_view
from engine.loader import GameLoadError, GameSource
from engine.log import read_events
from engine.playthrough import MoveError

from ..games import pool, ref
from ..models import GameVersion

CACHE_SIZE = 4
VIEWS_KEPT = 256


def resolve(slug, version_hash):
    """The installed game of exactly this version (as game processes know it), or None."""
    version = GameVersion.query.filter_by(version_hash=version_hash).first()
    if version is None or version.game.slug != slug:
        return None
    try:
        source = GameSource(version.folder, slug=slug)
    except GameLoadError:
        return None
    return ref(source.folder, slug, version_hash) if source.version == version_hash else None


def log_signature(path):
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


class ReplayError(Exception):
    """The log cannot be rebuilt at all (missing, unknown game version...)."""


class Replay:
    """One play-through rebuilt from its log in its game's process, for the viewer.

    The game process keeps the rebuilt play-through and only moves it forward;
    going back replays from the header.  Replaying forward (instead of rendering old
    states kept in a list) matters for games that keep facts in module globals during
    play: the view at event N is then exactly what the game drew at event N."""

    def __init__(self, log_path, key):
        self.log_path = log_path
        self.key = key
        self.lock = threading.RLock()
        self.signature = None
        self.events = []
        self.game = None
        self.views = collections.OrderedDict()
        self.refresh()

    def refresh(self):
        """Re-read the log if it has grown (a play-through still in progress)."""
        signature = log_signature(self.log_path)
        if signature is None:
            raise ReplayError("The play-through's log file is missing.")
        if signature != self.signature:
            try:
                events = read_events(self.log_path)
            except ValueError as exc:
                raise ReplayError(f"The log is not valid JSON lines: {exc}") from exc
            if not events or events[0].get("type") != "playthrough_started":
                raise ReplayError("The log has no header.")
            if events[:len(self.events)] != self.events:
                self.views.clear()
            self.events, self.signature = events, signature

    def view(self, seq, role, base_url):
        """(RoleView of ``role`` after event ``seq``, the state's step k, failure or None)."""
        with self.lock:
            key = (seq, role, base_url)
            if key not in self.views:
                self.views[key] = self._render(min(seq, len(self.events) - 1), role, base_url)
                while len(self.views) > VIEWS_KEPT:
                    self.views.popitem(last=False)
            self.views.move_to_end(key)
            return self.views[key]

    def _render(self, upto, role, base_url):
        if self.game is None:
            header = self.events[0]
            self.game = resolve(header.get("game"), header.get("game_version"))
            if self.game is None:
                raise ReplayError("The exact game version of this log is not installed.")
        try:
            answer = game_logs.replay_view(pool(), self.game, self.key, self.events[:upto + 1],
                                           upto, [role], base_url)
        except (game_logs.CallError, MoveError) as exc:
            raise ReplayError(f"The game could not rebuild this play-through: "
                              f"{getattr(exc, 'message', exc)}") from exc
        failure = tuple(answer["failure"]) if answer.get("failure") else None
        return role_view(answer["views"][0]), answer["k"], failure

    def close(self):
        self.views.clear()


class ReplayCache:
    """The few most recently viewed play-throughs, rebuilt (per process)."""

    def __init__(self, size=CACHE_SIZE):
        self.size = size
        self.lock = threading.Lock()
        self.items = collections.OrderedDict()

    def get(self, record):
        with self.lock:
            replay = self.items.get(record.id)
            if replay is None or replay.log_path != record.log_path:
                replay = Replay(record.log_path, f"viewer-{record.id}")
                self.items[record.id] = replay
            self.items.move_to_end(record.id)
            evicted = []
            while len(self.items) > self.size:
                evicted.append(self.items.popitem(last=False)[1])
        for old in evicted:
            with old.lock:
                old.close()
        with replay.lock:
            replay.refresh()
        return replay


def replays():
    cache = current_app.extensions.get("research_replays")
    if cache is None:
        cache = current_app.extensions.setdefault("research_replays", ReplayCache())
    return cache


_reports = {}
_reports_lock = threading.Lock()


def stored_report(record):
    """The validation report kept on the row by the validation job, if any."""
    stored = getattr(record, "validation_report", None)
    if isinstance(stored, str) and stored.strip():
        try:
            stored = json.loads(stored)
        except ValueError:
            return None
    return stored if isinstance(stored, dict) else None


def validation_report(record):
    """(report, "stored" | "on_demand"): the stored report, else a fresh validation."""
    from ..verdicts import rechecked
    stored = stored_report(record)
    if stored is not None:
        return rechecked(record, stored), "stored"
    key = (record.id, record.log_path, log_signature(record.log_path))
    with _reports_lock:
        if key in _reports:
            return _reports[key], "on_demand"
    report = rechecked(record, validate_stored(record.log_path,
                                               allow_open=record.status != "ended"))
    with _reports_lock:
        if len(_reports) > 256:
            _reports.clear()
        _reports[key] = report
    return report, "on_demand"


def validation_class(record):
    """The defect class of a play-through from its row only (no replay): a class name,
    canonical, error, or unvalidated."""
    from ..verdicts import current_status
    status, checked_class = current_status(record)
    if status is None:
        return "unvalidated"
    if status != "non_canonical":
        return status
    if checked_class == "structure" and record.validation_status != "non_canonical":
        return "structure"
    cls = getattr(record, "validation_class", None)
    report = stored_report(record)
    if not cls and report and report.get("first_failure"):
        cls = report["first_failure"].get("class")
    return cls or "non_canonical"


def validate_stored(log_path, allow_open=False, twice=False):
    """Validate a stored log, its replay in its game's process."""
    from engine.gameproc.logs import validate_with
    from ..signing import keyring
    return validate_with(pool(), resolve, log_path, allow_open=allow_open, twice=twice,
                         keyring=keyring())
