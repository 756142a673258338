"""Seats of a running session: latecomers become watchers the owner sees, and the
owner seats a watcher in a role mid-game (replacing its holders or sharing the role),
recorded as a ``seat_changed`` event before anything else changes."""
import logging

from . import hub, rows
from .playthroughs import runtime

log = logging.getLogger(__name__)
MODES = ("replace", "share")


class SeatError(Exception):
    """A seat change that is not allowed; the message is for people."""


def note_arrival(live, participant_id, seat):
    """A participant not at the table when the play-through began is now (a watcher);
    the session's owner is told.  True if they were new here."""
    if participant_id in live.seats or seat is None:
        return False
    with live.pt.lock:
        if participant_id in live.seats:
            return False
        live.seats[participant_id] = dict(seat, roles=[])
        live.seats_version += 1
    if seat["kind"] != "bot" and not live.pt.ended:
        text = hub.flash_fragment(f"{seat['name']} joined and is watching; you can seat "
                                  "them from Session controls.", "info")
        runtime().broadcast(live.session_key, lambda c: text if c.is_owner else None)
    return True


def watchers(live):
    """(participant id, name) of the people at the table who hold no role."""
    return [(pid, s["name"]) for pid, s in live.seats.items()
            if s["kind"] != "bot" and not s["roles"]]


def seatable_roles(live):
    """The roles a watcher may take now: the active roles the game was started with."""
    active = set(live.pt.config.get("active_roles") or [])
    return [r for r in live.pt.roles if not r.observer and r.num in active]


def check(live, participant_id, role, mode):
    """The seat and role asked for, or SeatError saying why not."""
    if mode not in MODES:
        raise SeatError("Choose whether the newcomer replaces the role's players or "
                        "shares the role.")
    seat = live.seats.get(participant_id)
    if seat is None:
        raise SeatError("That person is not in this session.")
    if seat["kind"] == "bot":
        raise SeatError("Bots are seated in the lobby.")
    if role not in [r.num for r in seatable_roles(live)]:
        raise SeatError("That role is not playing in this game: only the roles it was "
                        "started with can be filled.")
    if role in seat["roles"]:
        raise SeatError(f"{seat['name']} already plays {live.pt.role_name(role)}.")
    return seat


def seat(live, participant_id, role, mode="replace"):
    """Seat a participant in ``role`` of the running play-through: logged first
    (``seat_changed``), then the seats here, then the rows (for rematches)."""
    with live.pt.lock:
        chosen = check(live, participant_id, role, mode)
        changed = {participant_id: sorted(set(chosen["roles"]) | {role})}
        if mode == "replace":
            for pid, s in live.seats.items():
                if role in s["roles"] and pid != participant_id:
                    changed[pid] = [r for r in s["roles"] if r != role]
        if not live.pt.ended:
            kind = "bot" if chosen["kind"] == "bot" else "human"
            live.pt.change_seat(role, chosen.get("participant"), kind,
                                shared=mode == "share")
        for pid, roles in changed.items():
            live.seats[pid] = dict(live.seats[pid], roles=roles)
        live.seats_version += 1
    for pid, roles in changed.items():
        rows.writer().submit(rows.participant_roles, pid, roles)
    return chosen
