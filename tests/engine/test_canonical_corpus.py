"""The forged-log corpus: logs the portal could never have written, made as a careful
forger would (every line re-chained, values re-simulated where a rule is the target),
each with the verdict, class and line the validator must give; and the genuine
unusual logs (undo, pause, parallel phases, partial roles, abandoned, artifacts, long
walks, a seat changed) that must stay canonical."""
import copy
import json
import random

import pytest

from engine import bots, replay
from engine.loader import GameSource
from engine.log import FOOTER, LogWriter
from engine.playthrough import Actor, PlayThrough
from tests.engine.logtools import GAMES, events_of, make_log, resolve, seal

SEATS = [{"role": 0, "participant": "p-aaaa", "kind": "human"},
         {"role": 1, "participant": "p-bbbb", "kind": "human"}]


def actor(role, kind="human"):
    return Actor(role, f"Player {role}", kind, f"p-{'ab'[role] * 4}")


def seated(slug, seed=1, moves=None, script=None, seats=SEATS, active=None):
    """A seated, format-2 log: bots choose, humans' actors; ``script(pt, i)`` may add
    events before move ``i``."""
    source = GameSource(f"{GAMES}/{slug}")
    config = {"active_roles": active} if active else None
    pt = PlayThrough(source, seed=seed, seats=seats, config=config,
                     log_writer=LogWriter()).start()
    rnd = random.Random(seed)
    i = 0
    while not pt.ended and (moves is None or i < moves):
        if script and script(pt, i):
            pass
        if pt.ended:
            break
        movers = [r for r in pt.roles_to_move() if pt.applicable(r)]
        if not movers:
            break
        role = rnd.choice(movers)
        choice = bots.choose_move(pt, role, "random", rnd)
        if choice is None:
            break
        pt.apply(actor(role), *choice)
        i += 1
    if not pt.ended:
        pt.end("abandoned")
    pt.close()
    return pt.log.text()


def check(text, cls=None, line=None, **kw):
    report = replay.validate(text, resolve, **kw)
    assert report["schema"] == replay.REPORT_SCHEMA and report["validator"]
    if cls is None:
        assert report["status"] == "canonical", report["first_failure"] or report.get("error")
        return report
    assert report["status"] == "non_canonical", report
    f = report["first_failure"]
    assert f["class"] == cls, f
    assert f["step"] is None or type(f["step"]) is int
    assert f["line"] is None or f["line"] == f["seq"] + 1
    if line is not None:
        assert f["line"] == line, f
    return report


def moves_of(events, **match):
    return [i for i, e in enumerate(events) if e["type"] == "move"
            and all(e.get(k) == v for k, v in match.items())]


def state_at(events, pos, k):
    """(state hash, phase, to move) at step ``k``, as recorded before position ``pos``."""
    if k == 0:
        h = events[0]
        return h["state_hash"], h["phase"], h["to_move"]
    found = [e for e in events[:pos] if e["type"] == "move" and e["k"] == k][-1]
    return found["state_hash"], found["phase_after"], found["to_move_after"]


def cut_with_footer(events, pos, k):
    """Keep events before ``pos`` plus a forged undo/whatever already there, then an
    abandoned footer at step ``k`` (so the rest of the log cannot be the reason)."""
    kept = events[:pos + 1]
    h, _, _ = state_at(events, len(events), k) if k else (events[0]["state_hash"], 0, 0)
    kept.append({"t": kept[-1]["t"], "type": FOOTER, "reason": "abandoned", "k": k,
                 "state_hash": h})
    return kept


def forged_undo(events, pos, k, owner=True, who=0):
    h, phase, to_move = state_at(events, pos, k)
    return {"t": events[pos - 1]["t"], "type": "undo", "actor": actor(who).as_dict(),
            "k": k, "owner": owner, "state_hash": h, "phase": phase, "to_move": to_move}


@pytest.fixture(scope="module")
def ttt():
    return seated("tic_tac_toe", 7)


@pytest.fixture(scope="module")
def rift():
    return make_log("rift_mini", 3)


# -- host rules: undo -------------------------------------------------------------------
def test_undo_jumping_back_four_decisions(ttt):
    events = events_of(ttt)
    pos = moves_of(events)[5] + 1          # after the sixth move
    events.insert(pos, forged_undo(events, pos, 1))
    check(seal(cut_with_footer(events, pos, 1)), "illegal_move", line=pos + 1)


def test_undo_by_someone_who_did_not_make_the_move(ttt):
    events = events_of(ttt)
    pos = moves_of(events)[2] + 1
    last = events[pos - 1]
    other = 1 - last["actor"]["role"]
    events.insert(pos, forged_undo(events, pos, last["k"] - 1, owner=False, who=other))
    check(seal(cut_with_footer(events, pos, last["k"] - 1)), "illegal_move", line=pos + 1)


def test_legal_undo_stays_canonical():
    def script(pt, i):
        if i in (2, 4):
            if i == 2:
                pt.undo(actor(pt.moves[-1]["actor"]["role"]))
            else:
                pt.undo(Actor(None, "Teacher", "human", "p-owner"), owner=True)
    text = seated("tic_tac_toe", 3, script=script)
    assert sum(e["type"] == "undo" for e in events_of(text)) == 2
    check(text)


def test_undo_inside_a_parallel_phase():
    text = seated("rock_paper_scissors", 2)
    events = events_of(text)
    first = moves_of(events)[0]                     # a choice in the first round
    assert events[first]["parallel_before"]
    pos = first + 1
    events.insert(pos, forged_undo(events, pos, 0, owner=True))
    check(seal(cut_with_footer(events, pos, 0)), "illegal_move", line=pos + 1)


def test_undo_between_two_host_moves(rift):
    events = events_of(rift)
    # a decision followed by two forced moves: undo it between them
    i = next(i for i in moves_of(events, bookkeeping=False)
             if events[i + 1].get("bookkeeping") and events[i + 2].get("bookkeeping"))
    pos = i + 2
    undo = forged_undo(events, pos, events[i]["k"] - 1)
    undo["actor"] = {"role": None, "participant": None, "kind": "human"}
    events.insert(pos, undo)
    check(seal(cut_with_footer(events, pos, events[i]["k"] - 1)), "missing_bookkeeping",
          line=pos + 1)


# -- host rules: pause and resume -----------------------------------------------------------
def _pause(t, k, kind="paused"):
    ev = {"t": t, "type": kind, "by": "owner", "k": k}
    if kind == "paused":
        ev["reason"] = "owner"
    return ev


def test_move_between_paused_and_resumed(ttt):
    events = events_of(ttt)
    i = moves_of(events)[2]
    events.insert(i, _pause(events[i - 1]["t"], events[i]["k"] - 1))
    check(seal(events), "illegal_move", line=i + 2)


def test_resumed_without_paused(ttt):
    events = events_of(ttt)
    i = moves_of(events)[2]
    events.insert(i, _pause(events[i - 1]["t"], events[i]["k"] - 1, "resumed"))
    check(seal(events), "illegal_move", line=i + 1)


def test_pause_and_resume_stay_canonical():
    def script(pt, i):
        if i == 3:
            pt.record("paused", by="owner", reason="owner", k=pt.k)
            pt.record("resumed", by="host", k=pt.k)
    check(seated("tic_tac_toe", 5, script=script))


def test_pause_at_the_wrong_step(ttt):
    events = events_of(ttt)
    i = moves_of(events)[2]
    events.insert(i, _pause(events[i - 1]["t"], 99))
    events.insert(i + 1, _pause(events[i - 1]["t"], 99, "resumed"))
    check(seal(events), "state_mismatch", line=i + 1)


# -- host rules: actors, kinds, seats ---------------------------------------------------------
def test_real_decision_recorded_with_host_kind(ttt):
    events = events_of(ttt)
    i = moves_of(events)[3]
    events[i]["actor"] = {"role": events[i]["actor"]["role"], "participant": None,
                          "kind": "host"}
    check(seal(events), "spurious_bookkeeping", line=i + 1)


def test_forced_move_recorded_as_a_bots(rift):
    events = events_of(rift)
    i = moves_of(events, bookkeeping=True)[1]
    events[i]["actor"] = {"role": events[i]["actor"]["role"], "participant": "bot-1",
                          "kind": "bot"}
    events[i]["bookkeeping"] = False
    check(seal(events), "missing_bookkeeping", line=i + 1)


def test_actor_who_holds_no_seat(ttt):
    events = events_of(ttt)
    i = moves_of(events)[1]
    events[i]["actor"] = dict(events[i]["actor"], participant="p-stranger")
    check(seal(events), "illegal_move", line=i + 1)


def test_actor_seated_in_another_role(ttt):
    events = events_of(ttt)
    i = moves_of(events)[1]
    other = next(s for s in SEATS if s["role"] != events[i]["actor"]["role"])
    events[i]["actor"] = dict(events[i]["actor"], participant=other["participant"])
    check(seal(events), "illegal_move", line=i + 1)


def test_active_roles_wider_than_the_seats(ttt):
    events = events_of(ttt)
    events[0]["seats"] = events[0]["seats"][:1]
    check(seal(events), "structure", line=1)


def test_active_roles_naming_no_role(ttt):
    events = events_of(ttt)
    events[0]["config"] = dict(events[0]["config"], active_roles=[0, 1, 7])
    check(seal(events), "structure", line=1)


def test_seat_changed_mid_game_stays_canonical():
    # a latecomer takes role 1 after three moves, then plays it
    source = GameSource(f"{GAMES}/tic_tac_toe")
    pt = PlayThrough(source, seed=4, seats=SEATS, log_writer=LogWriter()).start()
    rnd = random.Random(4)
    for i in range(9):
        if pt.ended:
            break
        if i == 3:
            pt.change_seat(1, "p-late", "human")
        role = pt.roles_to_move()[0]
        who = Actor(role, "x", "human", "p-late" if role == 1 and i >= 3 else
                    SEATS[role]["participant"])
        pt.apply(who, *bots.choose_move(pt, role, "random", rnd))
    if not pt.ended:
        pt.end("abandoned")
    check(pt.log.text())
    # the one who left may no longer move for role 1
    events = events_of(pt.log.text())
    j = next(j for j in moves_of(events) if j > next(
        i for i, e in enumerate(events) if e["type"] == "seat_changed")
        and events[j]["actor"]["role"] == 1)
    events[j]["actor"] = dict(events[j]["actor"], participant="p-bbbb")
    check(seal(events), "illegal_move", line=j + 1)


# -- fields never compared before --------------------------------------------------------------
@pytest.mark.parametrize("field,value", [("op_name", "Place X somewhere else"),
                                         ("to_move_before", 5),
                                         ("parallel_before", True)])
def test_move_fields_are_compared(ttt, field, value):
    events = events_of(ttt)
    i = moves_of(events)[2]
    events[i][field] = value
    check(seal(events), "state_mismatch", line=i + 1)


def test_checkpoint_written_is_compared(ttt):
    events = events_of(ttt)
    i = moves_of(events)[3] + 1
    good = {"t": events[i - 1]["t"], "type": "checkpoint_written", "k": events[i - 1]["k"],
            "state_hash": events[i - 1]["state_hash"], "log_seq": i - 1, "file": "s1.json"}
    check(seal(events[:i] + [good] + events[i:]))
    for bad in (dict(good, k=99), dict(good, state_hash="ab" * 32), dict(good, log_seq=i + 5)):
        check(seal(events[:i] + [bad] + events[i:]), "state_mismatch", line=i + 1)


def test_times_must_be_times_and_never_run_backwards(ttt):
    events = events_of(ttt)
    events[4]["t"] = "2001-01-01T00:00:00.000Z"
    check(seal(events), "structure", line=5)
    events = events_of(ttt)
    events[4]["t"] = "yesterday"
    check(seal(events), "structure", line=5)


def test_goal_reached_is_checked_whole(ttt):
    events = events_of(ttt)
    i = next(i for i, e in enumerate(events) if e["type"] == "goal_reached")
    events[i]["state_hash"] = "cd" * 32
    check(seal(events), "bad_ending", line=i + 1)
    events = events_of(ttt)
    events[i]["outcome"] = {k: "win" for k in events[i]["outcome"]}
    check(seal(events), "bad_ending", line=i + 1)


def test_unknown_fields_are_rejected(ttt):
    events = events_of(ttt)
    events[-1]["winner"] = "X"
    check(seal(events), "structure", line=len(events))
    events = events_of(ttt)
    events[3]["comment"] = "fine move"
    check(seal(events), "structure", line=4)


@pytest.mark.parametrize("edit", [
    lambda h: h.update(seed="7"),
    lambda h: h.pop("seed"),
    lambda h: h.update(seed=7.0),
    lambda h: h["seats"][0].update(role=True),
    lambda h: h.update(format="2"),
])
def test_header_types_are_strict(ttt, edit):
    events = events_of(ttt)
    edit(events[0])
    check(seal(events), "structure", line=1)


def test_actor_role_must_be_an_integer(ttt):
    events = events_of(ttt)
    i = moves_of(events)[0]
    events[i]["actor"]["role"] = bool(events[i]["actor"]["role"])
    check(seal(events), "structure", line=i + 1)


def test_integer_argument_sent_as_float():
    source = GameSource(f"{GAMES}/guess_my_age")
    pt = PlayThrough(source, seed=3, log_writer=LogWriter()).start()
    guess = next(i for i, op in enumerate(pt.operators) if "guess" in str(op.name).lower())
    pt.apply(Actor(0, "a", "human"), guess, [17])
    pt.end("abandoned")
    events = events_of(pt.log.text())
    i = moves_of(events)[0]
    assert events[i]["args"] == [17]
    check(pt.log.text())
    events[i]["args"] = [17.0]
    check(seal(events), "illegal_move", line=i + 1)


# -- bookkeeping classes ------------------------------------------------------------------------
def test_extra_bookkeeping_move_is_spurious(rift):
    events = events_of(rift)
    i = moves_of(events, bookkeeping=True)[2]
    extra = copy.deepcopy(events[i])
    events.insert(i + 1, extra)                    # the same forced move, twice
    check(seal(events), "spurious_bookkeeping", line=i + 2)


def test_dropped_bookkeeping_in_deduction_cards_is_missing():
    text = make_log("deduction_cards", 4)
    events = events_of(text)
    bk = moves_of(events, bookkeeping=True)
    assert bk, "deduction_cards records forced moves"
    i = bk[0]
    del events[i]
    check(seal(events), "missing_bookkeeping", line=i + 1)


def test_swapped_rift_moves_are_illegal(rift):
    events = events_of(rift)
    # one player's placement and movement of the same turn, in the other order
    a = next(i for i in moves_of(events, bookkeeping=False)
             if events[i]["phase_before"] == "ring_placement"
             and events[i + 1].get("phase_before") == "movement"
             and not events[i + 1]["bookkeeping"])
    b = a + 1
    events[a], events[b] = dict(events[b], t=events[a]["t"]), dict(events[a], t=events[b]["t"])
    report = check(seal(events), "illegal_move", line=a + 1)
    assert report["first_failure"]["explain"]["moves"], "the legal moves are listed"


def test_decision_where_only_the_forced_move_was_legal(rift):
    events = events_of(rift)
    i = moves_of(events, bookkeeping=True)[3]
    nxt = next(j for j in moves_of(events, bookkeeping=False) if j > i)
    events[i] = dict(events[nxt], k=events[i]["k"])   # a decision instead of the forced one
    check(seal(events), "missing_bookkeeping", line=i + 1)


# -- reports -------------------------------------------------------------------------------------
def test_forged_step_object_is_not_echoed(ttt):
    events = events_of(ttt)
    i = moves_of(events)[2]
    events[i]["k"] = {"evil": [1, 2, 3]}
    report = check(seal(events), "structure", line=i + 1)
    assert report["first_failure"]["step"] is None


def test_steps_replayed_counts_up_to_the_failure(ttt):
    events = events_of(ttt)
    i = moves_of(events)[3]
    events[i]["state_hash"] = "ee" * 32
    report = check(seal(events), "state_mismatch", line=i + 1)
    assert report["steps_replayed"] == 3
    assert report["first_failure"]["step"] == 4


def test_deeply_nested_json_is_structure(ttt):
    lines = ttt.splitlines()
    lines[3] = "[" * 100000 + "]" * 100000
    check("\n".join(lines) + "\n", "structure", line=4)


def test_huge_forged_values_come_back_short(ttt):
    events = events_of(ttt)
    i = moves_of(events)[1]
    events[i]["message"] = "x" * 100000
    report = check(seal(events), "state_mismatch", line=i + 1)
    assert len(json.dumps(report)) < 20000


# -- genuine unusual logs stay canonical -------------------------------------------------------------
@pytest.mark.parametrize("slug,seed", [("rock_paper_scissors", 5), ("writing_exercise", 2),
                                       ("missionaries", 1), ("deduction_cards", 2),
                                       ("rift_mini", 8), ("picture_tour", 1),
                                       ("pixel_probe", 1), ("click_the_word", 3)])
def test_genuine_logs_are_canonical(slug, seed):
    report = check(make_log(slug, seed), twice=True)
    assert report["steps_replayed"] > 0


def test_abandoned_midway_is_canonical():
    check(seated("tic_tac_toe", 9, moves=3))


def test_partial_roles_are_canonical():
    source = GameSource(f"{GAMES}/deduction_cards")
    roles = [r.num for r in PlayThrough(source, seed=1).roles if not r.observer]
    if len(roles) < 3:
        pytest.skip("deduction_cards has fewer than three playing roles")
    seats = [{"role": r, "participant": f"p-{r}", "kind": "bot"} for r in roles[:2]]
    pt = PlayThrough(source, seed=1, seats=seats, config={"active_roles": roles[:2]},
                     log_writer=LogWriter()).start()
    rnd = random.Random(1)
    while not pt.ended and len(pt.moves) < 300:
        role = pt.roles_to_move()[0]
        choice = bots.choose_move(pt, role, "random", rnd)
        if choice is None:
            break
        pt.apply(Actor(role, "b", "bot", f"p-{role}"), *choice)
    if not pt.ended:
        pt.end("abandoned")
    check(pt.log.text())


def test_a_batch_gives_the_verdicts_one_log_at_a_time_gives(ttt, rift):
    """``validate_batch`` traces many logs per call and reuses a load of the game only
    while its modules are as loaded: deduction_cards keeps shown cards in a module
    global, so its logs must still validate; forged ones keep their classes."""
    from engine.trace import fingerprint
    logs = [make_log("deduction_cards", s) for s in (1, 2, 3)] + [ttt, rift]
    events = events_of(ttt)
    events[moves_of(events)[2]]["op_name"] = "forged"
    logs.append(seal(events))
    events = events_of(rift)
    del events[moves_of(events, bookkeeping=True)[0]]
    logs.append(seal(events))
    single = [replay.validate(t, resolve) for t in logs]
    batch = replay.validate_batch(logs, resolve)
    assert [(r["status"], (r["first_failure"] or {}).get("class")) for r in batch] == \
        [(r["status"], (r["first_failure"] or {}).get("class")) for r in single]
    assert [r["status"] for r in batch][:5] == ["canonical"] * 5
    # the fingerprint sees a module global change
    loaded = GameSource(f"{GAMES}/deduction_cards").load()
    before = fingerprint(loaded)
    assert before is not None
    loaded.module._SHOWN.append("x") if isinstance(loaded.module._SHOWN, list) else \
        loaded.module._SHOWN.update({"x": 1}) if isinstance(loaded.module._SHOWN, dict) else \
        loaded.module._SHOWN.add("x")
    assert fingerprint(loaded) != before
    loaded.unload()


def test_parallel_validation_gives_the_same_verdicts(ttt, rift):
    """``validate_parallel`` (validate-stored, big folders): worker processes of their
    own, each with its game processes; verdicts in the order of the logs."""
    from engine.cli import folder_resolver
    from engine.gameproc.logs import validate_parallel
    events = events_of(ttt)
    events[moves_of(events)[1]]["state_hash"] = "ab" * 32
    logs = [ttt, seal(events), rift, make_log("tic_tac_toe", 3)]
    reports = validate_parallel(logs, folder_resolver(GAMES).versions(), jobs=2)
    assert [r["status"] for r in reports] == ["canonical", "non_canonical", "canonical",
                                              "canonical"]
    assert reports[1]["first_failure"]["class"] == "state_mismatch"


def test_a_shared_seat_keeps_the_first_holder_and_is_checked():
    source = GameSource(f"{GAMES}/tic_tac_toe")
    pt = PlayThrough(source, seed=5, seats=SEATS, log_writer=LogWriter()).start()
    pt.change_seat(0, "p-late", "human", shared=True)
    rnd = random.Random(5)
    makers = ["p-late", SEATS[1]["participant"], SEATS[0]["participant"]]
    for i in range(3):
        role = pt.roles_to_move()[0]
        pt.apply(Actor(role, "x", "human", makers[i]), *bots.choose_move(pt, role, "random", rnd))
    pt.end("abandoned")
    check(pt.log.text())
    events = events_of(pt.log.text())
    i = next(i for i, e in enumerate(events) if e["type"] == "seat_changed")
    assert events[i]["shared"] is True
    # without "shared" the first holder lost the role, and X's third move is illegal
    unshared = [dict(e) for e in events]
    del unshared[i]["shared"]
    third = moves_of(unshared)[2]
    check(seal(unshared), "illegal_move", line=third + 1)
    # a shared seat given to its holder again is refused
    again = [dict(e) for e in events]
    again[i] = dict(again[i], participant=SEATS[0]["participant"])
    check(seal(again), "illegal_move", line=i + 1)
    # "shared" must be a boolean
    odd = [dict(e) for e in events]
    odd[i] = dict(odd[i], shared="yes")
    check(seal(odd), "structure", line=i + 1)
