"""Rows of installs and of game lifecycle changes (dev → beta → published → deprecated)."""
from ..extensions import db
from ..models import utcnow


class GameStatusChange(db.Model):
    """One lifecycle step of a game, with who made it and when."""

    __tablename__ = "game_status_change"
    id = db.Column(db.Integer, primary_key=True)
    game_id = db.Column(db.Integer, db.ForeignKey("game.id"), nullable=False, index=True)
    from_status = db.Column(db.String(16), nullable=True)
    to_status = db.Column(db.String(16), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    changed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # A promotion names the version that went live; a metadata edit says what changed.
    version_id = db.Column(db.Integer, db.ForeignKey("game_version.id"), nullable=True)
    note = db.Column(db.String(255), nullable=True)
    game = db.relationship("Game")
    user = db.relationship("User")
    version = db.relationship("GameVersion")


class GameInstall(db.Model):
    """A game version installed from an upload or the command line."""

    __tablename__ = "game_install"
    id = db.Column(db.Integer, primary_key=True)
    game_version_id = db.Column(db.Integer, db.ForeignKey("game_version.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    source_name = db.Column(db.String(255), nullable=False, default="")
    check_result = db.Column(db.JSON, nullable=False, default=dict)
    installed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    game_version = db.relationship("GameVersion")
    user = db.relationship("User")


class GameMetadataVersion(db.Model):
    """One version of what the catalog says about a game: from an install, or an edit."""

    __tablename__ = "game_metadata_version"
    id = db.Column(db.Integer, primary_key=True)
    game_id = db.Column(db.Integer, db.ForeignKey("game.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    name = db.Column(db.String(200), nullable=False)
    brief_desc = db.Column(db.Text, nullable=False, default="")
    min_players = db.Column(db.Integer, nullable=False, default=1)
    max_players = db.Column(db.Integer, nullable=True)
    source = db.Column(db.String(16), nullable=False, default="install")   # install | edit
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    game = db.relationship("Game")
    user = db.relationship("User")
    __table_args__ = (db.UniqueConstraint("game_id", "number"),)
