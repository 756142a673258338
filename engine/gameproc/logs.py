"""Calls on whole logs, made by hosts that look back (viewers, jobs, the command line):
each runs in the game process of the log's game version, with a generous time limit."""
import re

from .host import GameDied, GameTimeout
from .protocol import CallError

LOG_SECONDS = 600.0


def _call(pool, game, name, timeout=LOG_SECONDS, **args):
    proc = pool.process(game.folder, game.slug, game.version)
    try:
        return proc.call(name, timeout, **args)
    except (GameTimeout, GameDied):
        pool.drop(proc)
        raise


def metadata(pool, game):
    """The game's catalog facts (read by its process when it loaded the game)."""
    return dict(pool.process(game.folder, game.slug, game.version).metadata or {})


def checkpoint_of(pool, game, events):
    return _call(pool, game, "checkpoint_of", events=events)


def replay_view(pool, game, key, events, upto, roles=(), base_url=""):
    return _call(pool, game, "replay_view", timeout=120.0, key=key, events=events,
                 upto=upto, roles=list(roles), base_url=base_url)


def trail(pool, game, log_text):
    return _call(pool, game, "trail", log_text=log_text)


def check(pool, game, runs=2, max_moves=2000, timeout=LOG_SECONDS, return_logs=False):
    return _call(pool, game, "check", timeout=timeout, runs=runs, max_moves=max_moves,
                 return_logs=return_logs)


__all__ = ["CallError", "GameDied", "GameTimeout", "metadata", "trace", "checkpoint_of",
           "replay_view", "trail", "check"]


def as_ref(found):
    """A GameRef from what a resolver returns (a GameRef, a GameSource, or None)."""
    from ..loader import GameSource
    from .remote import GameRef
    if found is None or isinstance(found, GameRef):
        return found
    if isinstance(found, GameSource):
        return GameRef(str(found.folder), found.slug, found.version)
    raise TypeError(f"a resolver returned {type(found).__name__}")


def trace(pool, game, events, explain_at=None):
    """The game's trace of a whole log (engine/trace.py), made in its process."""
    return _call(pool, game, "trace", events=events, explain_at=explain_at)


def other_seed_tracer(pool):
    """A tracer whose trace is made in a new process with another string hash seed."""
    def retrace(game, events):
        import os
        import tempfile

        from .checks import OTHER_HASH_SEED
        from .pool import GamePool
        from .sandbox import GameSettings
        settings = pool.settings_for(game.slug) or GameSettings()
        other = GameSettings(env=dict(settings.env or {}, PYTHONHASHSEED=OTHER_HASH_SEED),
                             network=settings.network, move_seconds=settings.move_seconds)
        second = GamePool(os.path.join(tempfile.mkdtemp(prefix="szretrace-")), pool.config,
                          limits=pool.limits, settings_for=lambda s: other, spare=False)
        try:
            return trace(second, game, events)
        finally:
            second.close()
    return retrace


def trace_many(pool, game, logs):
    return _call(pool, game, "trace_many", logs=logs)


# What a frame could not carry as the events it parses to: NaN and infinities (frames
# refuse them), a lone surrogate written as an escape (frames are UTF-8), a NUL (json
# would have guessed UTF-16 or -32 for the bytes).
_UNSENDABLE = re.compile(rb"NaN|Infinity|\x00|\\u[dD][89abcdefABCDEF]")


def _sendable(raw):
    """A checked log line the game process may parse itself: UTF-8 text that
    ``json.loads`` reads as it read the bytes here (no BOM: it starts with ``{``), and
    whose events a frame could carry; a log with another line goes as its events, and
    fails (or not) as it always did."""
    return raw[:1] == b"{" and _UNSENDABLE.search(raw) is None


def trace_lines(pool, game, logs):
    """``trace_many`` of logs given as their raw lines (lists of bytes), or None when
    some line cannot be sent as text (then trace their events).  Sending the text the
    host has read spares encoding the parsed events again; the operator list comes
    once for a run of logs with the same one."""
    try:
        texts = [[raw.decode("utf-8") for raw in lines] for lines in logs]
    except UnicodeDecodeError:
        return None
    if not all(_sendable(raw) for lines in logs for raw in lines):
        return None
    traces = _call(pool, game, "trace_lines", logs=texts)
    ops = None
    for found in traces:
        if found.pop("same_ops", False):
            found["ops"] = ops
        elif "ops" in found:
            ops = found["ops"]
    return traces


def validate_many_with(pool, resolve, logs, allow_open=False, keyring=None, chunk=64):
    """Reports of many logs (``engine.replay.validate_batch``): each game version's
    process traces its logs ``chunk`` at a time, in one call each."""
    from .. import replay

    def resolve_ref(slug, version):
        return as_ref(resolve(slug, version))

    def tracer(game, events, explain_at=None):
        return trace(pool, game, events, explain_at)

    def tracer_many(game, many, lines=None):
        found = trace_lines(pool, game, lines) if lines is not None else None
        return found if found is not None else trace_many(pool, game, many)
    return replay.validate_batch(logs, resolve_ref, allow_open=allow_open, tracer=tracer,
                                 tracer_many=tracer_many, retrace=other_seed_tracer(pool),
                                 keyring=keyring, chunk=chunk)


def validate_with(pool, resolve, log, allow_open=False, twice=False, keyring=None,
                  against=False):
    """``engine.replay.validate``: the host's rules here, the game's trace of the log in
    the game process of its version (one call for the whole log).  A state mismatch
    is traced again in a process with another string hash seed, so a game that is
    not deterministic across processes is named as such, not blamed on the log."""
    from .. import replay

    def resolve_ref(slug, version):
        return as_ref(resolve(slug, version))

    def tracer(game, events, explain_at=None):
        try:
            return trace(pool, game, events, explain_at)
        except CallError as exc:
            raise RuntimeError(f"the game failed: {exc.message}") from exc

    retrace = other_seed_tracer(pool)

    return replay.validate(log, resolve_ref, allow_open=allow_open, twice=twice,
                           tracer=tracer, retrace=retrace, keyring=keyring,
                           against=against)


def _validate_part(versions, logs, allow_open, root):
    """One worker process's share of a parallel validation (its own game processes)."""
    from ..loader import GameSource
    from .pool import GamePool
    sources = {}

    def resolve(slug, version):
        if version not in versions:
            return None
        if version not in sources:
            folder, name = versions[version]
            try:
                found = GameSource(folder, slug=name)
            except Exception:  # the folder is gone or changed: an unknown version
                found = None
            sources[version] = found if found is not None and found.version == version \
                else None
        return sources[version]
    pool = GamePool(root, spare=False)
    try:
        return validate_many_with(pool, resolve, logs, allow_open=allow_open)
    finally:
        pool.close()


def validate_parallel(logs, versions, allow_open=False, jobs=None, root=None):
    """Reports of many logs, spread over ``jobs`` worker processes (default: every core),
    each with its own game processes, so a big batch (``validate-stored``, a folder, a
    bulk ZIP) uses every core for the host's rules and the games' traces alike.
    ``versions``: {version hash: (folder, slug)} of the game versions to know."""
    import concurrent.futures
    import multiprocessing
    import os
    import tempfile
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(logs)))
    if jobs == 1:
        return _validate_part(versions, logs, allow_open,
                              root or tempfile.mkdtemp(prefix="szvalidate-"))
    root = root or tempfile.mkdtemp(prefix="szvalidate-")
    # Interleaved shares: long and short logs spread evenly; order restored after.
    shares = [list(range(i, len(logs), jobs)) for i in range(jobs)]
    reports = [None] * len(logs)
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as executor:
        futures = {executor.submit(_validate_part, versions, [logs[i] for i in share],
                                   allow_open, os.path.join(root, str(n))): share
                   for n, share in enumerate(shares)}
        for future in concurrent.futures.as_completed(futures):
            for i, report in zip(futures[future], future.result()):
                reports[i] = report
    return reports
