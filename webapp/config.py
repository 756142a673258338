"""Settings read from environment variables, with defaults that work on a fresh machine."""
import os
import pathlib
import secrets

REPO_DIR = pathlib.Path(__file__).resolve().parent.parent


def env_str(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name, default):
    value = env_str(name)
    return int(value) if value is not None else default


def env_float(name, default):
    value = env_str(name)
    return float(value) if value is not None else default


def env_bool(name, default=False):
    value = env_str(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name, default=()):
    value = env_str(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def database_url(name, default):
    """A SQLAlchemy database URL: ``postgresql://`` and ``postgres://`` (the forms
    hosting services hand out) mean PostgreSQL through psycopg 3, which SQLAlchemy
    would otherwise look for as psycopg2."""
    url = env_str(name, default)
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path):
    """The SECRET_KEY persisted in instance/secret_key (created once, mode 600)."""
    path = pathlib.Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def load_config(instance_path):
    """The app's configuration dictionary from the environment."""
    instance = pathlib.Path(instance_path)
    max_bytes = env_int("WS_MAX_MESSAGE_BYTES", 65536)
    return {
        "SECRET_KEY": env_str("SECRET_KEY") or instance_secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url("DATABASE_URL",
                                                f"sqlite:///{instance / 'szportal.db'}"),
        # Connections per web process (SQLAlchemy's defaults: 5 and 10 more); the live
        # path never needs more than one to make progress (docs/ARCHITECTURE.md).
        "DATABASE_POOL_SIZE": env_int("DATABASE_POOL_SIZE", 5),
        "DATABASE_MAX_OVERFLOW": env_int("DATABASE_MAX_OVERFLOW", 10),
        "DATA_DIR": env_str("DATA_DIR", str(instance / "data")),
        # The portal's Ed25519 key that signs chain tips (made once, mode 600), and a
        # file of other portals' public keys whose logs it trusts (one a line).
        "SIGNING_KEY_PATH": env_str("SIGNING_KEY_PATH", str(instance / "signing_key.pem")),
        "TRUSTED_KEYS_FILE": env_str("TRUSTED_KEYS_FILE"),
        "GAMES_DIR": env_str("GAMES_DIR", str(REPO_DIR / "games")),
        "REDIS_URL": env_str("REDIS_URL"),
        "BOT_DELAY_SECONDS": env_float("BOT_DELAY_SECONDS", 0.6),
        "WS_MAX_MESSAGE_BYTES": max_bytes,
        "WS_RATE_PER_SECOND": env_float("WS_RATE_PER_SECOND", 20),
        "WS_ALLOWED_ORIGINS": env_list("WS_ALLOWED_ORIGINS"),
        "CHECKPOINT_EVERY": env_int("CHECKPOINT_EVERY", 20),
        "RECONNECT_WINDOW_SECONDS": env_float("RECONNECT_WINDOW_SECONDS", 180),
        # Sockets opening and closing within this time are pushed to the others once.
        "PRESENCE_PUSH_SECONDS": env_float("PRESENCE_PUSH_SECONDS", 0.25),
        "LIVE_LEASE_SECONDS": env_float("LIVE_LEASE_SECONDS", 5),
        "LIVE_ENDED_LINGER_SECONDS": env_float("LIVE_ENDED_LINGER_SECONDS", 60),
        "THINKING_AFTER_SECONDS": env_float("THINKING_AFTER_SECONDS", 0.3),
        "FORM_MAX_BYTES": env_int("FORM_MAX_KB", 1024) * 1024,
        "UPLOAD_MAX_BYTES": env_int("UPLOAD_MAX_MB", 64) * 1024 * 1024,
        "CSV_MAX_BYTES": env_int("CSV_MAX_KB", 2048) * 1024,
        "STAGED_INSTALL_SECONDS": env_int("STAGED_INSTALL_SECONDS", 3600),
        "WATCHDOG_SECONDS": env_float("WATCHDOG_SECONDS", 30),
        # Game processes (engine/gameproc): bubblewrap when installed (SANDBOX=0 turns
        # it off on a developer's machine), their limits, and how long an idle one stays.
        "SANDBOX": env_bool("SANDBOX", True),
        "GAME_MEMORY_MB": env_int("GAME_MEMORY_MB", 1024),
        "GAME_PROCESSES": env_int("GAME_PROCESSES", 64),
        "GAME_MOVE_SECONDS": env_float("GAME_MOVE_SECONDS", 10),
        "GAME_IDLE_SECONDS": env_float("GAME_IDLE_SECONDS", 120),
        "GAME_SPARE": env_bool("GAME_SPARE", True),
        "GAME_PROCESS_DIR": env_str("GAME_PROCESS_DIR"),
        "GAME_STATE_MAX_BYTES": env_int("GAME_STATE_MAX_KB", 8192) * 1024,
        "GAME_MESSAGE_MAX_CHARS": env_int("GAME_MESSAGE_MAX_CHARS", 65536),
        "GAME_VIEW_MAX_CHARS": env_int("GAME_VIEW_MAX_CHARS", 2 * 1024 * 1024),
        "WS_MAX_PER_PARTICIPANT": env_int("WS_MAX_PER_PARTICIPANT", 6),
        "WS_MAX_PER_ADDRESS": env_int("WS_MAX_PER_ADDRESS", 400),
        # raise | log | off: a thread taking a live lock while holding a database
        # connection, or the reverse (webapp/locks.py).
        "LIVE_LOCK_CHECKS": env_str("LIVE_LOCK_CHECKS", "log"),
        # The socket layer drops only absurd frames; the hub answers merely
        # oversized ones with a message to the sender.
        "SOCK_SERVER_OPTIONS": {"ping_interval": 25, "max_message_size": max_bytes * 16},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        # Login throttling (webapp/auth/throttle.py); counters in REDIS_URL when set.
        "RATELIMIT_STORAGE_URI": env_str("RATELIMIT_STORAGE_URI"),
        "LOGIN_LIMITS_ACCOUNT": env_str("LOGIN_LIMITS_ACCOUNT"),
        "LOGIN_LIMITS_ADDRESS": env_str("LOGIN_LIMITS_ADDRESS"),
        "LOGIN_LIMITS_DEVICE": env_str("LOGIN_LIMITS_DEVICE"),
        # Password reset by e-mail: only when MAIL_SERVER is set.
        "MAIL_SERVER": env_str("MAIL_SERVER"),
        "MAIL_PORT": env_int("MAIL_PORT", 25),
        "MAIL_USE_TLS": env_bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": env_bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": env_str("MAIL_USERNAME"),
        "MAIL_PASSWORD": env_str("MAIL_PASSWORD"),
        "MAIL_FROM": env_str("MAIL_FROM", "szportal@localhost"),
        "PASSWORD_RESET_SECONDS": env_int("PASSWORD_RESET_SECONDS", 3600),
        "PUBLIC_URL": env_str("PUBLIC_URL"),
    }
