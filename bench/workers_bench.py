"""Worker benchmarks: export throughput, validation through the queue, checkpoint cost.

``python -m bench workers`` starts a private Redis and a throw-away database,
fills a session with 100 finished tic-tac-toe play-throughs (not timed), then
prints one JSON line per figure.  Jobs run in an RQ SimpleWorker in this
process, so the figures are the jobs' own cost plus Redis round trips.
"""
import json
import os
import statistics
import tempfile
import time

import redis
from rq import Queue, SimpleWorker

from webapp.cli import start_redis, stop, wait_for_redis

from .fixtures import fill_session


def make_app(folder, redis_url, **extra):
    from webapp import create_app
    from webapp.extensions import db
    app = create_app({"INSTANCE_PATH": f"{folder}/instance", "TESTING": True,
                      "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.db",
                      "DATA_DIR": f"{folder}/data", "REDIS_URL": redis_url,
                      "BOT_DELAY_SECONDS": 0.0, **extra})
    with app.app_context():
        db.create_all()
    from workers.app import set_app
    set_app(app)
    return app


def drain(redis_url, queue):
    connection = redis.Redis.from_url(redis_url)
    SimpleWorker([Queue(queue, connection=connection)], connection=connection).work(burst=True)


def export_throughput(app, redis_url, key, rounds=3):
    from webapp.extensions import db
    from webapp.jobs.models import JobRecord
    from webapp.jobs.queue import enqueue
    from webapp.models import Session
    figures = []
    for i in range(rounds):
        with app.app_context():
            game_session = Session.query.filter_by(key=key).one()
            count = len(game_session.playthroughs)
            args = [game_session.id, None, False]
            enqueue("export", "workers.exports.build_session_zip", args, f"bench-export-{i}",
                    "exports", params={"args": args, "queue": "exports"})
        started = time.perf_counter()
        drain(redis_url, "exports")
        seconds = time.perf_counter() - started
        with app.app_context():
            job = db.session.get(JobRecord, f"bench-export-{i}")
            size = os.path.getsize(job.result_path)
        figures.append((seconds, size))
    seconds = statistics.median(s for s, _ in figures)
    size = figures[0][1]
    return {"bench": "export_session_zip", "playthroughs": count, "zip_mb": round(size / 1e6, 3),
            "seconds_median": round(seconds, 3), "mb_per_s": round(size / 1e6 / seconds, 2),
            "playthroughs_per_s": round(count / seconds, 1)}


def validation_throughput(app, redis_url, key):
    from webapp.jobs.queue import enqueue
    from webapp.models import Session
    with app.app_context():
        records = Session.query.filter_by(key=key).one().playthroughs
        moves = sum(r.steps for r in records)
        for r in records:
            enqueue("validation", "workers.validation.validate_playthrough", [r.id],
                    f"bench-validate-{r.id}", "validation")
    started = time.perf_counter()
    drain(redis_url, "validation")
    seconds = time.perf_counter() - started
    return {"bench": "validation_through_queue", "playthroughs": len(records), "moves": moves,
            "seconds": round(seconds, 3), "playthroughs_per_s": round(len(records) / seconds, 1),
            "moves_per_s": round(moves / seconds)}


def move_latency(folder, redis_url, checkpoint_every, moves=300, run=0):
    """Median and p95 of apply + rows + checkpoint request, through the live services."""
    from engine import bots
    from engine.playthrough import Actor
    from webapp.live.playthroughs import sync_rows
    from webapp.live.starting import start_playthrough
    from webapp.models import Session, User
    from webapp.extensions import db
    app = make_app(f"{folder}/ck{checkpoint_every}-{run}", redis_url,
                   CHECKPOINT_EVERY=checkpoint_every)
    times = []
    with app.test_request_context("/"):
        from webapp.catalog.seeding import install_game
        from webapp.config import REPO_DIR
        owner = User(username="o", kind="instructor", display_name="O")
        owner.set_password("pw")
        db.session.add(owner)
        version = install_game(REPO_DIR / "games" / "tic_tac_toe")
        while len(times) < moves:
            game_session = Session(owner=owner, game_version=version, status="lobby",
                                   join_code=Session.new_join_code())
            db.session.add(game_session)
            db.session.commit()
            live = start_playthrough(game_session, [0, 1])
            while not live.pt.ended and len(times) < moves:
                role = live.pt.roles_to_move()[0]
                op, args = bots.choose_move(live.pt, role, "random")
                started = time.perf_counter()
                with live.pt.lock:
                    live.pt.apply(Actor(role, "b", "bot"), op, args, live.pt.version)
                    sync_rows(live)
                times.append(time.perf_counter() - started)
    from webapp.jobs.queue import _background
    _background.submit(lambda: None).result(timeout=30)
    times.sort()
    return {"bench": "move_path_checkpoint_cost", "checkpoint_every": checkpoint_every,
            "moves": len(times), "p50_ms": round(statistics.median(times) * 1000, 3),
            "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 3)}


def run():
    folder = tempfile.mkdtemp(prefix="szbench-")
    proc, url = start_redis(folder)
    try:
        wait_for_redis(url)
        app = make_app(folder, url)
        with app.app_context():
            key = fill_session("tic_tac_toe", 100).key
        results = [export_throughput(app, url, key), validation_throughput(app, url, key)]
        for run, every in enumerate((0, 1, 0, 1)):       # side by side, twice
            results.append(move_latency(folder, url, every, run=run))
        for r in results:
            print(json.dumps(r))
        return results
    finally:
        stop(proc)
