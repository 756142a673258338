"""Render the game page's live regions; the same partials serve page loads and pushes."""
from flask import render_template

OUTCOME_TEXT = {"win": "You won!", "loss": "You lost.", "draw": "It's a draw.",
                "finished": "The game is finished."}
OUTCOME_WORD = {"win": "won", "loss": "lost", "draw": "draw", "finished": "finished"}
HISTORY_SHOWN = 50


def is_observer(live, role):
    return any(r.num == role and r.observer for r in live.pt.roles)


def view_role(live, participant_id):
    """The role whose view this participant sees now (None: observer or unseated)."""
    held = [r for r in live.roles_of(participant_id) if not is_observer(live, r)]
    if not held:
        return None
    for candidates in (live.pending_roles(), live.pt.roles_to_move()):
        for role in held:
            if role in candidates:
                return role
    return held[0]


def role_label(live, role):
    names = ", ".join(live.holders(role))
    return f"{names} ({live.pt.role_name(role)})" if names else live.pt.role_name(role)


def turn_banner(live, role):
    """(css class, text) of the turn banner for ``role``."""
    pt = live.pt
    if pt.ended:
        return "over", "The game is over."
    pending = live.pending_roles()
    waiting = "Waiting for " + (", ".join(role_label(live, r) for r in pending) or "nobody")
    if role is not None and role in pending:
        return "your-turn", f"Your turn ({pt.role_name(role)})"
    if role is not None and getattr(pt.state, "parallel", False) \
            and role in pt.roles_to_move():
        return "submitted", "Choice submitted. " + waiting
    return "waiting", waiting


def end_lines(live, role):
    """Outcome lines: the viewer's own result, then every role's."""
    pt = live.pt
    outcome = pt.outcome or {}
    mine = OUTCOME_TEXT.get(outcome.get(str(role))) if role is not None else None
    table = [(role_label(live, int(r)), OUTCOME_WORD.get(o, o)) for r, o in outcome.items()]
    return mine, table


def role_context(live, role):
    view = live.view(role)
    pt = live.pt
    mine, table = end_lines(live, role)
    return {
        "live": live, "pt": pt, "role": role, "view": view,
        "role_name": pt.role_name(role) if role is not None else "Observer",
        "applicable": [op.index for op in view.operators if op.applicable],
        "banner": turn_banner(live, role), "outcome_mine": mine, "outcome_table": table,
        "goal_message": getattr(pt, "goal_message", "") if pt.ended == "goal" else "",
    }


def role_regions(live, role, oob=True):
    """State view, operators, turn banner and end screen for one role (cached per version)."""
    def build():
        return render_template("play/partials/_role_regions.html", oob=oob,
                               **role_context(live, role))
    return live.cached_fragment(("role", oob), role, build)


def public_regions(live, connected_ids, oob=True):
    """Message bar, message history and the player list (the same for everybody)."""
    return render_template("play/partials/_public_regions.html", oob=oob,
                           **public_context(live, connected_ids))


def public_context(live, connected_ids):
    players = [{"name": s["name"], "kind": s["kind"],
                "roles": [live.pt.role_name(r) for r in s["roles"]],
                "connected": pid in connected_ids or s["kind"] == "bot"}
               for pid, s in live.seats.items()]
    return {"live": live, "message": live.pt.message,
            "history": list(reversed(live.history[-HISTORY_SHOWN:])), "players": players}
