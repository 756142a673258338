"""The live hub: one WebSocket per browser tab, grouped per session."""
from flask import Blueprint

bp = Blueprint("live", __name__)
