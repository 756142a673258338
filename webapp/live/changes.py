"""After a change to a live play-through (a move, an undo, a start): rows in step,
every socket updated, then the bots that are to move are scheduled."""
from flask import current_app

from . import bots, hub


def after_change(live):
    hub.refresh(live)
    bots.schedule_bots(current_app._get_current_object(), live)
