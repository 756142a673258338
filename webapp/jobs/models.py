"""A row per background job, keyed by the RQ job id, so pages can show progress."""
from ..extensions import db
from ..models import PLAYTHROUGH_ID, utcnow

JOB_KINDS = ("checkpoint", "export", "validation", "import")
JOB_STATUSES = ("queued", "started", "finished", "failed")
MESSAGE_LENGTH = 255


def clip_message(text):
    """``text`` cut to fit the message column (the error column keeps all of it)."""
    return text if len(text) <= MESSAGE_LENGTH else text[:MESSAGE_LENGTH - 1] + "…"


class JobRecord(db.Model):
    """One background job: what it does, for whom, how far it got, what it made."""

    __tablename__ = "job"
    id = db.Column(db.String(128), primary_key=True)
    kind = db.Column(db.String(16), nullable=False)
    func = db.Column(db.String(128), nullable=False)
    status = db.Column(db.String(16), nullable=False, default="queued")
    progress = db.Column(db.Integer, nullable=False, default=0)
    message = db.Column(db.String(MESSAGE_LENGTH), nullable=True)   # error has the whole text
    params = db.Column(db.JSON, nullable=False, default=dict)
    result_path = db.Column(db.String(1024), nullable=True)
    result_name = db.Column(db.String(255), nullable=True)
    result = db.Column(db.JSON, nullable=True)   # what the job returned (e.g. a summary)
    error = db.Column(db.Text, nullable=True)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True, index=True)
    session_id = db.Column(db.Integer, db.ForeignKey("session.id"), nullable=True, index=True)
    playthrough_id = db.Column(PLAYTHROUGH_ID, db.ForeignKey("playthrough.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    finished_at = db.Column(db.DateTime, nullable=True)

    @property
    def done(self):
        return self.status in ("finished", "failed")
