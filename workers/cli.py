"""``szportal worker``, ``szportal export`` and ``szportal validate-stored``."""
import datetime
import json
import os
import sys

import click

QUEUES = ("checkpoints", "exports", "validation", "accounts")


def register(main):
    """Add the workers' commands to the ``szportal`` group."""
    for command in (worker, export, validate_stored):
        main.add_command(command)


def _app():
    from webapp import create_app

    from .app import get_app, set_app
    set_app(create_app())
    return get_app()


@click.command("worker")
@click.option("--queues", "-q", multiple=True, default=QUEUES, show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--name", default=None, help="Worker name (default: host and pid).")
def worker(queues, burst, name):
    """Start an RQ worker for the portal's queues (REDIS_URL); start more for more throughput."""
    import redis
    from rq import Queue, Worker
    url = os.environ.get("REDIS_URL")
    if not url:
        sys.exit("REDIS_URL is not set: start Redis (make run does) and export REDIS_URL.")
    _app()
    connection = redis.Redis.from_url(url)
    worker = Worker([Queue(q, connection=connection) for q in queues], connection=connection,
                    name=name, maintenance_interval=60)
    worker.work(burst=burst, with_scheduler=True)


@click.command("export")
@click.option("--session", "session_key", help="Export one session (its key).")
@click.option("--game", "game_slug", help="Export every session of a game.")
@click.option("--since", help="Only sessions created on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only sessions created before this date (YYYY-MM-DD).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
def export(session_key, game_slug, since, until, out_path):
    """Write a session ZIP, or a bulk ZIP of a game's sessions, like the export jobs do."""
    from webapp.models import Session

    from .exports import sessions_for_bulk, write_bulk, write_session_bundle
    if bool(session_key) == bool(game_slug or since or until):
        sys.exit("Give either --session KEY, or --game SLUG and/or --since/--until.")
    app = _app()
    with app.app_context():
        if session_key:
            game_session = Session.query.filter_by(key=session_key).first()
            if game_session is None:
                sys.exit(f"There is no session {session_key!r}.")
            manifest = write_session_bundle(game_session, out_path)
            click.echo(f"wrote {out_path}: {len(manifest['playthroughs'])} play-throughs")
            return
        dates = [datetime.datetime.fromisoformat(d) if d else None for d in (since, until)]
        sessions = sessions_for_bulk(game_slug, *dates)
        write_bulk(out_path, sessions)
        click.echo(f"wrote {out_path}: {len(sessions)} sessions")


@click.command("validate-stored")
@click.option("--session", "session_key", help="Only this session's play-throughs.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--jobs", type=int, default=None,
              help="Worker processes (default: one per core).")
@click.option("--against", default=None,
              help="Replay under another version of the game (an installed version hash or "
                   "its start, or a game folder) and report where each log diverges; a "
                   "comparison: no row is tagged.")
def validate_stored(session_key, as_json, jobs, against):
    """Validate stored play-throughs in place and tag them (as the batch job does), over
    every core; or, with ``--against``, compare them with another version of their game.

    Exit status: 0 all canonical, 1 some not, 2 the validator could not run."""
    from webapp.models import PlayThroughRecord, Session

    from .validation import replay_against, validate_stored_parallel
    app = _app()
    with app.app_context():
        query = PlayThroughRecord.query
        if session_key:
            game_session = Session.query.filter_by(key=session_key).first()
            if game_session is None:
                sys.exit(f"There is no session {session_key!r}.")
            query = query.filter_by(session_id=game_session.id)
        records = query.order_by(PlayThroughRecord.id).all()
        if against:
            summary = replay_against(records, against)
            _report_against(summary, as_json)
            return
        summary = validate_stored_parallel(records, jobs)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(f"{summary['canonical']}/{summary['logs']} canonical; "
                   f"classes: {summary['counts'] or 'none'}")
    sys.exit(0 if summary["status"] in ("canonical",) or summary["logs"] == 0 else 1)


def _report_against(summary, as_json):
    from engine.cli import _print_validation, exit_status, mark_open
    mark_open(summary)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        _print_validation(summary)
    sys.exit(0 if summary["status"] in ("canonical", "open") or summary["logs"] == 0
             else exit_status(summary))


if __name__ == "__main__":
    from webapp.cli import main
    main()
