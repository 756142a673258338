"""szportal Flask web application: create_app builds it."""
import os
import pathlib

from flask import Flask
from werkzeug.routing import IntegerConverter

from .config import REPO_DIR, load_config
from .extensions import csrf, db, login_manager, migrate, sock
from .models import MAX_INTEGER, MAX_PLAYTHROUGH_ID


class RowNumberConverter(IntegerConverter):
    """``<int:...>`` in this app's URLs: ids and numbers kept in INTEGER columns, so a
    larger number matches no route (404) rather than reaching the database."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


class PlayThroughIdConverter(IntegerConverter):
    """``<pid:...>``: a play-through id (BIGINT, below 2**53)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_PLAYTHROUGH_ID)
        super().__init__(map, *args, **kwargs)


def create_app(test_config=None):
    """Build the app: config from the environment (or ``test_config``), extensions, blueprints."""
    test_config = dict(test_config or {})
    instance_path = test_config.pop("INSTANCE_PATH", None) or os.environ.get(
        "INSTANCE_PATH") or str(REPO_DIR / "instance")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True,
                template_folder=str(REPO_DIR / "templates"),
                static_folder=str(REPO_DIR / "static"))
    from .templating import PortalEnvironment
    app.jinja_environment = PortalEnvironment       # before anything builds jinja_env
    app.url_map.converters["int"] = RowNumberConverter
    app.url_map.converters["pid"] = PlayThroughIdConverter
    pathlib.Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(test_config)
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    from sqlalchemy.engine import make_url
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:"):
        options.setdefault("pool_size", app.config["DATABASE_POOL_SIZE"])
        options.setdefault("max_overflow", app.config["DATABASE_MAX_OVERFLOW"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
        sqlite_pragmas()
    else:
        # A pooled connection the server has closed (a restart, an idle timeout) is
        # replaced before use instead of failing the request that draws it.
        options.setdefault("pool_pre_ping", True)
        connect_retries()
    pathlib.Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    from .install.services import expire_staged
    expire_staged(pathlib.Path(app.config["DATA_DIR"]) / "install_staging",
                  app.config["STAGED_INSTALL_SECONDS"])
    from . import locks
    locks.install()
    locks.set_mode(app.config["LIVE_LOCK_CHECKS"])
    from . import limits
    limits.install(app)
    init_extensions(app)
    from .auth.throttle import Throttle
    app.extensions["login_throttle"] = Throttle(app)
    register_blueprints(app)
    from .live.checkpoints import CheckpointWatcher
    from .live.incoming import handle
    from .live.registry import Runtime
    from .rowwriter import RowWriter
    app.extensions["rows"] = RowWriter(app)
    app.extensions["live"] = Runtime(app, on_cluster=lambda message: handle(app, message))
    app.extensions["checkpoints"] = CheckpointWatcher(app)
    app.after_request(security_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce})
    from .verdicts import verdict
    app.jinja_env.globals["verdict"] = verdict
    return app


def csp_nonce():
    """This response's nonce for the few pages that need an inline script (the job monitor)."""
    from flask import g
    if getattr(g, "csp_nonce", None) is None:
        import secrets
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def sqlite_pragmas():
    """WAL with synchronous=NORMAL: readers never wait for the writer and a commit is
    not an fsync (the canonical log, flushed per move, is the record of truth)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if getattr(sqlite_pragmas, "done", False):
        return
    sqlite_pragmas.done = True

    @event.listens_for(Engine, "connect")
    def set_pragmas(dbapi_connection, _record):
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


CONNECT_TRIES = 3           # a new server connection: tries, a short pause between them


def connect_retries():
    """A new connection to a database server that is closed while it opens (a server
    under load or restarting: "server closed the connection unexpectedly") is tried
    again after a short pause, so a socket's presence write or a page does not fail
    for it.  Only opening a connection is retried, never a statement: nothing can be
    applied twice.  A server that stays away fails after the last try."""
    import time

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if getattr(connect_retries, "done", False):
        return
    connect_retries.done = True

    @event.listens_for(Engine, "do_connect")
    def connect(dialect, _record, cargs, cparams):
        if dialect.name == "sqlite":
            return None                     # the default connect
        error = dialect.loaded_dbapi.OperationalError
        for attempt in range(CONNECT_TRIES):
            try:
                return dialect.connect(*cargs, **cparams)
            except error:
                if attempt + 1 == CONNECT_TRIES:
                    raise
                time.sleep(0.05 * (attempt + 1))


# Game vis HTML is inserted into pages: inline scripts and handlers must never run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "frame-ancestors 'self'; form-action 'self'")


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_extensions(app):
    db.init_app(app)
    # Batch mode: new migrations rewrite a table where SQLite cannot ALTER it; on
    # PostgreSQL the same operations run as plain ALTERs, so one script serves both.
    migrate.init_app(app, db, directory=str(REPO_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    sock.init_app(app)

    from .models import User

    @login_manager.user_loader
    def load_user(cookie_id):
        """The account of a login cookie, if the cookie is still current (its session
        version matches: logout, password changes and (de)activation raise it)."""
        user_id, _, version = str(cookie_id).partition("-")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or (user.session_version or 0) != int(version):
            return None
        return user


# The view modules of each blueprint package: imported here, when the app is built
# (a package's __init__ only makes its blueprint, so importing one of its helpers
# never pulls in its views and everything they import).
VIEWS = {
    "admin": ["accounts", "dashboard", "game_settings", "games", "sessions", "users"],
    "api": ["routes"], "auth": ["routes"], "catalog": ["routes"], "jobs": ["routes"],
    "live": ["routes"], "main": ["routes"], "play": ["routes"], "research": ["routes"],
    "sessions": ["routes", "control", "play_routes"],
}


def register_blueprints(app):
    import importlib
    for package, modules in VIEWS.items():
        for module in modules:
            importlib.import_module(f"webapp.{package}.{module}")
    from . import auth, catalog, live, main, play, sessions
    for module in (main, auth, catalog, sessions, play, live):
        app.register_blueprint(module.bp)
    from .admin import bp as admin_bp, my_bp
    app.register_blueprint(admin_bp)
    app.register_blueprint(my_bp)
    from . import jobs
    from .jobs.dashboard import mount
    app.register_blueprint(jobs.bp)
    mount(app, csrf)
    from . import api, research
    app.register_blueprint(research.bp)
    app.register_blueprint(api.bp)