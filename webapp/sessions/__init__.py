"""Sessions: invite link, joining, the lobby where the owner seats players."""
from flask import Blueprint

bp = Blueprint("sessions", __name__, url_prefix="/s")

from . import routes  # noqa: E402,F401
from . import control  # noqa: E402,F401
from . import play_routes  # noqa: E402,F401
