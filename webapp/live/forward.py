"""Acting on a play-through another process owns.

A process that is not the owner never changes a play-through: it forwards the
socket message, the presence change or the owner's command (pause, end, ...)
to the owner.  If the owner is gone (nobody receives on its channel) this
process takes the play-through over: owner lock, lease, then the whole log
replayed (as after a restart), and acts itself.  What arrives from the others is
``incoming.py``'s.
"""
import logging
import time

from ..extensions import db
from ..locks import release_connection
from ..models import Session
from .playthroughs import Elsewhere, acting_live, read_facts, runtime

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
            return found         # the caller acts on it (and its bots move on after)
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
