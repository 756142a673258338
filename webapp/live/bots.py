"""Bots move on a timer thread, one move per tick, through the same path as people."""
import logging
import threading

from engine.playthrough import Actor, MoveError

from ..extensions import db
from . import hub, presence

log = logging.getLogger(__name__)


def choose_move(pt, role, strategy):
    """A bot's move, chosen in the game process (the search bot calls game code often)."""
    return pt.bot_move(role, strategy)


def bot_turn(live):
    """(seat, role) of the first bot that has a move to make now, or None."""
    if live.paused:
        return None
    pending = live.pending_roles()
    for seat in live.seats.values():
        if seat["kind"] != "bot":
            continue
        for role in seat["roles"]:
            if role in pending:
                return seat, role
    return None


def schedule_bots(app, live):
    """Start the bot timer if a bot is to move and none is pending."""
    with live.pt.lock:
        if live.pt.ended or live.bot_timer is not None or bot_turn(live) is None:
            return
        delay = float(app.config["BOT_DELAY_SECONDS"])
        live.bot_timer = threading.Timer(delay, run_bot_move, args=(app, live))
        live.bot_timer.daemon = True
        live.bot_timer.start()


def run_bot_move(app, live):
    """Apply one bot move, push it, and schedule the next."""
    with app.test_request_context("/"):
        try:
            with live.pt.lock:
                live.bot_timer = None
                if not play_one(live):
                    return
            hub.refresh(live)
            schedule_bots(app, live)
        except Exception:
            log.exception("bot move failed in session %s", live.session_key)
        finally:
            db.session.remove()


RETRY_SECONDS = 2.0


def retry_later(live):
    """A bot whose move could not be recorded tries again after a while."""
    from flask import current_app
    app = current_app._get_current_object()
    timer = threading.Timer(RETRY_SECONDS, schedule_bots, args=(app, live))
    timer.daemon = True
    timer.start()


def play_one(live):
    turn = bot_turn(live)
    if turn is None or live.pt.ended:
        return False
    seat, role = turn
    try:
        choice = choose_move(live.pt, role, seat.get("strategy") or "random")
    except MoveError as exc:
        log.warning("bot of session %s could not choose: %s", live.session_key, exc.message)
        retry_later(live)
        return False
    if choice is None:
        return False
    op, args = choice
    try:
        with presence.Thinking(live, seat["name"], hub.push_status):
            live.pt.apply(Actor(role, seat["name"], "bot", seat.get("participant")),
                          op, args, live.pt.version)
    except MoveError as exc:
        log.warning("bot move refused in session %s: %s", live.session_key, exc.message)
        if exc.code in ("not_recorded", "game_timeout", "game_died"):
            retry_later(live)        # the disk was full, or the game's process was replaced
        return False
    return True
