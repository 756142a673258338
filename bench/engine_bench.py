"""Engine benchmarks: validation throughput and the cost of one move.

``python -m bench engine`` prints one JSON line per figure.  Logs are made
first with bots (not timed); validation is then timed over all of them in
one process pinned to one core.  Figures are medians of several rounds.
"""
import json
import os
import random
import statistics
import time

from engine import bots, replay, views
from engine.cli import folder_resolver
from engine.loader import GameSource
from engine.log import LogWriter
from engine.playthrough import Actor, PlayThrough

GAMES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "games")


def make_logs(slug, count):
    source = GameSource(os.path.join(GAMES, slug))
    logs = []
    for seed in range(count):
        pt = PlayThrough(source, seed=seed, log_writer=LogWriter()).start()
        bots.play_out(pt, rnd=random.Random(seed))
        pt.close()
        logs.append(pt.log.text())
    return logs


def validation_throughput(slug, count=300, rounds=5, twice=False):
    logs = make_logs(slug, count)
    resolve = folder_resolver(GAMES)
    moves = sum(text.count('"type":"move"') for text in logs)
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for report in (replay.validate_batch(logs, resolve) if not twice else
                       [replay.validate(text, resolve, twice=True) for text in logs]):
            assert report["status"] == "canonical", report
        rates.append(moves / (time.perf_counter() - started))
    return {"bench": "validation", "game": slug, "logs": count, "moves": moves,
            "twice": twice, "moves_per_s_median": round(statistics.median(rates)),
            "moves_per_s_rounds": [round(r) for r in rates]}


# Figures of the validator before log format 2 (issue 7's closing note), printed beside.
PREVIOUS = {"tic_tac_toe": 10_600, "rift_mini": 1_700}
# Through game processes before issue 14's speed work (code at 4c0531b, measured side by
# side with the new code by this benchmark, medians): {(game, logs): (wall, CPU) moves/s}.
# Six interleaved pairs (one round each) on the shared 2-core machine, 2026-12-01.
PREVIOUS_GAME_PROCESS = {("tic_tac_toe", 300): (2_069, 2_156),
                         ("tic_tac_toe", 3000): (2_799, 2_901),
                         ("rift_mini", 40): (1_664, 1_697),
                         ("rift_mini", 300): (1_502, 1_724)}


def _tree_cpu():
    """CPU seconds of this process and every live process under it (game processes,
    their sandboxes), from /proc: what one core spends, whatever else the machine runs."""
    from bench.loadlib import cpu_seconds, tree_pids
    return cpu_seconds(tree_pids([os.getpid()]))


def validation_through_game_processes(slug, count=300, rounds=3, chunk=64):
    """The real path: host rules here, the game's traces in a sandboxed game process
    (started inside the timing, amortised over the batch), ``chunk`` logs a call.
    ``moves_per_s``: moves / wall time; ``moves_per_cpu_s``: moves / CPU time of this
    process and its game processes together (the figure to trust on a busy machine:
    one core's capacity)."""
    import tempfile

    from engine.gameproc.logs import validate_many_with
    from engine.gameproc.pool import GamePool
    logs = make_logs(slug, count)
    resolve = folder_resolver(GAMES)
    moves = sum(text.count('"type":"move"') for text in logs)
    rates, cpu_rates = [], []
    for _ in range(rounds):
        cpu = _tree_cpu()
        started = time.perf_counter()
        pool = GamePool(tempfile.mkdtemp(prefix="szbench-"), spare=False)
        try:
            reports = validate_many_with(pool, resolve, logs, chunk=chunk)
            cpu = _tree_cpu() - cpu         # before close: the game process is alive
        finally:
            pool.close()
        wall = time.perf_counter() - started
        assert all(r["status"] == "canonical" for r in reports)
        rates.append(moves / wall)
        cpu_rates.append(moves / max(cpu, 0.01))
    return {"bench": "validation_game_process", "game": slug, "logs": count,
            "moves": moves, "moves_per_s_median": round(statistics.median(rates)),
            "moves_per_s_rounds": [round(r) for r in rates],
            "moves_per_cpu_s_median": round(statistics.median(cpu_rates)),
            "moves_per_cpu_s_rounds": [round(r) for r in cpu_rates],
            "previous_moves_per_s_and_per_cpu_s": PREVIOUS_GAME_PROCESS.get((slug, count)),
            "previous_in_process_moves_per_s": PREVIOUS.get(slug),
            "target_moves_per_s": {"tic_tac_toe": 20_000, "rift_mini": 10_000}.get(slug)}


def move_and_render(slug, samples=400):
    """Time of apply() plus rendering every role's view once, per move."""
    source = GameSource(os.path.join(GAMES, slug))
    times, rnd = [], random.Random(1)
    seed = 0
    while len(times) < samples:
        pt = PlayThrough(source, seed=seed, log_writer=LogWriter()).start()
        roles = [r.num for r in pt.roles]
        while not pt.ended and len(times) < samples:
            role = next(r for r in pt.roles_to_move() if pt.applicable(r))
            op, args = bots.choose_move(pt, role, "random", rnd)
            started = time.perf_counter()
            pt.apply(Actor(role, "b", "bot"), op, args)
            for r in roles:
                views.role_view(pt, r, "/g/")
            times.append(time.perf_counter() - started)
        pt.close()
        seed += 1
    times.sort()
    return {"bench": "move_and_render_all_roles", "game": slug, "samples": len(times),
            "p50_ms": round(statistics.median(times) * 1000, 3),
            "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 3)}


def run():
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    # A batch of 300 / 40 logs (the figures of issues 7 and 10) and a big one, as
    # validate-stored or a bulk ZIP sees: the game process's start-up (~0.1-0.2 s) is
    # in both, amortised over the batch.
    results = [validation_through_game_processes("tic_tac_toe"),
               validation_through_game_processes("tic_tac_toe", count=3000),
               validation_through_game_processes("rift_mini", count=40),
               validation_through_game_processes("rift_mini", count=300),
               validation_throughput("tic_tac_toe"),
               validation_throughput("tic_tac_toe", twice=True),
               validation_throughput("rift_mini", count=40, rounds=3),
               move_and_render("tic_tac_toe"), move_and_render("rift_mini", 200)]
    if os.path.isdir(os.path.join(GAMES, "deduction_cards")):
        results.append(move_and_render("deduction_cards", 200))
    for r in results:
        print(json.dumps(r))
    return results
