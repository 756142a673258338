"""The game page (first render of the regions the socket pushes), previous state, artifacts."""
import re

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from engine.log import read_events

from ..auth.identity import current_participant
from ..live import hub
from ..live.playthroughs import (Elsewhere, held_current, live_of, playthrough_paths,
                                 read_facts, runtime)
from ..models import Session
from . import bp
from .artifacts import artifact_path
from .history import history_items, step_of
from .rendering import (can_act, help_context, perspective_value, personal_context,
                        public_context, role_context, set_perspective, view_role)

MANIFEST_RE = re.compile(r'<script\b[^>]*\bid=["\']wsz6-regions["\'][^>]*>.*?</script>', re.S | re.I)


def is_owner(game_session):
    return current_user.is_authenticated and current_user.id == game_session.owner_id


def seated_page(key):
    """(session, participant, live) for this browser, or a redirect/abort."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    participant = current_participant(game_session)
    if participant is None:
        return game_session, None, None
    if game_session.status == "lobby":
        return game_session, participant, None
    # held here: no need of every participant's row
    live = held_current(game_session) or live_of(read_facts(game_session))
    return game_session, participant, live


def owner_call(live, name, **kwargs):
    """Run ``name`` in the process that owns the (replicated) play-through."""
    from ..live import forward
    target = Elsewhere(live.session_key, live.record_id,
                       runtime().cluster.holder(live.record_id) or "")
    try:
        return forward.call(target, name, **kwargs)
    except forward.Unavailable as exc:
        abort(503, exc.message)


@bp.route("/<key>/play")
def game(key):
    """The game page: this participant's view, moves, banner, messages, end screen."""
    game_session, participant, live = seated_page(key)
    if participant is None:
        return redirect(url_for("sessions.invite", key=key))
    if game_session.status == "lobby":
        return redirect(url_for("sessions.lobby", key=key))
    if live is None:
        from ..live.playthroughs import damage_of
        damage = damage_of(game_session)
        if damage is None:
            abort(503, "This play-through cannot be shown right now.")
        return render_template("play/damaged.html", game_session=game_session,
                               why=damage.why, owner=is_owner(game_session)), 409
    owner = is_owner(game_session)
    if owner and "as" in request.args:
        try:
            set_perspective(live, participant.id, request.args.get("as", ""))
            if not live.owned and not live.pt.ended:     # the owner's copy decides
                owner_call(live, "perspective", participant_id=participant.id,
                           value=request.args.get("as", ""))
        except (ValueError, LookupError):
            abort(400, "That role does not exist in this game.")
        hub.push_session(key)
    with live.pt.lock:
        role = view_role(live, participant.id)
        context = role_context(live, role, can_act(live, participant.id, role))
        context.update(public_context(live, runtime().connected_ids(key), game_session.status))
        context.update(personal_context(live, participant.id, owner, game_session.status))
        context.update(help_context(live, role))
        context["items"] = history_items(live, role)
    return render_template("play/game.html", game_session=game_session, oob=False,
                           perspective=perspective_value(live, participant.id), **context)


@bp.route("/<key>/play/previous")
def previous(key):
    """A past state as this participant's role saw it, read-only (a fragment): step
    ``k`` (a step of the history), else the state before the last move."""
    game_session, participant, live = seated_page(key)
    if participant is None or live is None:
        abort(404)
    asked = request.args.get("k", type=int)
    with live.pt.lock:
        pt = live.pt
        role = view_role(live, participant.id)
        k = pt.k - 1 if asked is None else asked
        view = pt.past_view(role, k, live.base_url)
        line = step_line(live, k, role)
    if view is None:
        if asked is not None:
            abort(404)
        return '<p class="muted">There is no previous state yet.</p>'
    if asked is None:
        note = f"The state before the last move (step {k})."
    else:
        note = f"Step {k}, as you saw it then{': ' + line if line else ''}."
    # A past state is for looking only: no region manifest, nothing clickable, and the
    # game's markup is inert (hx-disable, inert).
    return render_template("play/partials/_past_state.html", note=note,
                           scene=Markup(MANIFEST_RE.sub("", view.html)))


def step_line(live, k, role):
    """The history's words for step ``k`` as ``role`` saw it ('' for the start)."""
    move = next((m for m in live.pt.moves if m.get("k") == k), None)
    return step_of(live, move, role)["line"] if move is not None else ""


@bp.route("/<key>/artifacts/<int:number>/<int:version>/<name>")
def artifact(key, number, version, name):
    """One saved version of a text, for the person who wrote it and the session owner."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    participant = current_participant(game_session)
    record = next((r for r in game_session.playthroughs if r.number == number), None)
    if participant is None or record is None:
        abort(404)
    saved = next((e for e in read_events(record.log_path)
                  if e.get("type") == "artifact_saved" and e.get("name") == name
                  and e.get("version") == version), None)
    if saved is None:
        abort(404)
    if not is_owner(game_session) and (saved.get("actor") or {}).get("role") \
            not in (participant.roles or []):
        abort(403)
    path = artifact_path(playthrough_paths(game_session, number)["artifacts"], name, version)
    if path is None or not path.exists():
        abort(404)
    return render_template("play/artifact.html", game_session=game_session, name=name,
                           version=version, event=saved,
                           text=path.read_text(encoding="utf-8", errors="replace"))
