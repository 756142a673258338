"""Game-process benchmarks (issue 10): what running game code out of process costs.

``python -m bench gameproc`` prints JSON lines: the start of a game process (a fresh
one, and a game given to a warm spare), one call's round trip, the memory of a
process, and a move with every role's view in process beside through a game process
(tic-tac-toe, deduction cards), all measured side by side in one run.
"""
import json
import os
import random
import statistics
import tempfile
import time

from engine import bots, views
from engine.gameproc.host import GameProcess
from engine.gameproc.pool import GamePool
from engine.gameproc.remote import GameRef, RemotePlayThrough
from engine.gameproc.sandbox import SandboxConfig
from engine.loader import GameSource
from engine.log import LogWriter
from engine.playthrough import Actor, PlayThrough

GAMES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "games")


def rss_mb(pid):
    """Resident memory of a process and its children (bwrap's helper included)."""
    total = 0
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def children(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


def process_start(config, root, rounds=7):
    """A fresh game process: spawn, sandbox, engine imported, first answer."""
    times, mems = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        proc = GameProcess(config, root).start()
        proc.call("ping", 30)
        times.append(time.perf_counter() - started)
        mems.append(rss_mb(proc.proc.pid))
        proc.stop()
    return {"bench": "game_process_start", "sandbox": config.enabled,
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "rss_mb_empty": statistics.median(mems)}


def spare_to_loaded(config, root, slug="tic_tac_toe", rounds=7):
    """A warm spare given a game: copy its files in and load it."""
    source = GameSource(os.path.join(GAMES, slug))
    times, mems = [], []
    for _ in range(rounds):
        proc = GameProcess(config, root).start()
        proc.call("ping", 30)
        started = time.perf_counter()
        proc.load(str(source.folder), source.slug, source.version)
        times.append(time.perf_counter() - started)
        mems.append(rss_mb(proc.proc.pid))
        proc.stop()
    return {"bench": "spare_loads_a_game", "game": slug,
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "rss_mb_loaded": statistics.median(mems)}


def round_trip(config, root, calls=2000):
    proc = GameProcess(config, root).start()
    proc.call("ping", 30)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        proc.call("ping", 30)
        times.append(time.perf_counter() - started)
    proc.stop()
    return {"bench": "call_round_trip", "calls": calls,
            "p50_us": round(statistics.median(times) * 1e6, 1)}


def move_with_views(slug, pool, samples=300):
    """One move and every role's view: in this process, and through a game process
    (the host writing the log, the views coming back with the move's answer)."""
    source = GameSource(os.path.join(GAMES, slug))
    game = GameRef(str(source.folder), source.slug, source.version)
    local, remote, rnd = [], [], random.Random(1)
    seed = 0
    with tempfile.TemporaryDirectory() as folder:
        while len(local) < samples:
            pt = PlayThrough(source, seed=seed, log_writer=LogWriter()).start()
            roles = [r.num for r in pt.roles]
            rp = RemotePlayThrough.start(pool, game, f"b{seed}", seed=seed, config=pt.config,
                                         log_writer=LogWriter(f"{folder}/{seed}.jsonl"))
            rp.view_roles.update(roles)
            while not pt.ended and len(local) < samples:
                role = next(r for r in pt.roles_to_move() if pt.applicable(r))
                op, args = bots.choose_move(pt, role, "random", rnd)
                started = time.perf_counter()
                pt.apply(Actor(role, "b", "bot"), op, args)
                for r in roles:
                    views.role_view(pt, r, "/g/")
                local.append(time.perf_counter() - started)
                started = time.perf_counter()
                rp.apply(Actor(role, "b", "bot"), op, args, rp.version)
                for r in roles:
                    rp.view(r)
                remote.append(time.perf_counter() - started)
            pt.close()
            rp.close()
            seed += 1
    ms = lambda values: round(statistics.median(values) * 1000, 3)  # noqa: E731
    return {"bench": "move_and_all_views", "game": slug, "samples": len(local),
            "in_process_p50_ms": ms(local), "game_process_p50_ms": ms(remote),
            "added_ms": round(ms(remote) - ms(local), 3)}


def run():
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    config = SandboxConfig.detect()
    with tempfile.TemporaryDirectory(prefix="szbench-") as root:
        pool = GamePool(os.path.join(root, "pool"), config, spare=False)
        results = [process_start(config, root), spare_to_loaded(config, root),
                   round_trip(config, root), move_with_views("tic_tac_toe", pool),
                   move_with_views("deduction_cards", pool, 150)]
        pool.close()
    for r in results:
        print(json.dumps(r))
    return results
