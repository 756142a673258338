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
import shutil
import tempfile
import threading

from flask import current_app

from engine.checkpoint import apply_recorded
from engine.loader import GameSource, GameLoadError
from engine.log import read_events
from engine.playthrough import PlayThrough
from engine.replay import validate
from engine.views import role_view

from ..models import GameVersion

CACHE_SIZE = 4
VIEWS_KEPT = 256


def resolve(slug, version_hash):
    """The installed game folder of exactly this version, or None."""
    version = GameVersion.query.filter_by(version_hash=version_hash).first()
    if version is None or version.game.slug != slug:
        return None
    try:
        source = GameSource(version.folder, slug=slug)
    except GameLoadError:
        return None
    return source if source.version == version_hash else None


def log_signature(path):
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


class ReplayError(Exception):
    """The log cannot be rebuilt at all (missing, unknown game version...)."""


class Replay:
    """One play-through rebuilt from its log, advanced event by event."""

    def __init__(self, log_path):
        self.log_path = log_path
        self.lock = threading.RLock()
        self.signature = None
        self.events = []
        self.pt = None
        self.folder = None
        self.at = -1                    # seq of the last event applied
        self.failure = None             # (seq, message) of an event that cannot be applied
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
                self._reset()
            self.events, self.signature = events, signature

    def _reset(self):
        self.close()
        self.at, self.failure = -1, None
        self.views.clear()

    def _start(self):
        header = self.events[0]
        source = resolve(header.get("game"), header.get("game_version"))
        if source is None:
            raise ReplayError("The exact game version of this log is not installed.")
        self.folder = tempfile.mkdtemp(prefix="szviewer-")
        self.pt = PlayThrough(source, seed=header["seed"], config=header.get("config"),
                              session_folder=self.folder, seats=header.get("seats") or (),
                              auto_bookkeeping=False)
        self.at = 0

    def _advance_to(self, seq):
        if self.pt is None or self.at > seq:
            self._reset()
            self._start()
        while self.at < seq and self.failure is None:
            event = self.events[self.at + 1]
            try:
                apply_recorded(self.pt, event)
            except Exception as exc:  # a tampered or foreign log: show how far it goes
                self.failure = (self.at + 1, f"{type(exc).__name__}: {exc}")
                break
            self.at += 1

    def view(self, seq, role, base_url):
        """(RoleView of ``role`` after event ``seq``, the state's step k, failure or None)."""
        with self.lock:
            key = (seq, role, base_url)
            if key not in self.views:
                self._advance_to(min(seq, len(self.events) - 1))
                self.views[key] = (role_view(self.pt, role, base_url), self.pt.k,
                                   self.failure if self.failure and self.failure[0] <= seq
                                   else None)
                while len(self.views) > VIEWS_KEPT:
                    self.views.popitem(last=False)
            self.views.move_to_end(key)
            return self.views[key]

    def close(self):
        if self.pt is not None:
            self.pt.close()
            self.pt = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


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
                replay = Replay(record.log_path)
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
    stored = stored_report(record)
    if stored is not None:
        return stored, "stored"
    key = (record.id, record.log_path, log_signature(record.log_path))
    with _reports_lock:
        if key in _reports:
            return _reports[key], "on_demand"
    report = validate(record.log_path, resolve, allow_open=record.status != "ended")
    with _reports_lock:
        if len(_reports) > 256:
            _reports.clear()
        _reports[key] = report
    return report, "on_demand"


def validation_class(record):
    """The defect class of a play-through from its row only (no replay): a class name,
    canonical, error, or unvalidated."""
    if record.validation_status in (None, ""):
        return "unvalidated"
    if record.validation_status != "non_canonical":
        return record.validation_status
    cls = getattr(record, "validation_class", None)
    report = stored_report(record)
    if not cls and report and report.get("first_failure"):
        cls = report["first_failure"].get("class")
    return cls or "non_canonical"
