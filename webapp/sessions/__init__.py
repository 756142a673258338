"""Sessions: invite link, joining, the lobby where the owner seats players."""
from flask import Blueprint

bp = Blueprint("sessions", __name__, url_prefix="/s")
