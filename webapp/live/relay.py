"""Acting on a play-through another process owns, and what arrives from the others.

A process that is not the owner never changes a play-through: it forwards the
socket message, the presence change or the owner's command (pause, end, ...)
to the owner.  If the owner is gone (nobody receives on its channel) this
process takes the play-through over: owner lock, lease, then the whole log
replayed (as after a restart; the latest checkpoint plus the tail if that
fails), and acts itself.
"""
import logging
import time

from flask import current_app

from ..extensions import db
from ..locks import release_connection
from ..models import Participant, Session
from .cluster import RemoteClient
from .playthroughs import Elsewhere, acting_live, live_of, read_facts, runtime

log = logging.getLogger(__name__)


class Unavailable(Exception):
    """Nobody can act on the play-through right now (Redis away and owner elsewhere)."""

    message = ("The server running this game cannot be reached right now; "
               "try again in a moment.")


def to_owner(target, message=None):
    """Send ``message`` to the owner of ``target``; a live play-through if this process
    had to take it over instead (the caller then acts itself).  ``message`` None:
    the owner is known to be gone (an ``Elsewhere`` comes back if a third process
    owns it now)."""
    cluster = runtime().cluster
    for attempt in range(6):
        if message is not None and target.holder and cluster.send_to(target.holder, message):
            if attempt:
                runtime().set_route(target.session_key, target)
            return None
        runtime().set_route(target.session_key, None)
        game_session = Session.query.filter_by(key=target.session_key).first()
        if game_session is None:
            release_connection(db.session)
            raise Unavailable()
        found = acting_live(read_facts(game_session), dead_holder=target.holder or None)
        if found is None:
            raise Unavailable()
        if not isinstance(found, Elsewhere):
            log.warning("took over play-through %s of session %s from process %s",
                        found.record_id, target.session_key, target.holder or "(none)")
            from .bots import schedule_bots
            schedule_bots(current_app._get_current_object(), found)
            return found
        if message is None and found.holder and found.holder != target.holder:
            return found        # another process owns it now: ask that one
        if found.holder == target.holder:
            # The owner lock is held but the lease is not readable (Redis restarted, or
            # the owner is renewing it): wait for the owner's next heartbeat.
            time.sleep(0.25 * (attempt + 1))
        target = found
    raise Unavailable()


def client_fields(client):
    return {"proc": runtime().cluster.proc, "client": client.id, "pid": client.participant_id,
            "is_owner": bool(client.is_owner)}


def forward_message(target, client, raw):
    """A socket message for a play-through owned elsewhere (see ``to_owner``)."""
    return to_owner(target, dict(op="msg", key=target.session_key, raw=raw,
                                 **client_fields(client)))


def forward_presence(target, participant_id, connected):
    return to_owner(target, {"op": "presence", "key": target.session_key,
                             "pid": participant_id, "connected": connected})


def forward_push(target):
    """Ask the owner to push; the message says which sockets this process holds (the
    owner may not have heard it yet if it has only just started to listen)."""
    key = target.session_key
    clients = [[c.participant_id, c.is_owner, c.id] for c in runtime().clients_of(key)]
    return to_owner(target, {"op": "push_request", "key": key,
                             "proc": runtime().cluster.proc, "clients": clients})


def call(target, name, **kwargs):
    """Run owner call ``name`` where the play-through lives; raises its error's text as
    ``LookupError``.  Returns the live play-through if this process took it over."""
    cluster = runtime().cluster
    for _ in range(3):
        answer = cluster.call_owner(target.holder, name, target.session_key, **kwargs) \
            if target.holder else None
        if answer is None:              # nobody listens there: take over, or ask anew
            found = to_owner(target)
            if isinstance(found, Elsewhere):
                target = found
                continue
            return found
        db.session.expire_all()
        if answer.get("error"):
            raise LookupError(answer["error"])
        return None
    raise Unavailable()


# -- what arrives ---------------------------------------------------------------------

def handle(app, message):
    """Act on one message from another process (in a worker thread of the cluster)."""
    kind = message.get("op") or message.get("type")
    live_runtime = app.extensions["live"]
    if kind == "push" and "texts" in message:
        live_runtime.deliver_push(message["key"], message["texts"], message["index"])
        return
    if kind == "deliver":
        client = live_runtime.client(message["client"])
        if client is not None:
            client.send(message["text"])
        return
    handler = HANDLERS.get(kind)
    if handler is None:
        log.warning("unknown cluster message %r", kind)
        return
    with app.test_request_context("/"):
        try:
            handler(message)
        finally:
            db.session.remove()


def on_reload(message):
    """Another process started a play-through of the session: drop older copies, and
    send the session's moves there (its row may still be on its way)."""
    runtime().drop_stale(message["key"], message["record"])
    runtime().set_route(message["key"], Elsewhere(message["key"], message["record"],
                                                  message["from"]))


def on_lost(message):
    """Another process holds the lease now (it judged this one dead): stop owning."""
    runtime().cluster.drop_lease(message["record"])
    runtime().forget(message["key"], message["record"])


def on_msg(message):
    from . import moves
    client = RemoteClient(runtime().cluster, message["proc"], message["client"],
                          message["pid"], message["is_owner"])
    moves.handle(message["key"], client, message["raw"], forwarded=True)


def on_presence(message):
    """Joined or left, as the owner logs it (the socket's process then asks for the push
    that shows it, after announcing its sockets)."""
    from . import hub
    hub.set_connected(message["pid"], message["connected"], forwarded=True)


def on_push(message):
    from . import hub
    if "proc" in message:
        runtime().cluster.set_remote(message["key"], message["proc"], message["clients"])
    hub.push_session(message["key"])


def on_sockets_gone(message):
    """A process holding sockets of the session died: those people are disconnected."""
    from . import hub
    key = message["key"]
    live = runtime().live(key)
    if live is None or not live.owned:
        return
    connected = runtime().connected_ids(key)
    gone = [p.id for p in Participant.query.filter_by(session_id=live.session_id)
            if p.connected and p.id not in connected]
    release_connection(db.session)
    for participant_id in gone:
        hub.set_connected(participant_id, False, forwarded=True)
    hub.push_session(key)


def on_call(message):
    try:
        OWNER_CALLS[message["name"]](message["key"], **message.get("kwargs", {}))
        answer = {"ok": True}
    except LookupError as exc:
        answer = {"error": str(exc)}
    except Exception as exc:
        log.exception("owner call %s failed", message.get("name"))
        answer = {"error": f"The server running this game failed: {type(exc).__name__}"}
    runtime().cluster.reply(message["reply"], answer)


def _session(key):
    game_session = Session.query.filter_by(key=key).first()
    if game_session is None:
        raise LookupError("That session no longer exists.")
    return game_session


def call_service(name):
    def run(key, **kwargs):
        from ..sessions import services
        try:
            getattr(services, name)(_session(key), **kwargs)
        except services.LobbyError as exc:
            raise LookupError(str(exc)) from exc
    return run


def call_perspective(key, participant_id, value):
    from ..play.rendering import set_perspective
    live = live_of(read_facts(_session(key)))
    if live is None or not live.owned:
        raise LookupError("The play-through moved to another server; reload the page.")
    try:
        set_perspective(live, participant_id, value)
    except ValueError as exc:
        raise LookupError(str(exc)) from exc


OWNER_CALLS = {
    "pause_session": call_service("pause_session"),
    "resume_session": call_service("resume_session"),
    "end_session": call_service("end_session"),
    "perspective": call_perspective,
}

HANDLERS = {
    "reload": on_reload,
    "lost": on_lost,
    "msg": on_msg,
    "presence": on_presence,
    "push_request": on_push,
    "sockets_gone": on_sockets_gone,
    "call": on_call,
}
