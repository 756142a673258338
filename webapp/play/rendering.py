"""Render the game page's live regions; the same partials serve page loads and pushes."""
import html
import re

from flask import current_app
from markupsafe import Markup

from engine.playthrough import Actor, MoveError

from ..live import presence
from .artifacts import artifact_list, editor_text, playthrough_number

OUTCOME_TEXT = {"win": "You won!", "loss": "You lost.", "draw": "It's a draw.",
                "finished": "The game is finished."}
OUTCOME_WORD = {"win": "won", "loss": "lost", "draw": "draw", "finished": "finished"}
GROUP_AFTER = 12           # a longer list of moves is grouped by kind
OBSERVER = "observer"
MANIFEST_RE = re.compile(r'<script\b[^>]*\bid=["\']wsz6-regions["\'][^>]*>(.*?)</script>',
                         re.S | re.I)


def render_partial(name, **context):
    """Render a live partial straight from the app's Jinja environment.

    The partials use no request context variables (only ``url_for``, a Jinja
    global), so the context processors and signals of ``render_template`` are
    skipped: these renders run on every push.
    """
    return current_app.jinja_env.get_or_select_template(name).render(context)


def scene_html(vis_html):
    """The vis HTML with its Tier 2 region manifest kept as data, not as a script.

    htmx drops every <script> of a pushed fragment (scripts never run here), so
    the manifest travels in an attribute that static/js/play.js reads.
    """
    def as_data(found):
        return ('<div id="wsz6-regions" class="wsz6-regions" hidden data-manifest="'
                + html.escape(found.group(1).strip(), quote=True) + '"></div>')
    return Markup(MANIFEST_RE.sub(as_data, vis_html))


def is_observer(live, role):
    return any(r.num == role and r.observer for r in live.pt.roles)


def own_role(live, participant_id):
    """The seated role this participant sees by default (None: observer or unseated)."""
    held = [r for r in live.roles_of(participant_id) if not is_observer(live, r)]
    if not held:
        return None
    for candidates in (live.pending_roles(), live.pt.roles_to_move()):
        for role in held:
            if role in candidates:
                return role
    return held[0]


def view_role(live, participant_id):
    """The role whose view this participant sees now (an owner may pick another)."""
    chosen = presence.table(live).perspectives
    if participant_id in chosen:
        return chosen[participant_id]
    return own_role(live, participant_id)


def set_perspective(live, participant_id, value):
    """The owner's choice of view: '' (own seat), 'observer', or a role number."""
    chosen = presence.table(live).perspectives
    if value in (None, ""):
        chosen.pop(participant_id, None)
        return
    if value == OBSERVER:
        chosen[participant_id] = None
        return
    role = int(value)
    if role not in [r.num for r in live.pt.roles]:
        raise ValueError("That role does not exist in this game.")
    chosen[participant_id] = None if is_observer(live, role) else role


def perspective_value(live, participant_id):
    chosen = presence.table(live).perspectives
    if participant_id not in chosen:
        return ""
    return OBSERVER if chosen[participant_id] is None else str(chosen[participant_id])


def can_act(live, participant_id, role):
    return role is not None and role in live.roles_of(participant_id)


def role_label(live, role):
    names = ", ".join(live.holders(role))
    return f"{names} ({live.pt.role_name(role)})" if names else live.pt.role_name(role)


def turn_banner(live, role):
    """(css class, text) of the turn banner for ``role``."""
    pt = live.pt
    if pt.ended:
        return "over", "The game is over."
    if live.paused:
        return "paused", "The game is paused: moves wait until it resumes."
    pending = live.pending_roles()
    waiting = "Waiting for " + (", ".join(role_label(live, r) for r in pending) or "nobody")
    if role is not None and role in pending:
        return "your-turn", f"Your turn ({pt.role_name(role)})"
    if role is not None and pt.parallel and role in pt.roles_to_move():
        return "submitted", "Choice submitted, waiting for " + waiting[len("Waiting for "):]
    return "waiting", waiting


def end_lines(live, role):
    """Outcome lines: the viewer's own result, then every role's."""
    pt = live.pt
    outcome = pt.outcome or {}
    mine = OUTCOME_TEXT.get(outcome.get(str(role))) if role is not None else None
    table = [(role_label(live, int(r)), OUTCOME_WORD.get(o, o)) for r, o in outcome.items()]
    return mine, table


def editor_op(op):
    """True for a move whose only parameter is a long text (opened in the editor)."""
    return len(op.params or []) == 1 and op.params[0].get("type") == "file_edit"


def op_groups(ops):
    """[(label, operators)]: one unlabelled list, or, for a long list of several kinds
    of move, one group per the names' first word."""
    if len(ops) <= GROUP_AFTER:
        return [(None, ops)] if ops else []
    groups = {}
    for op in ops:
        groups.setdefault(str(op.name).split(" ", 1)[0] or "Moves", []).append(op)
    if len(groups) == 1:
        return [(next(iter(groups)), ops)]
    return list(groups.items())


def move_sections(view, role, usable):
    """The moves panel: the role's moves it can make now first, the rest (its moves not
    possible now, and other roles' moves) behind "show all moves"."""
    ops = [op for op in view.operators if not op.bookkeeping]
    mine = [op for op in ops if op.applicable and usable and op.role in (None, role)]
    rest = [op for op in ops if op not in mine]
    return {"moves_mine": op_groups(mine), "moves_rest": op_groups(rest),
            "moves_rest_count": len(rest), "has_moves": bool(ops)}


def role_context(live, role, acting):
    view = live.view(role)
    pt = live.pt
    mine, table = end_lines(live, role)
    # While paused nothing can be played: the banner says so and no control is live.
    playing = acting and not live.paused
    editors = {op.index: editor_text(live, op.params[0]) for op in view.operators
               if op.applicable and editor_op(op)} if playing else {}
    return {**move_sections(view, role, not live.paused), "paused": live.paused,
        "live": live, "pt": pt, "role": role, "view": view, "can_act": acting,
        "scene": scene_html(view.html),
        "role_name": pt.role_name(role) if role is not None else "Observer",
        "applicable": [op.index for op in view.operators if op.applicable] if playing else [],
        "editors": editors,
        "banner": turn_banner(live, role), "outcome_mine": mine, "outcome_table": table,
        "goal_message": getattr(pt, "goal_message", "") if pt.ended == "goal" else "",
    }


# The regions of a push, by id, each its own partial: a socket is sent only those
# that changed since its last push (webapp/live/hub.py).
ROLE_REGIONS = (("turn-banner", "play/partials/_turn_banner.html"),
                ("state-view", "play/partials/_state_view.html"),
                ("operators", "play/partials/_operators.html"),
                ("end-screen", "play/partials/_end_screen.html"))
PUBLIC_REGIONS = (("live-status", "play/partials/_live_status.html"),
                  ("message-bar", "play/partials/_message_bar.html"),
                  ("players", "play/partials/_players.html"))


def role_region_parts(live, role, acting=True, oob=True):
    """(region id, text) of the turn banner, state view, operators and end screen for
    one role (cached per version)."""
    acting = bool(acting) and role is not None

    def build():
        context = role_context(live, role, acting)
        return tuple((region, render_partial(name, oob=oob, **context))
                     for region, name in ROLE_REGIONS)
    return live.cached_fragment(("role", oob, acting), role, build)


def undo_allowed(live, actor, owner):
    try:
        live.pt.check_undo(actor, owner=owner)
        return True
    except MoveError:
        return False


def personal_context(live, participant_id, is_owner, status):
    """Undo button, artifacts and (for the owner) session controls for one participant."""
    role = view_role(live, participant_id)
    seat = live.seats.get(participant_id) or {"name": "", "roles": []}
    acting = can_act(live, participant_id, role)
    who = seat.get("participant")
    player_undo = acting and undo_allowed(live, Actor(role, seat["name"], participant=who), False)
    owner_undo = is_owner and undo_allowed(live, Actor(None, seat["name"], participant=who), True)
    artifacts = [a for a in artifact_list(live)
                 if is_owner or a["role"] in live.roles_of(participant_id)]
    number = live.number if live.number is not None else playthrough_number(live)
    from ..live import seating
    return {"live": live, "pt": live.pt, "role": role, "is_owner": is_owner,
            "watchers": seating.watchers(live) if is_owner else [],
            "seatable": seating.seatable_roles(live) if is_owner else [],
            "status": status, "player_undo": player_undo and not owner_undo,
            "owner_undo": owner_undo, "artifacts": artifacts,
            "session_key": live.session_key, "live_number": number}


def personal_key(live, participant_id):
    """What, besides role, ownership and status, the personal regions depend on."""
    seat = live.seats.get(participant_id)
    return (tuple(seat["roles"]), seat["name"]) if seat else ((), "")


def personal_regions(live, participant_id, is_owner, status, oob=True):
    """Undo, artifacts and owner tools (cached per state version and variant)."""
    key = ("personal", view_role(live, participant_id), bool(is_owner), status, oob) \
        + personal_key(live, participant_id)

    def build():
        return render_partial("play/partials/_personal_regions.html", oob=oob,
                              **personal_context(live, participant_id, is_owner, status))
    return live.cached_fragment(key, None, build)


def public_region_parts(live, connected_ids, status="in_progress", oob=True):
    """(region id, text) of the status line, message bar and player list (the same for
    all)."""
    context = public_context(live, connected_ids, status)
    return tuple((region, render_partial(name, oob=oob, **context))
                 for region, name in PUBLIC_REGIONS)


def public_context(live, connected_ids, status):
    players = []
    for pid, s in live.seats.items():
        if s["kind"] == "bot" and not s["roles"]:
            continue          # a bot whose seat a person took
        on = pid in connected_ids or s["kind"] == "bot"
        players.append({"name": s["name"], "kind": s["kind"], "connected": on,
                        "presence": "bot" if s["kind"] == "bot"
                        else presence.presence_label(live, pid, on),
                        "roles": [live.pt.role_name(r) for r in s["roles"]]})
    return {"live": live, "message": live.pt.message, "status": status,
            "thinking": presence.table(live).thinking, "players": players}


def status_fragment(live, status, thinking=None):
    """Just the status line (pushed alone when the game starts working on a move)."""
    return render_partial("play/partials/_live_status.html", oob=True, status=status,
                          thinking=thinking, pt=live.pt)


def help_context(live, role):
    """The game's, the roles' and the moves' descriptions for the help panel."""
    meta = live.pt.metadata or {}
    ops = [op for op in live.view(role).operators if not op.bookkeeping] \
        if role is not None else []
    return {"game_desc": str(meta.get("brief_desc") or ""),
            "help_roles": live.pt.roles, "help_role": role, "help_ops": ops}
