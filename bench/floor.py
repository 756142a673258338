"""The FLOOR: the least a server on this machine can do for the portal's move traffic.

A minimal WebSocket server groups sockets by three (like a session's X, O and
watcher); when one socket sends a ``move`` it bumps the group's version and sends
every socket of the group one payload as large as the portal's per-move push (by
default a real push captured from the portal, with its ``data-version`` rewritten),
so the same driver (``bench.loadlib``) measures it with the same output.

``--rate R`` paces the driver (open loop: R moves/s offered over all groups, each
one move every N/R s, late moves counted, p99 also from the scheduled time) as
``bench.load --rate`` does; by Little's law a closed loop's latency is only
sessions / throughput, so portal and floor are compared at the same offered load.

Two stacks (``--stack``):

* ``flask`` (default): Flask + flask-sock under gunicorn gthread, one thread per
  socket, a lock per socket, exactly the stack the portal runs on.  Portal / floor
  then isolates the portal's own code (routing, game engine, rendering, database).
* ``asyncio``: a bare ``websockets`` asyncio server in one process: the floor of the
  machine itself, whatever the stack.

    python -m bench.floor --sessions 1,10,50,200 --seconds 20 [--stack asyncio]
    python -m bench.floor --sessions 200 --seconds 20 --rate 1000   # paced
"""
import argparse
import asyncio
import collections
import json
import os
import re
import sys
import threading

from . import loadlib

VERSION_RE = re.compile(r'data-version="\d+"')
DEFAULT_BYTES = 7000


def synthetic_payload(size):
    """An HTML-like payload of about ``size`` bytes (when no portal push was captured)."""
    head = ('<div id="nav" data-location="/play/x" data-playthrough="1" hx-swap-oob="true" '
            'hidden></div><section id="operators" class="operators" hx-swap-oob="true" '
            'data-role="" data-version="0" data-applicable="">')
    rows, i = [], 0
    while len(head) + sum(map(len, rows)) < size - 20:
        rows.append(f'<li class="op inapplicable"><button type="button" class="op-button" '
                    f'disabled title="Place a mark in cell {i % 9}">Cell {i % 9} r{i}</button>'
                    f'</li>\n')
        i += 1
    return (head + "".join(rows) + "</section>")[:size]


def payload_parts():
    """The payload split around its data-version values (joined with the new version)."""
    path = os.environ.get("FLOOR_PAYLOAD_FILE")
    if path and os.path.exists(path):
        with open(path) as f:
            text = f.read()
    else:
        text = synthetic_payload(int(os.environ.get("FLOOR_PAYLOAD_BYTES", DEFAULT_BYTES)))
    return VERSION_RE.split(text)


def render(parts, version):
    return f'data-version="{version}"'.join(parts)


# ---------------------------------------------------------------------------
# Stack 1: Flask + flask-sock under gunicorn gthread (the portal's stack)
# ---------------------------------------------------------------------------

def create_floor_app():
    """gunicorn ... 'bench.floor:create_floor_app()'."""
    from flask import Flask
    from flask_sock import Sock

    app = Flask(__name__)
    app.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": 25, "max_message_size": 1 << 20}
    sock = Sock(app)
    parts = payload_parts()
    lock = threading.Lock()
    groups = collections.defaultdict(list)
    versions = collections.defaultdict(int)

    class Client:
        def __init__(self, ws):
            self.ws = ws
            self.send_lock = threading.Lock()

        def send(self, text):
            with self.send_lock:
                try:
                    self.ws.send(text)
                    return True
                except Exception:
                    return False

    @app.route("/")
    def index():
        return "floor"

    @sock.route("/ws/g/<group>")
    def group_socket(ws, group):
        client = Client(ws)
        with lock:
            groups[group].append(client)
            version = versions[group]
        client.send(render(parts, version))
        try:
            while True:
                data = json.loads(ws.receive())
                if data.get("action") != "move":
                    continue
                with lock:
                    versions[group] += 1
                    version = versions[group]
                    members = list(groups[group])
                text = render(parts, version)
                for member in members:
                    member.send(text)
        finally:
            with lock:
                groups[group].remove(client)

    return app


# ---------------------------------------------------------------------------
# Stack 2: a bare asyncio websockets server
# ---------------------------------------------------------------------------

async def serve_asyncio(port):
    import websockets
    parts = payload_parts()
    groups = collections.defaultdict(list)
    versions = collections.defaultdict(int)

    async def handler(ws):
        group = ws.request.path.rsplit("/", 1)[-1]
        groups[group].append(ws)
        try:
            await ws.send(render(parts, versions[group]))
            async for raw in ws:
                if json.loads(raw).get("action") != "move":
                    continue
                versions[group] += 1
                text = render(parts, versions[group])
                for member in list(groups[group]):
                    try:
                        await member.send(text)
                    except websockets.ConnectionClosed:
                        pass
        finally:
            groups[group].remove(ws)

    def health(connection, request):
        if request.path == "/":
            return connection.respond(200, "floor\n")
        return None

    async with websockets.serve(handler, "127.0.0.1", port, max_size=1 << 20,
                                ping_interval=None, process_request=health):
        await asyncio.Future()


# ---------------------------------------------------------------------------
# Starting the floor and driving it
# ---------------------------------------------------------------------------

class Floor(loadlib.Servers):
    def __init__(self, folder, stack="flask", threads=700, cores=frozenset({0}),
                 payload_file=None, payload_bytes=DEFAULT_BYTES):
        super().__init__()
        self.folder, self.stack, self.threads, self.cores = folder, stack, threads, cores
        self.env = dict(os.environ, PYTHONPATH=loadlib.REPO,
                        FLOOR_PAYLOAD_BYTES=str(payload_bytes))
        if payload_file:
            self.env["FLOOR_PAYLOAD_FILE"] = payload_file

    def start(self):
        port = loadlib.free_port()
        if self.stack == "flask":
            args = loadlib.gunicorn_args("bench.floor:create_floor_app()", port, 1, self.threads)
        else:
            args = [sys.executable, "-m", "bench.floor", "--serve-asyncio", str(port)]
        child = loadlib.Child(args, self.env, f"{self.folder}/floor.log", self.cores)
        self.children.append(child)
        self.bases.append(f"http://127.0.0.1:{port}")
        loadlib.wait_http(self.bases[0], child)
        loadlib.pin(self.pids(), self.cores)
        return self


def floor_groups(base, count):
    url = base.replace("http://", "ws://")
    return [loadlib.Group(f"g{i}", [{"url": f"{url}/ws/g/{i}", "origin": base, "cookie": ""}
                                    for _ in range(3)]) for i in range(count)]


def measure_floor(count, seconds, stack="flask", cores=frozenset({0}), threads=700,
                  payload_file=None, payload_bytes=DEFAULT_BYTES, rate=None, **drive_kwargs):
    """Start the floor, drive ``count`` groups for ``seconds``; returns the JSON dict.

    ``rate``: paced at that many moves/s over all groups (None: closed loop).
    """
    folder = loadlib.temp_folder("szfloor-")
    floor = Floor(folder, stack, threads, cores, payload_file, payload_bytes)
    try:
        floor.start()
        groups = floor_groups(floor.bases[0], count)
        stats, window, cpu, rss, driver_cpu = loadlib.run_measured(
            groups, floor.cpu, floor.rss, seconds, rate=rate, **drive_kwargs)
        return loadlib.result_line(f"floor-{stack}", groups, stats, window, cpu, rss,
                                   driver_cpu)
    finally:
        floor.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", default="10", help="comma-separated group counts")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--stack", choices=("flask", "asyncio"), default="flask")
    parser.add_argument("--payload-file", help="a captured portal push (default: synthetic)")
    parser.add_argument("--payload-bytes", type=int, default=DEFAULT_BYTES)
    parser.add_argument("--server-cores", default="0")
    parser.add_argument("--driver-cores", default="1")
    parser.add_argument("--threads", type=int, default=700)
    parser.add_argument("--move-timeout", type=float, default=5.0)
    parser.add_argument("--no-deflate", action="store_true")
    parser.add_argument("--rate", type=float, default=None, metavar="R",
                        help="paced (open loop): R moves/s offered over all groups, each one "
                        "move every N/R s, first moves staggered (default: closed loop)")
    parser.add_argument("--serve-asyncio", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rate is not None and not args.rate > 0:
        parser.error("--rate must be > 0 (moves per second over all groups)")
    if args.serve_asyncio:
        asyncio.run(serve_asyncio(args.serve_asyncio))
        return
    loadlib.pin_self(loadlib.parse_cores(args.driver_cores))
    counts = [int(n) for n in args.sessions.split(",")]
    loadlib.watchdog(sum(60 + args.seconds * 2 + n * 0.2 for n in counts))
    for count in counts:
        line = measure_floor(count, args.seconds, args.stack,
                             loadlib.parse_cores(args.server_cores), args.threads,
                             args.payload_file, args.payload_bytes,
                             rate=args.rate, move_timeout=args.move_timeout,
                             compression=None if args.no_deflate else "deflate")
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
