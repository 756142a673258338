"""Rows of the research panel: researchers' private notes and their API tokens."""
import secrets

from ..extensions import db
from ..models import PLAYTHROUGH_ID, hash_token, utcnow

NOTE_MAX_LENGTH = 5000
TOKEN_PREFIX = "szr_"


class ResearchNote(db.Model):
    """A researcher's private note on a session, a play-through or one step (log seq)."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    session_id = db.Column(db.Integer, db.ForeignKey("session.id"), nullable=False, index=True)
    playthrough_id = db.Column(PLAYTHROUGH_ID, db.ForeignKey("playthrough.id"), nullable=True)
    seq = db.Column(db.Integer, nullable=True)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    session = db.relationship("Session")
    playthrough = db.relationship("PlayThroughRecord")

    @property
    def target(self):
        """What the note is about: session, playthrough or step."""
        if self.playthrough_id is None:
            return "session"
        return "playthrough" if self.seq is None else "step"


class ApiToken(db.Model):
    """A bearer token of the read-only API; only its SHA-256 is stored."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    name = db.Column(db.String(80), nullable=False)
    token_hash = db.Column(db.String(64), unique=True, nullable=False, index=True)
    hint = db.Column(db.String(16), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime, nullable=True)
    revoked_at = db.Column(db.DateTime, nullable=True)
    user = db.relationship("User")

    def issue(self):
        """A new secret for this token; returns it (shown once, never stored)."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(secret)
        self.hint = secret[:len(TOKEN_PREFIX) + 4]
        return secret

    @property
    def active(self):
        return self.revoked_at is None
