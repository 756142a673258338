"""Load benchmark of the live play path (issue 8): move-to-all-screens latency.

Starts the portal (Redis, a fresh SQLite database, ``szportal init-db`` and ``seed``,
gunicorn gthread pinned to core 0) or targets a running one with ``--url``; creates N
tic-tac-toe sessions over real HTTP (instructor starts, three guests join, two are
seated X and O, the third watches, the instructor starts play); connects the three
sockets of every session (one asyncio loop, pinned to core 1); every session then
plays complete games with legal moves (rematch after each game) for ``--seconds``.
A move's latency runs from sending it until EVERY socket of its session (both
players and the watcher) has been shown the new state version.

Two modes (``"mode"`` in the JSON line):

* closed (default): a session sends its next move as soon as its last one is on
  every screen (``--think-ms`` pauses in between).  By Little's law mean latency is
  then sessions / throughput, so a closed loop cannot measure latency at a target
  load (200 sessions at 1,000 moves/s with p99 <= 50 ms would need 4,000 moves/s).
* paced (``--rate R``, open loop): R moves/s offered in all, each session one move
  every N/R seconds, the sessions' first moves spread over the first interval.  A
  move whose session's last move (or rematch) is not yet on every screen when it is
  due is sent as soon as it is and counted in ``late_moves``.  ``p99_from_schedule_ms``
  measures from the scheduled time (the wait included: corrected for coordinated
  omission); ``offered_moves_per_s`` beside ``moves_per_s`` shows whether the load was
  carried.  Rematches are posted as soon as a game's last move is on every screen.

One JSON line per run: sessions, moves, moves_per_s, p50/p95/p99/max latency (ms),
errors, server CPU seconds over the measured window and RSS at its end (of the
gunicorn process trees), the driver's own CPU, and the CPU other processes used
on the machine meanwhile (``other_cpu_pct``: when large, the figures are noisy).

    python -m bench.load --sessions 10 --seconds 20
    python -m bench.load --sessions 200 --rate 1000 --seconds 20  # paced: 1,000 moves/s
    python -m bench.load --compare --sessions 1,10,50,200 --seconds 20   # beside the floor
    python -m bench.load --workers 2 ...          # K gunicorn workers, one port
    python -m bench.load --servers 2 --split ...  # X on server 1, O on server 2
    python -m bench.load --url http://127.0.0.1:5000 --server-pid PID ...
    python -m bench.load --profile /tmp/prof ...  # py-spy of the server meanwhile
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from . import floor as floor_mod
from . import loadlib


def profile_start(pid, seconds, out_prefix):
    """py-spy record of the server tree (GIL holders only: where CPU time goes)."""
    exe = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    raw = f"{out_prefix}.txt"
    args = [exe, "record", "--pid", str(pid), "--subprocesses", "--gil", "--rate", "100",
            "--duration", str(int(seconds)), "--format", "raw", "--output", raw,
            "--nonblocking"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), raw


def profile_summary(raw, top=25):
    """Self and inclusive sample shares per function from py-spy's collapsed stacks."""
    inclusive, own, total = {}, {}, 0
    with open(raw) as f:
        for line in f:
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack or not count.isdigit():     # a frame name with a line break in it
                continue
            count = int(count)
            total += count
            frames = [frame for frame in stack.split(";") if not frame.startswith("process ")
                      and not frame.startswith("thread ")]
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + count
            if frames:
                own[frames[-1]] = own.get(frames[-1], 0) + count
    rows = ["samples: %d" % total, "", "inclusive %  function (file:line)"]
    for frame, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top * 2]:
        rows.append(f"{100 * count / total:6.1f}  {frame}")
    rows += ["", "self %  function (file:line)"]
    for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        rows.append(f"{100 * count / total:6.1f}  {frame}")
    return "\n".join(rows)


def measure_portal(count, args):
    """One portal run; returns (JSON dict, path of a captured watcher push or None)."""
    drive = drive_kwargs(args)
    if args.url:
        loadlib.require_loopback(args.url)
        bases = [u.rstrip("/") for u in args.url.split(",")]
        pids = [int(p) for p in args.server_pid.split(",")] if args.server_pid else []
        servers = None

        def cpu():
            return loadlib.cpu_seconds(loadlib.tree_pids(pids))

        def rss():
            return loadlib.rss_mb(loadlib.tree_pids(pids))

        def parts():
            return loadlib.cpu_by_part(loadlib.tree_pids(pids))
        folder = loadlib.temp_folder("szload-")
    else:
        folder = loadlib.temp_folder("szload-")
        servers = loadlib.Portal(folder, args.servers, args.workers, args.threads,
                                 loadlib.parse_cores(args.server_cores)).start()
        bases, cpu, rss = servers.bases, servers.cpu, servers.rss
        parts = servers.cpu_parts
        pids = [c.pid for c in servers.children]
    try:
        started = time.perf_counter()
        groups = loadlib.portal_groups(bases, count, args.username, args.password,
                                       split=args.split)
        setup = time.perf_counter() - started
        spy = None
        if args.profile and pids:
            spy, raw = profile_start(pids[0], args.seconds + 1, f"{args.profile}-portal-{count}")
        stats, window, used, mem, driver_cpu = loadlib.run_measured(
            groups, cpu, rss, args.seconds, servers_parts=parts, **drive)
        extra = {"setup_s": round(setup, 1)}
        if len(bases) > 1 or args.workers > 1:
            extra.update(servers=len(bases), workers=args.workers, split=args.split)
        line = loadlib.result_line("portal", groups, stats, window, used, mem, driver_cpu,
                                   extra)
        if spy is not None:
            _, err = spy.communicate(timeout=60)
            if os.path.exists(raw) and os.path.getsize(raw):
                summary = profile_summary(raw)
                with open(f"{args.profile}-portal-{count}.summary.txt", "w") as f:
                    f.write(summary + "\n")
                line["profile"] = f"{args.profile}-portal-{count}.summary.txt"
            else:
                sys.stderr.write(f"py-spy gave no profile: {err.decode()[-500:]}\n")
        sample = None
        if stats.sample:
            sample = os.path.join(os.path.dirname(folder), os.path.basename(folder) + ".push")
            with open(sample, "w") as f:
                f.write(stats.sample)
        return line, sample
    finally:
        if servers is not None:
            servers.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def drive_kwargs(args):
    return {"move_timeout": args.move_timeout, "think": args.think_ms / 1000,
            "compression": None if args.no_deflate else "deflate",
            "rate": getattr(args, "rate", None)}


def markdown(rows):
    """The --compare table; paced runs add the offered rate, late moves and the p99
    from the schedule (ours and the floor's)."""
    paced = any("offered_moves_per_s" in ours for ours, _ in rows)
    head = "| N | sockets | "
    if paced:
        head += "offered moves/s | "
    head += "ours: moves/s | p50 | p95 | p99 | max | errors | CPU % | RSS MB | "
    if paced:
        head += "late | p99 from schedule | "
    head += "floor: moves/s | p50 | p95 | p99 | max | CPU % | "
    if paced:
        head += "late | p99 from schedule | "
    head += "p99 ours/floor | other CPU % |"
    out = [head, "|" + "---|" * (head.count("|") - 1)]
    for ours, base in rows:
        ratio = (ours["p99_ms"] / base["p99_ms"]) if ours["p99_ms"] and base["p99_ms"] else None
        row = "| {sessions} | {sockets} | ".format(**ours)
        if paced:
            row += f"{ours.get('offered_moves_per_s', '–')} | "
        row += ("{moves_per_s} | {p50_ms} | {p95_ms} | {p99_ms} "
                "| {max_ms} | {errors} | {server_cpu_pct} | {server_rss_mb} | ".format(**ours))
        if paced:
            row += f"{ours.get('late_moves', '–')} | {ours.get('p99_from_schedule_ms', '–')} | "
        row += ("{moves_per_s} | {p50_ms} | {p95_ms} | {p99_ms} | {max_ms} "
                "| {server_cpu_pct} | ".format(**base))
        if paced:
            row += f"{base.get('late_moves', '–')} | {base.get('p99_from_schedule_ms', '–')} | "
        row += ((f"{ratio:.1f}×" if ratio else "–")
                + f" | {ours['other_cpu_pct']} / {base['other_cpu_pct']} |")
        out.append(row)
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", default="10", help="comma-separated session counts")
    parser.add_argument("--seconds", type=float, default=20, help="measured play time per run")
    parser.add_argument("--compare", action="store_true",
                        help="measure the floor beside the portal for every N")
    parser.add_argument("--floor-stack", choices=("flask", "asyncio"), default="flask")
    parser.add_argument("--url", help="a running portal (comma-separated with --split)")
    parser.add_argument("--server-pid", help="pid(s) of the running portal, for CPU and RSS")
    parser.add_argument("--username", default="instructor")
    parser.add_argument("--password", default="instructor-demo")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per server")
    parser.add_argument("--servers", type=int, default=1,
                        help="gunicorn servers on separate ports sharing DB, Redis, DATA_DIR")
    parser.add_argument("--split", action="store_true",
                        help="connect a session's sockets to different servers (round robin)")
    parser.add_argument("--threads", type=int, default=700, help="gunicorn threads per worker")
    parser.add_argument("--server-cores", default="0")
    parser.add_argument("--driver-cores", default="1")
    parser.add_argument("--move-timeout", type=float, default=5.0)
    parser.add_argument("--think-ms", type=float, default=0.0,
                        help="pause between a session's moves (default: none, closed loop)")
    parser.add_argument("--rate", type=float, default=None, metavar="R",
                        help="paced (open loop): R moves/s offered over all sessions, each "
                        "session one move every N/R s, first moves staggered; latency at a "
                        "given load (a closed loop's is sessions/throughput, Little's law). "
                        "--compare paces the floor alike. Default: closed loop")
    parser.add_argument("--no-deflate", action="store_true",
                        help="do not offer permessage-deflate (browsers do)")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="py-spy the server during each portal run: PREFIX-portal-N.txt")
    parser.add_argument("--keep", action="store_true", help="keep the temp folders")
    args = parser.parse_args(argv)
    if args.rate is not None and args.think_ms:
        parser.error("--think-ms and --rate exclude each other (a paced session waits for "
                     "its schedule, not a think time)")
    if args.rate is not None and not args.rate > 0:
        parser.error("--rate must be > 0 (moves per second over all sessions)")
    if args.split and args.servers < 2 and not (args.url and "," in args.url):
        parser.error("--split needs --servers 2 (or more) or several --url")
    counts = [int(n) for n in args.sessions.split(",")]
    if max(counts) * 3 >= args.threads * args.workers:
        parser.error("--threads must exceed the socket count (one thread per WebSocket)")
    loadlib.pin_self(loadlib.parse_cores(args.driver_cores))
    per_run = 90 + args.seconds + args.move_timeout * 2
    loadlib.watchdog(sum((per_run + n * 1.5) * (2 if args.compare else 1) for n in counts))
    rows = []
    for count in counts:
        line, sample = measure_portal(count, args)
        if not args.compare:
            print(json.dumps(line), flush=True)
            if sample:
                os.unlink(sample)
            continue
        base = floor_mod.measure_floor(
            count, args.seconds, args.floor_stack, loadlib.parse_cores(args.server_cores),
            args.threads, payload_file=sample,
            payload_bytes=line["bytes_per_push"] or floor_mod.DEFAULT_BYTES,
            **drive_kwargs(args))
        if sample:
            os.unlink(sample)
        if line["p99_ms"] and base["p99_ms"]:
            line["p99_vs_floor"] = round(line["p99_ms"] / base["p99_ms"], 2)
        print(json.dumps(line), flush=True)
        print(json.dumps(base), flush=True)
        rows.append((line, base))
    if rows:
        sys.stderr.write(markdown(rows) + "\n")


if __name__ == "__main__":
    main()
