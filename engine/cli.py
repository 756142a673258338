"""Engine commands of ``szportal``: ``games check`` and ``validate``."""
import json
import os
import sys

import click

from . import replay
from .log import read_lines
from .replay import batch_summary
from .loader import GameLoadError, GameSource


@click.group()
def games():
    """Work with game folders."""


@games.command("check")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--runs", default=3, show_default=True, help="Bot play-throughs to run.")
@click.option("--logs", "logs_dir", type=click.Path(file_okay=False), default=None,
              help="Keep the logs written in this folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--env", "env", multiple=True, metavar="NAME=VALUE",
              help="An environment variable the game gets (its sandbox has no other).")
@click.option("--network", is_flag=True, help="Let the game reach the network.")
def games_check(path, runs, logs_dir, as_json, env, network):
    """Load a game, play it with bots, validate its logs, round-trip a checkpoint; in a
    sandboxed game process, like the portal's install check."""
    if logs_dir:
        os.makedirs(logs_dir, exist_ok=True)
    from .gameproc.sandbox import GameSettings
    variables = {}
    for item in env:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--env takes NAME=VALUE, not {item!r}")
        variables[name] = value
    result = check_in_process(path, runs, logs_dir,
                              GameSettings(env=variables, network=network))
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        _print_check(result)
    sys.exit(0 if result["ok"] else 1)


def check_in_process(path, runs, logs_dir=None, settings=None):
    """The check run in a sandboxed game process (what game code prints is captured
    there, never mixed into this command's output)."""
    from .gameproc.checks import check_folder
    try:
        source = GameSource(path)
    except GameLoadError as exc:
        from .gameproc.checks import failed
        return failed(str(exc))
    return check_folder(source.folder, source.slug, source.version, runs=runs,
                        seconds=float(os.environ.get("GAME_CHECK_SECONDS", "600")),
                        logs_dir=logs_dir, settings=settings)


def _print_check(result):
    game = result.get("game")
    if game:
        click.echo(f"{game['name']} ({game['slug']})  version {game['version'][:12]}")
        if game["brief_desc"]:
            click.echo(f"  {game['brief_desc']}")
        roles = ", ".join(f"{r['num']}:{r['name']}" for r in game["roles"])
        click.echo(f"  roles: {roles}; min players {game['min_players_to_start']}")
        click.echo(f"  operators: {len(game['operators'])}"
                   f" ({sum(o['bookkeeping'] for o in game['operators'])} bookkeeping)")
    width = max((len(r["check"]) for r in result["rows"]), default=10)
    for r in result["rows"]:
        mark = "ok  " if r["ok"] else "FAIL"
        click.echo(f"  {mark} {r['check']:<{width}}  {r['detail']}")
    for warning in result.get("warnings") or ():
        click.echo(f"  WARN {warning}")
    if result.get("logs"):
        click.echo(f"  logs kept in {result['logs']}")
    click.echo("PASSED" if result["ok"] else "FAILED")


def folder_resolver(*roots):
    """Resolve (slug, version) to a game folder under any of ``roots``."""
    cache = {}

    def resolve(slug, version):
        for root in roots:
            for candidate in (os.path.join(root, slug), root):
                if not os.path.isdir(candidate):
                    continue
                if candidate not in cache:
                    try:
                        cache[candidate] = GameSource(candidate, slug=slug)
                    except GameLoadError:
                        cache[candidate] = None
                source = cache[candidate]
                if source is not None and source.version == version:
                    return source
        return None

    def versions():
        """{version hash: (folder, slug)} of every game under ``roots`` (for workers)."""
        found = {}
        for source in game_sources(roots, include_roots=True):
            found.setdefault(source.version, (str(source.folder), source.slug))
        return found
    resolve.versions = versions
    return resolve


def game_sources(roots, include_roots=False):
    """The loadable game folders directly under each of ``roots`` (and the roots
    themselves, with ``include_roots``), as GameSources."""
    for root in roots:
        names = sorted(os.listdir(root)) if os.path.isdir(root) else []
        folders = ([root] if include_roots else []) + [os.path.join(root, n) for n in names]
        for folder in folders:
            if not os.path.isdir(folder):
                continue
            try:
                yield GameSource(folder)
            except GameLoadError:
                continue


def default_games_dir():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.environ.get("GAMES_DIR", os.path.join(here, "games"))


def game_validator(allow_open=False, against=False):
    """A validator replaying each log in a sandboxed game process of its own game
    version (the command line never runs game code itself)."""
    import atexit
    import tempfile

    from .gameproc.logs import validate_with
    from .gameproc.pool import GamePool
    pool = GamePool(tempfile.mkdtemp(prefix="szvalidate-"), spare=False)
    atexit.register(pool.close)
    from .gameproc.logs import validate_many_with

    def one(log, resolve, twice=False):
        return validate_with(pool, resolve, log, twice=twice, allow_open=allow_open,
                             against=against)
    if not against:
        one.batch = lambda logs, resolve: validate_many_with(pool, resolve, logs,
                                                             allow_open=allow_open)
    one.allow_open = allow_open
    return one


def log_files(path):
    """The logs under a folder: ``*.jsonl`` files, but not ``games check``'s
    ``partial.jsonl`` (a play-through it stopped on purpose)."""
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs
                  if f.endswith(".jsonl") and f != "partial.jsonl")


def validate_path(path, resolve, twice=False, validator=None, keyring=None):
    """Validate a log file or every log under a folder; returns a batch report."""
    validator = validator or (lambda log, res, twice: replay.validate(log, res, twice=twice))
    logs = log_files(path) if os.path.isdir(path) else [path]
    reports = []
    batch = getattr(validator, "batch", None)
    versions = getattr(resolve, "versions", None)
    if batch is not None and not twice and versions is not None and len(logs) >= 200 \
            and (os.cpu_count() or 1) > 1:
        from .gameproc.logs import validate_parallel     # every core
        found = validate_parallel(logs, versions(), allow_open=getattr(validator,
                                                                          "allow_open", False))
    elif batch is not None and not twice and len(logs) > 1:
        found = batch(logs, resolve)
    else:
        found = [validator(log_path, resolve, twice) for log_path in logs]
    for log_path, report in zip(logs, found):
        try:
            report["signature"] = replay._signature(read_lines(log_path), keyring)
        except OSError:
            pass
        report["path"] = log_path
        reports.append(report)
    return batch_summary(reports)


def trusted_keys(keys=(), keys_file=None):
    """The keys a signature may be valid under: this portal's own (its instance's
    signing key, if this machine has one), each ``--key``, and a keys file."""
    from .signing import Keyring, Signer, public_from_text
    ring = Keyring()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    own = os.environ.get("SIGNING_KEY_PATH") or os.path.join(here, "instance",
                                                             "signing_key.pem")
    if os.path.exists(own):
        try:
            ring.add(Signer.at(own).public_key)
        except (OSError, ValueError):
            pass
    for key in keys:
        text = open(key).read() if os.path.exists(key) else key
        ring.add(public_from_text(text))
    if keys_file:
        for k in Keyring.from_file(keys_file).keys.values():
            ring.add(k)
    return ring


def known_versions(resolve):
    return lambda slug, version: resolve(slug, version) is not None


def against_resolver(against, games_dirs):
    """A resolver that answers every log with the game at ``against``: a folder, or a
    version hash (or its start) of a game under ``games_dirs``."""
    if os.path.isdir(against):
        source = GameSource(against)
        return lambda slug, version: source, source
    for source in game_sources(games_dirs):
        if source.version.startswith(against):
            return lambda slug, version: source, source
    raise click.BadParameter(f"no game folder or installed version {against!r}",
                             param_hint="--against")


@click.command("validate")
@click.argument("path", type=click.Path(exists=True))
@click.option("--games", "games_dirs", multiple=True, type=click.Path(file_okay=False),
              help="Folders holding game versions (default: the built-in games).")
@click.option("--twice", is_flag=True, help="Always replay twice (determinism).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--key", "keys", multiple=True,
              help="A trusted public key (text or a file); may be given more than once.")
@click.option("--keys", "keys_file", type=click.Path(exists=True, dir_okay=False),
              help="A file of trusted public keys, one a line.")
@click.option("--against", default=None,
              help="Replay under another version of the game (a folder or a version hash) "
                   "and report the first step where it diverges.")
def validate(path, games_dirs, twice, as_json, keys, keys_file, against):
    """Validate a log, a folder of logs, or an export ZIP.

    Exit status: 0 canonical, 1 not canonical, 2 the validator could not run,
    3 canonical so far but still open (no footer yet)."""
    validator = game_validator(allow_open=True, against=bool(against))
    keyring = trusted_keys(keys, keys_file)
    dirs = games_dirs or (default_games_dir(),)
    if path.endswith(".zip"):
        from .bundle import validate_bundle
        summary = validate_bundle(path, twice, validator, keyring,
                                  known_versions(folder_resolver(*dirs)))
        if summary.get("error"):
            click.echo(f"error: {summary['error']}", err=True)
    else:
        if against:
            resolve, source = against_resolver(against, dirs)
        else:
            resolve = folder_resolver(*dirs)
        summary = validate_path(path, resolve, twice, validator, keyring)
        if against:
            summary["against"] = {"folder": str(source.folder), "version": source.version}
    mark_open(summary)
    if as_json:
        single = summary["logs"] == 1 and not path.endswith(".zip")
        click.echo(json.dumps(summary["reports"][0] if single else summary, indent=2))
    else:
        _print_validation(summary)
    sys.exit(exit_status(summary))


def mark_open(summary):
    """A log canonical so far but without its footer is "open" (a play-through still
    running or paused), not a defect."""
    for r in summary["reports"]:
        if r["status"] == "canonical" and not r.get("ended", True):
            r["status"] = "open"
    statuses = [r["status"] for r in summary["reports"]]
    if statuses and summary["status"] == "canonical" and "open" in statuses:
        summary["status"] = "open"
    summary["open"] = statuses.count("open")


def exit_status(summary):
    return {"canonical": 0, "non_canonical": 1, "error": 2, "open": 3}.get(summary["status"], 2)


def _print_validation(summary):
    if summary.get("against"):
        click.echo(f"replayed against {summary['against']['folder']} "
                   f"(version {summary['against']['version'][:12]})")
    for r in summary["reports"]:
        line = f"{r['status']:<14} {r['steps_replayed']:>6} steps  {r['path']}"
        click.echo(line)
        sig = r.get("signature") or {}
        if sig.get("status"):
            key = f" (key {sig['key']})" if sig.get("key") else ""
            click.echo(f"    signature: {sig['status']}{key}")
        f = r.get("first_failure")
        if f:
            where = f"step {f['step']}, line {f['line']}" if f.get("step") is not None \
                else (f"line {f['line']}" if f.get("line") else "the log")
            click.echo(f"    {f['class']} at {where}: {f['message']}")
            for d in f["diff"]:
                click.echo(f"      {d['aspect']}: recorded {d['recorded']!r}, "
                           f"replayed {d['replayed']!r}")
            legal = (f.get("explain") or {}).get("moves")
            if legal:
                shown = ", ".join(f"{m['op_name']} (role {m['role']})" for m in legal[:8])
                more = len(legal) - 8 + (f["explain"].get("more") or 0)
                click.echo(f"      legal there: {shown}" + (f" and {more} more" if more > 0
                                                              else ""))
        elif r["status"] == "open":
            click.echo(f"    still open: canonical up to line {(r.get('tip') or {}).get('seq', -1) + 1}"
                       " (no footer yet)")
        elif r.get("error"):
            click.echo(f"    error: {r['error']}")
    if "manifest_signature" in summary:
        click.echo(f"manifest signature: {summary['manifest_signature']}")
        gv = summary.get("game_version") or {}
        if gv.get("known") is False:
            click.echo(f"game version {gv.get('version', '')[:12]}: unknown to this portal "
                       "(replayed with the ZIP's own copy, in a sandbox)")
    for p in summary.get("manifest_problems") or []:
        click.echo(f"manifest: {p}")
    click.echo(f"{summary['canonical']}/{summary['logs']} canonical"
               + (f", {summary['open']} open" if summary.get("open") else "")
               + f"; classes: {summary['counts'] or 'none'}")


@click.group()
def main():
    """szportal engine commands (the web portal adds more)."""


main.add_command(games)
main.add_command(validate)

if __name__ == "__main__":
    main()
