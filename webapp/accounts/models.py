"""Per-account game access level (no row = published games only)."""
from ..extensions import db

ACCESS_LEVELS = {
    "published": "Published games only",
    "beta": "Beta and published games",
    "all": "All games, also those in development",
    "custom": "Only the games chosen below",
}
DEFAULT_LEVEL = "published"


class GameAccess(db.Model):
    """Which games an account may see, start and join."""

    __tablename__ = "game_access"
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), primary_key=True)
    level = db.Column(db.String(16), nullable=False, default=DEFAULT_LEVEL)
    game_ids = db.Column(db.JSON, nullable=False, default=list)
