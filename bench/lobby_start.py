"""Issue 18's Start target: from the lobby of 30 students to every page showing the game
in <= 1 s.

Starts the portal as ``bench.load`` does (Redis, a fresh SQLite database, ``szportal
init-db`` and ``seed``, gunicorn with the portal's worker class and thread count,
pinned to core 0; the driver, one asyncio loop, on core 1).  Then, R times, each time
a fresh session in the same server, over real HTTP and WebSockets: the instructor
starts a tic-tac-toe session, N guests join it (display names), the first two are
seated X and O (the others watch), and every student's browser and the instructor's
opens the session's socket as the lobby page does (``/ws/s/<key>?page=lobby``, with
its cookies and Origin).  Once every socket has its first snapshot and the server is
idle again (each connect pushes the lobby to every socket: that takes a while), the
instructor posts ``/s/<key>/start`` as the lobby's start button does (htmx,
``HX-Request``).

A lobby page learns that play started from a push of the nav fragment whose
``data-location`` is the game page (``/s/<key>/play``); static/js/app.js then loads
that page (``location.assign``).  So a student's page shows the game once that push
has come AND the GET of the page it names has returned the game page with the board
(``#state-view`` with a state version).  Then, as the browser does, the lobby socket
closes and the game page's socket (``?page=game``) opens: that load reaches the
server while the later students still wait.  Static files are not fetched (the
browser has them from the lobby page).

Figures of a start, in ms from just before the POST; printed as the median and the
max over the repeats (``*_median``, ``*_max``) in one JSON line:

- ``pages_ms``: until EVERY student's page shows the game (the target: <= 1,000);
- ``nav_ms``: until every student's lobby socket has had the push;
- ``live_ms``: until every student's game page socket has had its first snapshot;
- ``post_ms``: the start POST's own response;
- ``cpu_ms``: CPU of every server process (gunicorn, game processes, Redis) from
  just before the POST until every page is live, plus 0.2 s for the last pushes
  (``cpu_ms_median_by_part``: web, game, redis);
- ``other_cpu_ms``: what the rest of the machine used meanwhile (large: noisy figures).

``pages_ms_runs`` and ``other_cpu_ms_runs`` give each start's figure in order (the
first start in a fresh server is the coldest: it loads the game into a process).

``missed`` counts the students whose page did not show the game (or whose game socket
got no snapshot) within ``--timeout`` s of the POST: it must be 0 (else exit status 1).

    python -m bench.lobby_start [--students 30] [--repeats 5]
    python -m bench lobby
    python -m bench.lobby_start --profile /tmp/prof   # py-spy of the server's starts
"""
import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import time

from . import loadlib

NAV_RE = re.compile(r'id="nav" data-location="([^"]*)"')
BOARD_RE = re.compile(r'id="state-view"[^>]*data-version="\d+"')
SETTLE_S = 0.2
TARGET_MS = 1000


class Page:
    """One browser: on the lobby page, then (once told) on the game page."""

    def __init__(self, base, key, browser):
        self.base, self.key, self.browser = base, key, browser
        self.sockets = []
        self.snapshot = asyncio.Event()     # the lobby socket's first snapshot is in
        self.nav_at = self.page_at = self.live_at = None
        self.error = None
        self.done = asyncio.Event()         # live on the game page, or failed

    def spec(self, page):
        return loadlib.socket_spec(self.base, self.key, self.browser, page)


async def follow(page, compression, timeout):
    """Read the lobby socket until it is sent the game page; load that page and open
    its socket (the lobby one closed), as a browser does."""
    import websockets
    try:
        lobby = page.sockets[0]
        async for msg in lobby:
            found = NAV_RE.search(msg)
            if found is None:
                continue
            if found.group(1) == f"/s/{page.key}/lobby":
                page.snapshot.set()
                continue
            page.nav_at = time.perf_counter()
            status, body = await loadlib.http_request(
                page.base, "GET", found.group(1), page.browser.cookie_header(),
                timeout=timeout)
            if status != 200 or not BOARD_RE.search(body.decode("utf-8", "replace")):
                page.error = f"GET {found.group(1)}: HTTP {status}, no board"
                break
            page.page_at = time.perf_counter()
            asyncio.get_running_loop().create_task(lobby.close())    # the page unloads
            game = await loadlib.open_socket(page.spec("game"), compression, timeout)
            page.sockets.append(game)
            async for msg in game:              # read on: the socket is not stalled
                if page.live_at is None and BOARD_RE.search(msg):
                    page.live_at = time.perf_counter()
                    page.done.set()
    except (websockets.ConnectionClosed, OSError, asyncio.TimeoutError) as exc:
        page.error = type(exc).__name__
    page.error = page.error or "socket closed"
    page.done.set()


async def until_idle(cpu_parts, window=0.2, most=0.02, limit=30.0):
    """Wait until the server used at most ``most`` CPU s in ``window`` s (a class in the
    lobby, waiting): each connect pushed the lobby to every socket, which takes a while."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        used = sum(cpu_parts().values())
        await asyncio.sleep(window)
        if sum(cpu_parts().values()) - used <= most:
            return
    raise RuntimeError(f"the server did not go idle in {limit:.0f} s")


async def start_class(base, key, teacher, guests, cpu_parts, timeout, compression,
                      profile=None):
    """Open every lobby socket, post the start, follow every page; this start's figures
    (seconds).  ``profile``: (pid, seconds, output prefix) for py-spy during the start."""
    pages = [Page(base, key, browser) for browser in [teacher] + guests]
    loop = asyncio.get_running_loop()
    tasks = []
    for page in pages:
        page.sockets.append(await loadlib.open_socket(page.spec("lobby"), compression, 60))
        tasks.append(loop.create_task(follow(page, compression, timeout)))
    try:
        await asyncio.wait_for(asyncio.gather(*(p.snapshot.wait() for p in pages)), 60)
    except asyncio.TimeoutError:
        raise RuntimeError("a lobby socket got no first snapshot in 60 s") from None
    await until_idle(cpu_parts)     # the connects' pushes to the others are out
    spy = raw = None
    if profile is not None:
        from .load import profile_start
        spy, raw = profile_start(*profile)
        await asyncio.sleep(1.0)    # attached before the start is posted
    before = cpu_parts(), loadlib.machine_cpu(), time.process_time()
    started = time.perf_counter()
    status = await loadlib.post_form(base, f"/s/{key}/start", teacher.cookie_header(),
                                     {"csrf_token": teacher.token}, timeout)
    posted = time.perf_counter()
    try:
        await asyncio.wait_for(asyncio.gather(*(p.done.wait() for p in pages)),
                               max(0.0, started + timeout - posted))
    except asyncio.TimeoutError:
        pass
    await asyncio.sleep(SETTLE_S)
    after = cpu_parts(), loadlib.machine_cpu(), time.process_time()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*(ws.close() for p in pages for ws in p.sockets),
                         return_exceptions=True)
    if spy is not None:
        await loop.run_in_executor(None, spy.communicate)
    students = pages[1:]

    def last(name):
        times = [getattr(p, name) for p in students]
        return None if None in times else max(times) - started
    parts = {part: after[0][part] - before[0].get(part, 0.0) for part in after[0]}
    server = sum(parts.values())
    missed = [p for p in students if p.live_at is None]
    errors = {p.error or "no game in time" for p in missed}
    if status != 200:
        errors.add(f"start POST: HTTP {status}")
    return {"pages": last("page_at"), "nav": last("nav_at"), "live": last("live_at"),
            "post": posted - started, "cpu": server, "cpu_parts": parts,
            "other_cpu": max(0.0, after[1] - before[1] - server - (after[2] - before[2])),
            "missed": len(missed), "errors": errors, "profile": raw}


def measure(portal, students=30, repeats=5, seated=2, timeout=10.0, compression="deflate",
            profile=None, username="instructor", password="instructor-demo"):
    """``repeats`` starts, each of a fresh session in ``portal``; their figures."""
    base = portal.bases[0]
    teacher = loadlib.Browser(base).login(username, password)
    runs = []
    for r in range(repeats):
        key = loadlib.new_session(teacher)
        names = [f"Student {i + 1}" for i in range(students)]
        guests = loadlib.join_guests(base, key, names)
        loadlib.seat_guests(base, teacher, key, names[:seated])
        spy = (portal.children[0].pid, timeout + 2, f"{profile}-lobby-{r}") if profile else None
        runs.append(asyncio.run(start_class(base, key, teacher, guests, portal.cpu_parts,
                                            timeout, compression, spy)))
    raws = [run["profile"] for run in runs if run["profile"] and os.path.exists(run["profile"])]
    if raws:
        from .load import profile_summary
        with open(f"{profile}-lobby.txt", "w") as out:
            for raw in raws:
                with open(raw) as f:
                    out.write(f.read())
        with open(f"{profile}-lobby.summary.txt", "w") as f:
            f.write(profile_summary(f"{profile}-lobby.txt") + "\n")
    return runs


def summary(runs, students, seated):
    line = {"bench": "lobby_start", "game": "tic_tac_toe", "students": students,
            "seated": seated, "repeats": len(runs), "target_ms": TARGET_MS}
    for name in ("pages", "nav", "live", "post", "cpu", "other_cpu"):
        values = [run[name] for run in runs]
        ms = [round(v * 1000, 1) for v in values if v is not None]
        full = len(ms) == len(values)
        line[f"{name}_ms_median"] = round(statistics.median(ms), 1) if full else None
        line[f"{name}_ms_max"] = max(ms) if full else None
    parts = sorted({part for run in runs for part in run["cpu_parts"]})
    line["cpu_ms_median_by_part"] = {
        part: round(1000 * statistics.median(run["cpu_parts"].get(part, 0.0) for run in runs))
        for part in parts}
    # per start, in order: the first start of a fresh server is the coldest; a start
    # with much other CPU (other people's work on the machine) is a noisy one
    line["pages_ms_runs"] = [None if run["pages"] is None else round(run["pages"] * 1000, 1)
                             for run in runs]
    line["other_cpu_ms_runs"] = [round(run["other_cpu"] * 1000) for run in runs]
    line["missed"] = sum(run["missed"] for run in runs)
    errors = sorted({e for run in runs for e in run["errors"]})
    if errors:
        line["errors"] = errors
    return line


def run(students=30, repeats=5, seated=2, timeout=10.0, server_cores="0", driver_cores="1",
        profile=None):
    """Start the portal, measure, print the JSON line and return it."""
    affinity = os.sched_getaffinity(0)
    loadlib.pin_self(loadlib.parse_cores(driver_cores))
    folder = loadlib.temp_folder("szlobby-")
    portal = loadlib.Portal(folder, cores=loadlib.parse_cores(server_cores))
    try:
        portal.start()
        line = summary(measure(portal, students, repeats, seated, timeout, profile=profile),
                       students, seated)
    finally:
        portal.stop()
        shutil.rmtree(folder, ignore_errors=True)
        os.sched_setaffinity(0, affinity)
    if profile:
        line["profile"] = f"{profile}-lobby.summary.txt"
    print(json.dumps(line), flush=True)
    return line


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.lobby_start", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5, help="starts, each a fresh session")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds after the POST before a page counts as missed")
    parser.add_argument("--server-cores", default="0")
    parser.add_argument("--driver-cores", default="1")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="py-spy the server during each start: PREFIX-lobby.summary.txt")
    args = parser.parse_args(argv)
    if args.students < 2:
        parser.error("--students must be at least 2 (two are seated)")
    loadlib.watchdog(120 + args.repeats * (args.timeout + 40 + args.students))
    line = run(args.students, args.repeats, 2, args.timeout, args.server_cores,
               args.driver_cores, args.profile)
    sys.exit(1 if line["missed"] else 0)


if __name__ == "__main__":
    main()
