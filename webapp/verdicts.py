"""A stored verdict is only as good as the file it was made on: every page and API
response that shows one re-checks the log as it is now (hashes only, no replay).

Three facts are compared: the file's hash chain is unbroken; the tip the verdict
was made at (the report's ``tip``) lies on the file's chain; and the latest tip the
play-through's row knows (``tip_seq``/``tip_hash``: rows lag the log, so the rule is
"the row's tip lies on the file's chain") does too.  An edit in the middle breaks
the chain; a file replaced by another chain (however well re-sealed) does not hold
the row's tip; either turns a stale "canonical" into a ``structure`` failure.  A
file that has only grown since its verdict (a live play-through) keeps its verdict,
marked as covering the lines it covered.
"""
import json
import os
import threading

from engine.log import GENESIS, line_hash, read_lines

_cache = {}
_lock = threading.Lock()


def chain_of(path):
    """{"hashes": [line hash...], "broken_at": line number or None} of a log file, cached
    by size and modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (path, st.st_size, st.st_mtime_ns)
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    hashes, broken, prev = [], None, GENESIS
    for i, raw in enumerate(read_lines(path)):
        try:
            recorded = json.loads(raw).get("prev")
        except (ValueError, AttributeError, RecursionError):
            recorded = None
        if recorded != prev and broken is None:
            broken = i + 1
        prev = line_hash(raw)
        hashes.append(prev)
    found = {"hashes": hashes, "broken_at": broken}
    with _lock:
        if len(_cache) > 1024:
            _cache.clear()
        _cache[key] = found
    return found


def on_chain(chain, seq, digest):
    return (type(seq) is int and 0 <= seq < len(chain["hashes"])
            and chain["hashes"][seq] == digest)


def problem(record, report=None):
    """Why the file no longer supports a verdict (text), or None."""
    chain = chain_of(record.log_path)
    if chain is None:
        return "the log file is missing"
    if chain["broken_at"] is not None:
        return (f"the log file was changed after it was written: its hash chain breaks at "
                f"line {chain['broken_at']}")
    seq, digest = getattr(record, "tip_seq", None), getattr(record, "tip_hash", None)
    if digest and not on_chain(chain, seq, digest):
        return (f"the log file is not the one the portal wrote: it does not hold line "
                f"{(seq or 0) + 1} as recorded")
    tip = (report or {}).get("tip") if isinstance(report, dict) else None
    if isinstance(tip, dict) and tip.get("hash") and not on_chain(chain, tip.get("seq"),
                                                                   tip.get("hash")):
        return "the log file was replaced after it was validated"
    return None


def rechecked(record, report):
    """``report`` as it stands against the file now: unchanged, marked as covering fewer
    lines than the file has, or overruled by a ``structure`` failure."""
    if not isinstance(report, dict):
        return report
    if report.get("status") == "non_canonical":
        return report                  # already not canonical: its own failure stands
    why = problem(record, report)
    if why is None:
        chain = chain_of(record.log_path)
        tip = report.get("tip") if isinstance(report.get("tip"), dict) else None
        if tip and chain and tip.get("seq") is not None \
                and tip["seq"] + 1 < len(chain["hashes"]):
            return dict(report, covers_lines=tip["seq"] + 1,
                        file_lines=len(chain["hashes"]))
        return report
    chain = chain_of(record.log_path)
    broken = chain and chain["broken_at"]
    seq = max(broken - 2, 0) if broken else None     # the line edited is the one before
    return dict(report, status="non_canonical", counts={"structure": 1},
                stored_status=report.get("status"), rechecked=why,
                first_failure={"class": "structure", "step": None, "seq": seq,
                               "line": seq + 1 if seq is not None else None,
                               "event": None, "operator": None,
                               "op_name": None, "args": None, "message": why, "diff": [],
                               "explain": None})


def current_status(record):
    """(status, class) of a row's verdict, re-checked against the file now."""
    status = record.validation_status
    if status in (None, ""):
        return None, None
    stored = record.validation_report
    why = problem(record, stored if isinstance(stored, dict) else None)
    if why is not None:
        return "non_canonical", "structure"
    return status, record.validation_class


def verdict(record):
    """What a page shows of a row's verdict, re-checked: status, class, message, step."""
    stored = record.validation_report if isinstance(record.validation_report, dict) else None
    report = rechecked(record, stored) if stored is not None else None
    status, cls = current_status(record)
    failure = (report or {}).get("first_failure") or {}
    return {"status": status, "class": cls if status == "non_canonical" else None,
            "message": failure.get("message") or "", "step": failure.get("step"),
            "rechecked": (report or {}).get("rechecked")}
