"""Memory benchmark of finished play-throughs (issue 8): RSS after 1,000 of them.

Target: RSS grows by less than 20 MB over 1,000 finished play-throughs, because the
game modules of finished play-throughs are released.  Each variant runs in a fresh
interpreter (a child process) on its own temporary instance folder: an app on a
SQLite file database without Redis (BOT_DELAY_SECONDS=0), the game installed, an
instructor and a session with two guests seated in roles 0 and 1.  Every
play-through is played to its end through the portal's own path: random legal
moves applied with ``pt.apply`` under ``live.pt.lock``, then ``hub.after_change``
(rows in step, push), one request context per play-through as in the portal.

- ``released``: the first play-through with ``start_playthrough``, every next one
  with ``start_rematch`` (the "play again" path, which releases the previous one).
- ``keep``: every play-through in a new session with ``start_playthrough``, never
  swept (LIVE_ENDED_LINGER_SECONDS very high): what memory does when nothing is
  released.

RSS is VmRSS after ``gc.collect()``, once after the warm-up play-throughs and once
after the measured ones; ``szgame_modules`` counts sys.modules entries of loaded
games, ``held_playthroughs`` the play-throughs the Runtime holds, ``seconds`` the
wall time of the measured play-throughs.  One JSON line per variant.

    python -m bench.memory [--playthroughs 1000] [--warmup 100] [--slug tic_tac_toe]
"""
import argparse
import gc
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time

from engine import bots
from engine.playthrough import Actor

VARIANTS = {"released": 60.0, "keep": 1e9}     # variant -> LIVE_ENDED_LINGER_SECONDS


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def make_app(folder, linger):
    from webapp import create_app
    return create_app({
        "INSTANCE_PATH": os.path.join(folder, "instance"), "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.path.join(folder, 'bench.db')}",
        "DATA_DIR": os.path.join(folder, "data"), "BOT_DELAY_SECONDS": 0.0,
        "REDIS_URL": None, "LIVE_ENDED_LINGER_SECONDS": linger})


def new_session(owner, version):
    """An in-progress session with a guest in role 0 and one in role 1; returns its id."""
    from webapp.extensions import db
    from webapp.models import Participant, Session
    game_session = Session(owner=owner, game_version=version, status="in_progress",
                           join_code=Session.new_join_code())
    db.session.add(game_session)
    for role in (0, 1):
        db.session.add(Participant(session=game_session, display_name=f"Guest {role}",
                                   kind="guest", roles=[role]))
    db.session.commit()
    return game_session.id


def play_out(live, rnd):
    """Random legal moves through the portal's move path until the play-through ends."""
    from webapp.live import changes
    pt = live.pt
    while not pt.ended:
        with pt.lock:
            for role in pt.roles_to_move():
                choice = pt.bot_move(role, "random", seed=rnd.randrange(1 << 30))
                if choice is not None:
                    break
            else:
                raise RuntimeError(f"nobody can move in play-through {live.record_id}")
            actor = Actor(role, live.holders(role)[0], "human")
            pt.apply(actor, *choice, pt.version)
        changes.after_change(live)


def tree_rss_mb(pid):
    """RSS of a process and its descendants (a game process: bwrap and the game)."""
    from bench.gameproc_bench import rss_mb as tree
    return tree(pid)


def run_variant(variant, playthroughs, warmup, slug):
    """Play warmup + playthroughs in this process; the figures as a dict."""
    from webapp.catalog.seeding import install_game
    from webapp.config import REPO_DIR
    from webapp.extensions import db
    from webapp.live.starting import start_playthrough
    from webapp.models import Session, User
    from webapp.sessions.options import start_rematch
    logging.getLogger("webapp").setLevel(logging.ERROR)   # "checkpoint not queued"
    rnd = random.Random(8)
    with tempfile.TemporaryDirectory(prefix="szmem-") as folder:
        app = make_app(folder, VARIANTS[variant])
        runtime = app.extensions["live"]
        with app.test_request_context("/"):
            db.create_all()
            version = install_game(REPO_DIR / "games" / slug)
            owner = User(username="teacher", kind="instructor", display_name="Teacher")
            owner.set_password("pw")
            db.session.add(owner)
            session_id = new_session(owner, version)

        def play(n):
            with app.test_request_context("/"):
                game_session = db.session.get(Session, session_id)
                if n and variant == "released":
                    live = start_rematch(game_session)
                else:
                    if n:
                        game_session = db.session.get(Session, new_session(
                            game_session.owner, game_session.game_version))
                    live = start_playthrough(game_session, [0, 1])
                play_out(live, rnd)

        def measure():
            gc.collect()
            from webapp.games import pool
            with app.app_context():
                procs = pool(app).processes()
            game_rss = sum(tree_rss_mb(p.proc.pid) for p in procs)
            held_there = sum(len(p.call("ping", 30)["held"]) for p in procs)
            return (rss_mb() + game_rss, sum(name.startswith("szgame_") for name in sys.modules),
                    len(runtime._live) + len(runtime._replicas), held_there, game_rss)

        for n in range(warmup):
            play(n)
        rss_before, modules_before, _, _, _ = measure()
        started = time.perf_counter()
        for n in range(warmup, warmup + playthroughs):
            play(n)
        seconds = time.perf_counter() - started
        rss_after, modules, held, held_there, game_rss = measure()
        for key in list(runtime._live):
            runtime.forget(key)
        with app.app_context():
            db.engine.dispose()
    return {"variant": variant, "playthroughs": playthroughs, "warmup": warmup,
            "rss_after_warmup_mb": round(rss_before, 1), "rss_after_mb": round(rss_after, 1),
            "growth_mb": round(rss_after - rss_before, 1), "szgame_modules": modules,
            "szgame_modules_after_warmup": modules_before, "held_playthroughs": held,
            "held_in_game_processes": held_there, "game_processes_rss_mb": round(game_rss, 1),
            "seconds": round(seconds, 1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--playthroughs", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--slug", default="tic_tac_toe")
    parser.add_argument("--variant", choices=list(VARIANTS),
                        help="run one variant in this process (default: each in a child)")
    args = parser.parse_args(argv)
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.playthroughs, args.warmup,
                                     args.slug)), flush=True)
        return
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    for variant in VARIANTS:
        subprocess.run([sys.executable, "-m", "bench.memory", "--variant", variant,
                        "--playthroughs", str(args.playthroughs), "--warmup", str(args.warmup),
                        "--slug", args.slug], check=True, env=env,
                       cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


if __name__ == "__main__":
    main()
