"""Database rows: accounts, games and their versions, sessions, seats, play-throughs."""
import datetime
import hashlib
import secrets

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db

USER_KINDS = ("admin", "instructor", "researcher", "student")
GAME_STATUSES = ("dev", "beta", "published", "deprecated")
SESSION_STATUSES = ("lobby", "in_progress", "paused", "ended")
PARTICIPANT_KINDS = ("human", "guest", "bot")
BOT_STRATEGIES = ("random", "first", "search")
# No 0/O, 1/I/L: a join code is read aloud and typed from a projector.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
MAX_NAME_LENGTH = 40
MAX_GAME_NAME_LENGTH = 200
# Ids, numbers and steps are INTEGER columns, 32-bit on PostgreSQL: a larger number
# from a URL or a form names no row, and PostgreSQL refuses to even look it up.
MAX_INTEGER = 2**31 - 1
# A play-through's id (and the columns referring to it): BIGINT, INTEGER on SQLite
# (64-bit there already, and the rowid alias).  Ids are made from the session id and
# the number (webapp/live/rows.py) and stay below 2**53 (exact in JavaScript too).
PLAYTHROUGH_ID = db.BigInteger().with_variant(db.Integer(), "sqlite")
MAX_PLAYTHROUGH_ID = 2**53


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def clean_display_name(text):
    """A display name: whitespace collapsed, at most MAX_NAME_LENGTH characters."""
    return " ".join(str(text or "").split())[:MAX_NAME_LENGTH]


def row_id(value):
    """``value`` (a number, or its text from a form) as a row id; None if it can name no row."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_INTEGER else None


def playthrough_row_id(value):
    """``value`` as a play-through id (BIGINT); None if it can name no row."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_PLAYTHROUGH_ID else None


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class User(UserMixin, db.Model):
    """An account: admin, instructor, researcher or student."""

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), unique=True, nullable=False, index=True)
    display_name = db.Column(db.String(MAX_NAME_LENGTH), nullable=False)
    email = db.Column(db.String(254), nullable=True, unique=True, index=True)
    password_hash = db.Column(db.String(256), nullable=False)
    # Part of the login cookie's user id: raised by logout, password changes and
    # (de)activation, so every cookie issued before stops working.
    session_version = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    kind = db.Column(db.String(16), nullable=False, default="student")
    perm_accounts = db.Column(db.Boolean, nullable=False, default=False)
    perm_games = db.Column(db.Boolean, nullable=False, default=False)
    perm_research = db.Column(db.Boolean, nullable=False, default=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def set_password(self, password):
        """A new password; every login cookie of the account stops working."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self):
        """Make every login cookie issued so far invalid."""
        self.session_version = (self.session_version or 0) + 1

    def get_id(self):
        return f"{self.id}-{self.session_version or 0}"

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        return bool(self.active)

    @property
    def is_admin(self):
        return self.kind == "admin"

    @property
    def can_start_sessions(self):
        return self.kind in ("admin", "instructor")


class Game(db.Model):
    """A game in the catalog (its code lives in GameVersion folders)."""

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(64), unique=True, nullable=False, index=True)
    name = db.Column(db.String(MAX_GAME_NAME_LENGTH), nullable=False)
    brief_desc = db.Column(db.Text, nullable=False, default="")
    status = db.Column(db.String(16), nullable=False, default="dev")
    game_metadata = db.Column("metadata", db.JSON, nullable=False, default=dict)
    # An admin's settings for the game's processes: {"env": {...}, "network": bool,
    # "move_seconds": float} (webapp/games.py; the install check uses them too).
    settings = db.Column(db.JSON, nullable=False, default=dict)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    versions = db.relationship("GameVersion", back_populates="game",
                               order_by="GameVersion.installed_at")

    @property
    def current_version(self):
        """The newest installed version (debug play and its author use it)."""
        return self.versions[-1] if self.versions else None

    @property
    def live_version(self):
        """The newest promoted version: the one new sessions start with."""
        promoted = [v for v in self.versions if v.promoted_at is not None]
        return promoted[-1] if promoted else None

    @property
    def pending_versions(self):
        """Versions installed after the live one, waiting for a game admin to promote them."""
        live = self.live_version
        return [v for v in self.versions if v.promoted_at is None
                and (live is None or v.installed_at >= live.installed_at)]

    @property
    def roles(self):
        return self.game_metadata.get("roles", [])


class GameVersion(db.Model):
    """One exact version (content hash) of a game's folder."""

    id = db.Column(db.Integer, primary_key=True)
    game_id = db.Column(db.Integer, db.ForeignKey("game.id"), nullable=False, index=True)
    version_hash = db.Column(db.String(64), unique=True, nullable=False)
    folder = db.Column(db.String(1024), nullable=False)
    installed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # What install read from the version (name, description, roles, players, thumbnail).
    meta = db.Column(db.JSON, nullable=True)
    # Set when the version goes live (the first version of a game at once; later ones
    # when a game admin promotes them); until then only debug play and its author use it.
    promoted_at = db.Column(db.DateTime, nullable=True)
    promoted_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    game = db.relationship("Game", back_populates="versions")
    promoted_by = db.relationship("User")


class Session(db.Model):
    """A live gathering around one game: invite link, join code, lobby, play-throughs."""

    __tablename__ = "session"
    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(64), unique=True, nullable=False, index=True,
                    default=lambda: secrets.token_urlsafe(24))
    join_code = db.Column(db.String(JOIN_CODE_LENGTH), nullable=False, index=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    game_version_id = db.Column(db.Integer, db.ForeignKey("game_version.id"), nullable=False)
    status = db.Column(db.String(16), nullable=False, default="lobby")
    options = db.Column(db.JSON, nullable=False, default=dict)
    debug = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # When the owner (or an admin) ended the session; "ended" without it means only its
    # latest play-through ended, and a rematch starts the session again.
    closed_at = db.Column(db.DateTime, nullable=True)
    owner = db.relationship("User")
    game_version = db.relationship("GameVersion")
    participants = db.relationship("Participant", back_populates="session",
                                   order_by="Participant.id")
    playthroughs = db.relationship("PlayThroughRecord", back_populates="session",
                                   order_by="PlayThroughRecord.number")

    @property
    def game(self):
        return self.game_version.game

    @property
    def current_playthrough(self):
        """The session's latest play-through (one row: a long session of rematches
        would otherwise load every earlier one)."""
        if "playthroughs" in self.__dict__:          # already loaded: use it
            return self.playthroughs[-1] if self.playthroughs else None
        if self.id is None:
            return None
        return db.session.scalar(db.select(PlayThroughRecord)
                                 .where(PlayThroughRecord.session_id == self.id)
                                 .order_by(PlayThroughRecord.number.desc()).limit(1))

    @property
    def shown_status(self):
        """The status people see: "between play-throughs" when the latest play-through
        ended but the session was not ended (its owner may start a rematch)."""
        if self.status == "ended" and self.closed_at is None:
            return "between play-throughs"
        return self.status.replace("_", " ")

    @staticmethod
    def new_join_code():
        """A join code not used by any session that has not ended."""
        while True:
            code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
            taken = Session.query.filter(Session.join_code == code,
                                         Session.status != "ended").first()
            if taken is None:
                return code


def new_pseudonym():
    """A participant's id in logs: random, so a log names nobody (names stay in the
    database and in an export's manifest, unless it is pseudonymised)."""
    return "p-" + secrets.token_hex(6)


class Participant(db.Model):
    """A person or bot in a session, seated in zero or more roles."""

    id = db.Column(db.Integer, primary_key=True)
    pseudonym = db.Column(db.String(16), nullable=False, default=new_pseudonym, unique=True)
    session_id = db.Column(db.Integer, db.ForeignKey("session.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    guest_id = db.Column(db.String(64), nullable=True, index=True)
    display_name = db.Column(db.String(MAX_NAME_LENGTH), nullable=False)
    kind = db.Column(db.String(8), nullable=False, default="human")
    bot_strategy = db.Column(db.String(16), nullable=True)
    token_hash = db.Column(db.String(64), nullable=True, index=True)
    roles = db.Column(db.JSON, nullable=False, default=list)
    connected = db.Column(db.Boolean, nullable=False, default=False)
    last_seen = db.Column(db.DateTime, nullable=True)
    session = db.relationship("Session", back_populates="participants")
    user = db.relationship("User")

    def issue_token(self):
        """A new seat token; only its hash is kept, the value goes in the cookie."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token


class PlayThroughRecord(db.Model):
    """A play-through's row, kept in step with the engine's log."""

    __tablename__ = "playthrough"
    # Made outside the database (webapp/live/rows.playthrough_id: session id, number):
    # the live path owns a new play-through before its row is written.
    id = db.Column(PLAYTHROUGH_ID, primary_key=True, autoincrement=False)
    session_id = db.Column(db.Integer, db.ForeignKey("session.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    seed = db.Column(db.BigInteger, nullable=False)
    status = db.Column(db.String(16), nullable=False, default="in_progress")
    end_reason = db.Column(db.String(16), nullable=True)
    steps = db.Column(db.Integer, nullable=False, default=0)
    outcome = db.Column(db.JSON, nullable=True)
    started_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ended_at = db.Column(db.DateTime, nullable=True)
    log_path = db.Column(db.String(1024), nullable=False)
    game_version_hash = db.Column(db.String(64), nullable=False)
    validation_status = db.Column(db.String(16), nullable=True)
    validation_class = db.Column(db.String(32), nullable=True)
    validation_report = db.Column(db.JSON, nullable=True)
    validated_at = db.Column(db.DateTime, nullable=True)
    # The latest line of the log the row knows (rows lag the log): its seq and hash.
    tip_seq = db.Column(db.BigInteger, nullable=True)
    tip_hash = db.Column(db.String(64), nullable=True)
    session = db.relationship("Session", back_populates="playthroughs")
    __table_args__ = (db.UniqueConstraint("session_id", "number"),)
from .jobs.models import JobRecord  # noqa: E402,F401


from .accounts.models import GameAccess  # noqa: E402,F401
from .install.models import GameInstall, GameMetadataVersion, GameStatusChange  # noqa: E402,F401
from .research.models import ApiToken, ResearchNote  # noqa: E402,F401
