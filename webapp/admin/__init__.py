"""The admin console (/admin) and the instructors' own sessions page (/my)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
my_bp = Blueprint("instructor", __name__, url_prefix="/my")
