"""What happened: every step of a play-through, as one role saw it.

The steps are the play-through's recorded moves (``pt.moves``: read from the log when
a play-through is resumed or copied, then appended to as moves are written, trimmed by
an undo), so the list survives restarts and costs no read of the log per move.

Each step says who made it (a player, a bot, or the game itself for a bookkeeping
move) and the game's message.  The move's own name (its operator and arguments) is
shown only to the role that made it: a game may keep a move secret from the others
(a card shown to one player) and a choice in a simultaneous phase is the chooser's
until the game's message reveals it.
"""
from .rendering import render_partial

ARG_CHARS = 40            # longer arguments (a text saved in the editor) are not repeated


def actor_name(live, actor):
    """The display name of a recorded actor (format 2 names a pseudonym, format 1 a name)."""
    participant = actor.get("participant")
    if participant is not None:
        for seat in live.seats.values():
            if seat.get("participant") == participant:
                return seat["name"]
    return str(actor.get("name") or "")


def args_text(args):
    shown = [str(a) for a in args or []]
    if not shown or any(len(a) > ARG_CHARS for a in shown):
        return ""
    return " (" + ", ".join(shown) + ")"


def step_of(live, move, viewer_role):
    """One step (a recorded move) as ``viewer_role`` (None: a watcher) saw it."""
    actor = move.get("actor") or {}
    role = actor.get("role")
    role_name = live.pt.role_name(role) if role is not None else ""
    kind = actor.get("kind") or "human"
    mine = viewer_role is not None and viewer_role == role
    name = f"{move.get('op_name') or 'a move'}{args_text(move.get('args'))}"
    if kind == "host":
        if mine:
            line = f"The game, for {role_name}: {name}"
        else:
            whose = f"{role_name}'s" if role_name else "a"
            line = f"The game made {whose} forced move"
    else:
        who = actor_name(live, actor)
        label = f"{role_name}, bot" if kind == "bot" else role_name
        who = f"{who} ({label})" if who else label
        if mine:
            line = f"{who}: {name}"
        else:
            line = f"{who} made a choice" if move.get("parallel_before") else f"{who} moved"
    return {"k": move.get("k"), "seq": move.get("seq"), "line": line, "kind": kind,
            "mine": mine, "message": move.get("message") or ""}


def step_item(live, index, move, viewer_role):
    """The rendered list item of one step (cached: a step never changes)."""
    key = ("step", move.get("seq", index), move.get("k"), viewer_role, live.seats_version)
    found = live.step_cache.get(key)
    if found is None:
        if len(live.step_cache) > 5000:       # seats changed often: drop the old names
            live.step_cache.clear()
        found = live.step_cache[key] = render_partial(
            "play/partials/_step.html", step=step_of(live, move, viewer_role))
    return found


def undo_item(live, event):
    """A note that a move was taken back (its steps are gone from the list)."""
    key = ("undo", event.get("seq"), live.seats_version)
    found = live.step_cache.get(key)
    if found is None:
        actor = event.get("actor") or {}
        name = actor_name(live, actor) or ("The session's owner" if event.get("owner")
                                           else "A player")
        found = live.step_cache[key] = render_partial(
            "play/partials/_undo_note.html", who=name, k=event.get("k"),
            seq=event.get("seq"))
    return found


def history_items(live, viewer_role, start=0):
    """The list items of steps ``start`` onwards, newest first; the whole list (start 0)
    notes the undos among them."""
    moves = live.pt.moves
    items = [(m.get("seq") or 0, step_item(live, i, m, viewer_role))
             for i, m in enumerate(moves[start:], start)]
    if start == 0:
        items += [(e.get("seq") or 0, undo_item(live, e))
                  for e in getattr(live.pt, "undos", ())]
        items.sort(key=lambda item: item[0])
    return "".join(text for _, text in reversed(items))


def history_region(live, viewer_role, oob=True):
    """The whole "What happened" region (a page load, a new socket, after an undo)."""
    return render_partial("play/partials/_history.html", oob=oob,
                          items=history_items(live, viewer_role))


def position(live):
    """(number of steps, the last step's log line): where a page's list ends."""
    moves = live.pt.moves
    return len(moves), (moves[-1].get("seq") if moves else None)


def history_update(live, viewer_role, sent):
    """What a socket that has ``sent`` = (role, steps, last line) needs to be up to date:
    the new steps only (prepended), or the whole region when it has nothing yet, viewed
    another role, or its steps were undone.  Returns (text, new position)."""
    now = position(live)
    if sent is not None and sent[0] == viewer_role and sent[1:] == now:
        return "", sent
    if sent is not None and sent[0] == viewer_role and sent[1] < now[0]:
        moves = live.pt.moves
        count, last = sent[1], sent[2]
        if count == 0 or moves[count - 1].get("seq") == last:
            items = history_items(live, viewer_role, count)
            return (render_partial("play/partials/_history_append.html", items=items),
                    (viewer_role,) + now)
    return history_region(live, viewer_role), (viewer_role,) + now
