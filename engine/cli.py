"""Engine commands of ``szportal``: ``games check`` and ``validate``."""
import json
import os
import sys

import click

from . import replay
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
    return resolve


def default_games_dir():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.environ.get("GAMES_DIR", os.path.join(here, "games"))


def game_validator():
    """A validator replaying each log in a sandboxed game process of its own game
    version (the command line never runs game code itself)."""
    import atexit
    import tempfile

    from .gameproc.logs import validate_with
    from .gameproc.pool import GamePool
    pool = GamePool(tempfile.mkdtemp(prefix="szvalidate-"), spare=False)
    atexit.register(pool.close)
    return lambda log, resolve, twice=False: validate_with(pool, resolve, log, twice=twice)


def validate_path(path, resolve, twice=False, validator=None):
    """Validate a log file or every log.jsonl under a folder; returns a batch report."""
    validator = validator or (lambda log, res, twice: replay.validate(log, res, twice=twice))
    if os.path.isdir(path):
        logs = sorted(os.path.join(d, f) for d, _, fs in os.walk(path)
                      for f in fs if f.endswith(".jsonl"))
    else:
        logs = [path]
    reports = []
    for log_path in logs:
        report = validator(log_path, resolve, twice)
        report["path"] = log_path
        reports.append(report)
    return batch_summary(reports)


@click.command("validate")
@click.argument("path", type=click.Path(exists=True))
@click.option("--games", "games_dirs", multiple=True, type=click.Path(file_okay=False),
              help="Folders holding game versions (default: the built-in games).")
@click.option("--twice", is_flag=True, help="Always replay twice (determinism).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate(path, games_dirs, twice, as_json):
    """Validate a log, a folder of logs, or an export ZIP; exit 0 only if canonical."""
    validator = game_validator()
    if path.endswith(".zip"):
        from .bundle import validate_bundle
        summary = validate_bundle(path, twice, validator)
        if summary.get("error"):
            click.echo(f"error: {summary['error']}", err=True)
    else:
        resolve = folder_resolver(*(games_dirs or (default_games_dir(),)))
        summary = validate_path(path, resolve, twice, validator)
    if as_json:
        single = summary["logs"] == 1 and not path.endswith(".zip")
        click.echo(json.dumps(summary["reports"][0] if single else summary, indent=2))
    else:
        _print_validation(summary)
    sys.exit(0 if summary["status"] == "canonical" else 1)


def _print_validation(summary):
    for r in summary["reports"]:
        line = f"{r['status']:<14} {r['steps_replayed']:>6} steps  {r['path']}"
        click.echo(line)
        f = r.get("first_failure")
        if f:
            click.echo(f"    {f['class']} at step {f['step']} (line {f['seq']}): {f['message']}")
            for d in f["diff"]:
                click.echo(f"      {d['aspect']}: recorded {d['recorded']!r}, "
                           f"replayed {d['replayed']!r}")
        elif r.get("error"):
            click.echo(f"    error: {r['error']}")
    click.echo(f"{summary['canonical']}/{summary['logs']} canonical; classes: "
               f"{summary['counts'] or 'none'}")


@click.group()
def main():
    """szportal engine commands (the web portal adds more)."""


main.add_command(games)
main.add_command(validate)

if __name__ == "__main__":
    main()
