"""What goes out over the sockets: snapshots on connect, pushes after every change."""
import logging
import threading

from flask import current_app, url_for

from ..extensions import db
from ..locks import release_connection
from ..models import Session
from ..play.history import history_update
from ..play.rendering import (can_act, personal_key, personal_regions, public_region_parts,
                              render_partial, role_region_parts, status_fragment, view_role)
from ..sessions.rendering import lobby_regions
from . import forward
from .playthroughs import Elsewhere, acting_live, read_facts, runtime, sync_rows
from .table import RESET

log = logging.getLogger(__name__)


def flash_fragment(message, category="error"):
    return render_partial("live/_flash.html", message=message, category=category)


def nav_fragment(game_session):
    """Where the page belongs, and which play-through it shows (a rematch reloads pages)."""
    if game_session.status == "lobby":
        location = url_for("sessions.lobby", key=game_session.key)
    else:
        location = url_for("play.game", key=game_session.key)
    record = game_session.current_playthrough
    return render_partial("live/_nav.html", location=location, oob=True,
                          playthrough=record.number if record is not None else None)


def live_nav(live):
    """The nav fragment of a started session's live play-through (built once)."""
    if live.nav is None:
        from ..play.artifacts import playthrough_number
        number = live.number if live.number is not None else playthrough_number(live)
        live.nav = render_partial("live/_nav.html", oob=True, playthrough=number,
                                  location=url_for("play.game", key=live.session_key))
    return live.nav


def socket_id(client):
    """The id of a socket, held here (``Client``) or by another process (``RemoteClient``)."""
    return getattr(client, "client_id", None) or client.id


def history_for(live, client, role):
    """The history text ``client`` needs now (new steps only, once it has a list), its
    position noted (call under the play-through's lock)."""
    ident = socket_id(client)
    text, live.history_sent[ident] = history_update(live, role, live.history_sent.get(ident))
    return text


def game_render(live, nav, connected, status):
    """A function giving each client its full text, built once per distinct variant.

    A variant is what a client's text depends on: the role it views, whether it
    may act, whether it owns the session and its own seat (artifacts, undo); the
    public regions (players, status) are the same for everyone.  Each client still
    only ever gets the view of its own role (or, for the owner, the perspective the
    owner chose), and the steps of the history it does not have yet, as that role
    saw them.
    """
    with live.pt.lock:
        public = tuple((None if region in ALWAYS_SENT else region, text)
                       for region, text in public_region_parts(live, connected, status))
        forget_gone_sockets(live)
    variants = {}

    def render(client):
        if client.page == "lobby":
            return nav          # a lobby page has none of the game's regions: it moves on
        pid = client.participant_id
        with live.pt.lock:
            role = view_role(live, pid)
            acting = can_act(live, pid, role)
            key = (role, acting, client.is_owner) + personal_key(live, pid)
            parts = variants.get(key)
            if parts is None:
                parts = variants[key] = (
                    (("nav", nav),) + role_region_parts(live, role, acting) + public
                    + (("personal", personal_regions(live, pid, client.is_owner, status)),))
            history = history_for(live, client, role)
            return parts + ((None, history),) if history else parts
    return render


# Pushed alone too (push_status, while the game works on a move), so a socket's last
# copy is not the one a push of regions knows: always sent.
ALWAYS_SENT = frozenset({"live-status"})


def forget_gone_sockets(live):
    """Drop the history positions of sockets the session no longer has."""
    if len(live.history_sent) < 8:
        return
    here = {c.id for c in runtime().clients_of(live.session_key)}
    here.update(c.client_id for c in runtime().cluster.remote_clients(live.session_key))
    for ident in [i for i in live.history_sent if i not in here]:
        del live.history_sent[ident]


def render_for(game_session, live, connected):
    """A function giving each lobby client its fragments (rendered now, from the rows)."""
    nav = nav_fragment(game_session)
    # Each person's own words ("You are X") and the owner's controls, rendered now from
    # the rows (pushes go out after the connection is released); lobby pushes are rare.
    variants = {(None, owner): nav + lobby_regions(game_session, None, owner, connected)
                for owner in (False, True)}
    for p in game_session.participants:
        if p.kind != "bot":
            owner = p.user_id is not None and p.user_id == game_session.owner_id
            variants[(p.id, owner)] = nav + lobby_regions(game_session, p.id, owner,
                                                          connected)

    def render(client):
        if client.page == "game":
            return nav          # a game page has none of the lobby's regions
        return variants.get((client.participant_id, bool(client.is_owner))) \
            or variants[(None, bool(client.is_owner))]
    return render


def push_status(live, thinking):
    """Push only the status line (the game is working on a move)."""
    text = status_fragment(live, "in_progress", thinking)
    runtime().broadcast(live.session_key, lambda client: None if client.page == "lobby" else text)


def push_session(key, only=None):
    """Push the current regions to every socket of the session (in every process), or
    to the socket ``only`` alone (its first state).

    A started session's live play-through knows everything the pushed regions
    need (status, seats, play-through number), so the move path reads no rows;
    a lobby (or a session whose play-through is not in memory) is read from the
    database, and the connection released before any live lock is taken.  A
    play-through another process owns is pushed by its owner (to every socket:
    ``only`` is then left to the push that follows it, ``push_session_soon``).  The
    caller's transaction ends here (pending changes are committed).
    """
    def to(render):
        return render if only is None else _to_one(render, only)
    live = runtime().live(key)
    if live is not None:
        release_connection(db.session)
        push_live(live, only)
        return
    db.session.expire_all()
    game_session = Session.query.filter_by(key=key).first()
    if game_session is None:
        release_connection(db.session)
        return
    if game_session.status == "lobby":
        render = render_for(game_session, None, runtime().connected_ids(key))
        release_connection(db.session)
        runtime().broadcast(key, to(render))
        return
    nav = nav_fragment(game_session)
    facts = read_facts(game_session)
    live = acting_live(facts)
    if isinstance(live, Elsewhere):
        if only is not None:
            return
        try:
            live = forward.forward_push(live)
        except forward.Unavailable:
            log.warning("cannot reach the owner of session %s to push", key)
            return
        if live is None:
            return
    connected = runtime().connected_ids(key)
    if live is None:
        runtime().broadcast(key, to(lambda client: nav))
    elif runtime().live(key) is live:
        push_live(live, only)
    else:
        runtime().broadcast(key, to(game_render(live, nav, connected, facts.status)))


_soon = {}                    # session key -> its pending push_session_soon timer
_soon_lock = threading.Lock()


def push_session_soon(key):
    """``push_session`` a moment from now (``PRESENCE_PUSH_SECONDS``), once for every
    call until then.  Sockets opening and closing change only who is shown connected;
    when a class arrives, or thirty pages move from the lobby to the game at once, one
    push to everyone covers them all, where a push per socket sent N sockets N²/2
    pushes.  A socket that opens is sent its own first state at once
    (``push_session(key, only=client)``)."""
    delay = float(current_app.config.get("PRESENCE_PUSH_SECONDS", 0.25))
    if delay <= 0:
        push_session(key)
        return
    app = current_app._get_current_object()
    with _soon_lock:
        if key in _soon:
            return
        timer = _soon[key] = threading.Timer(delay, _push_soon, args=(app, key))
        timer.daemon = True
    timer.start()


def _push_soon(app, key):
    with _soon_lock:
        _soon.pop(key, None)          # a change from now on is pushed again after this
    with app.test_request_context("/"):       # the regions' links need url_for
        try:
            push_session(key)
        except Exception:
            log.exception("the push of session %s failed", key)
        finally:
            db.session.remove()


def _to_one(render, only):
    """``render`` for the one socket ``only`` (a broadcast then skips the others)."""
    return lambda client: render(client) if client is only else None


def push_live(live, only=None):
    """Push a live play-through's regions (no database read); to ``only`` alone if
    given."""
    connected = runtime().connected_ids(live.session_key)
    render = game_render(live, live_nav(live), connected, live.status())
    runtime().broadcast(live.session_key, render if only is None else _to_one(render, only))


def snapshot_live(live, client):
    """Every region for one socket, from the play-through (after a stale move)."""
    render = game_render(live, live_nav(live), runtime().connected_ids(live.session_key),
                         live.status())
    found = render(client)
    client.send(found if isinstance(found, str) else ((RESET, ""),) + found)  # all again


def send_flash(client, message):
    client.send(flash_fragment(message))


def refresh(live):
    """After a change: rows in step and every socket updated (no database read or write
    waits here: the rows go to the row writer)."""
    with live.pt.lock:
        sync_rows(live)
        push_live(live)
