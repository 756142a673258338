"""What arrives from the other web processes: socket messages and presence changes
forwarded to this process (the owner), owner calls with a reply, rendered pushes
for this process's sockets, and notices (a new play-through, a lease lost, a
process that died with sockets)."""
import logging

from ..extensions import db
from ..locks import release_connection
from ..models import Participant, Session
from . import attendance, hub, moves
from .cluster import RemoteClient
from .playthroughs import Elsewhere, live_of, read_facts, runtime

log = logging.getLogger(__name__)


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
    client = RemoteClient(runtime().cluster, message["proc"], message["client"],
                          message["pid"], message["is_owner"])
    moves.handle(message["key"], client, message["raw"], forwarded=True)


def on_presence(message):
    """Joined or left, as the owner logs it (the socket's process then asks for the push
    that shows it, after announcing its sockets)."""
    attendance.set_connected(message["pid"], message["connected"], forwarded=True)


def on_push(message):
    if "proc" in message:
        runtime().cluster.set_remote(message["key"], message["proc"], message["clients"])
    hub.push_session(message["key"])


def on_sockets_gone(message):
    """A process holding sockets of the session died: those people are disconnected."""
    key = message["key"]
    live = runtime().live(key)
    if live is None or not live.owned:
        return
    connected = runtime().connected_ids(key)
    gone = [p.id for p in Participant.query.filter_by(session_id=live.session_id)
            if p.connected and p.id not in connected]
    release_connection(db.session)
    for participant_id in gone:
        attendance.set_connected(participant_id, False, forwarded=True)
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
    "seat_mid_game": call_service("seat_mid_game"),
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
