"""The tamper corpus: real logs corrupted one way per defect class.

For each corruption the validator must name the right class and the step
(or line) where the log first goes wrong.
"""
import copy
import json

import pytest

from tests.engine.logtools import events_of, make_log, seal, validate


@pytest.fixture(scope="module")
def ttt():
    return make_log("tic_tac_toe", 7)


@pytest.fixture(scope="module")
def rift():
    return make_log("rift_mini", 3)


def failure(text, **kw):
    report = validate(text, **kw)
    assert report["status"] == "non_canonical", report
    return report["first_failure"]


def moves(events, **match):
    return [i for i, e in enumerate(events) if e["type"] == "move"
            and all(e.get(k) == v for k, v in match.items())]


def test_untouched_logs_are_canonical(ttt, rift):
    for text in (ttt, rift, make_log("guess_my_age", 2), make_log("rock_paper_scissors", 5)):
        report = validate(text, twice=True)
        assert report["status"] == "canonical", report
        assert report["steps_replayed"] > 0


# -- structure: raw edits, not re-sealed --------------------------------------
def test_edited_line_breaks_the_chain(ttt):
    lines = ttt.splitlines()
    edited = json.loads(lines[3])
    edited["op_name"] = "something else"
    lines[3] = json.dumps(edited, separators=(",", ":"))
    f = failure("\n".join(lines) + "\n")
    assert (f["class"], f["seq"]) == ("structure", 3)


def test_dropped_line(ttt):
    lines = ttt.splitlines()
    del lines[4]
    f = failure("\n".join(lines) + "\n")
    assert (f["class"], f["seq"]) == ("structure", 4)


def test_swapped_lines(ttt):
    lines = ttt.splitlines()
    lines[2], lines[3] = lines[3], lines[2]
    f = failure("\n".join(lines) + "\n")
    assert (f["class"], f["seq"]) == ("structure", 2)


def test_cut_footer(ttt):
    lines = ttt.splitlines()
    f = failure("\n".join(lines[:-1]) + "\n")
    assert f["class"] == "structure" and "footer" in f["message"]
    assert validate("\n".join(lines[:-1]) + "\n", allow_open=True)["status"] == "canonical"


def test_truncated_mid_line(ttt):
    assert failure(ttt[: len(ttt) - 25])["class"] == "structure"


def test_bad_json_line(ttt):
    lines = ttt.splitlines()
    lines[2] = lines[2][:-3]
    f = failure("\n".join(lines) + "\n")
    assert (f["class"], f["seq"]) == ("structure", 2)


def test_unknown_event_type(ttt):
    events = events_of(ttt)
    events.insert(3, dict(events[2], type="teleport"))
    f = failure(seal(events))
    assert (f["class"], f["seq"]) == ("structure", 3)


def test_unknown_game_version(ttt):
    events = events_of(ttt)
    events[0]["game_version"] = "f" * 64
    f = failure(seal(events))
    assert f["class"] == "structure" and "unknown game version" in f["message"]


def test_garbage_and_empty_inputs_do_not_crash():
    for text in ("", "\n", "not json\n", "[]\n", '{"seq":0}\n', "\x00\xff"):
        report = validate(text.encode("latin-1"))
        assert report["status"] in ("non_canonical", "error")


# -- semantic edits, re-sealed -------------------------------------------------
def test_remove_a_bookkeeping_move(rift):
    events = events_of(rift)
    i = moves(events, bookkeeping=True)[2]
    step = events[i]["k"]          # the step the missing forced move should have made
    del events[i]
    f = failure(seal(events))
    assert f["class"] == "missing_bookkeeping"
    assert f["step"] == step


def test_decision_recorded_as_bookkeeping(rift):
    events = events_of(rift)
    i = moves(events, bookkeeping=False)[3]
    events[i]["bookkeeping"] = True
    events[i]["actor"] = dict(events[i]["actor"], kind="host", participant=None)
    f = failure(seal(events))
    assert (f["class"], f["step"]) == ("spurious_bookkeeping", events[i]["k"])


def test_spurious_bookkeeping_inserted_while_a_choice_existed(rift):
    events = events_of(rift)
    # A placement decision: replace it with the bookkeeping "no placement" move.
    i = next(j for j in moves(events, bookkeeping=False)
             if events[j]["phase_before"] == "ring_placement")
    no_placement = next(e for e in events if e["type"] == "move"
                        and e["op_name"].lower().startswith("no placement"))
    forged = dict(events[i], op=no_placement["op"], op_name=no_placement["op_name"],
                  bookkeeping=True, actor=dict(events[i]["actor"], kind="host", participant=None))
    events[i] = forged
    f = failure(seal(events))
    assert (f["class"], f["step"]) == ("spurious_bookkeeping", forged["k"])


def test_illegal_move_precondition_false(ttt):
    events = events_of(ttt)
    first, second = moves(events)[:2]
    events[second]["op"] = events[first]["op"]        # the occupied cell
    f = failure(seal(events))
    assert (f["class"], f["step"]) == ("illegal_move", events[second]["k"])


def test_unknown_operator(ttt):
    events = events_of(ttt)
    i = moves(events)[1]
    events[i]["op"] = 99
    assert failure(seal(events))["class"] == "illegal_move"


def test_wrong_actor_is_wrong_turn(ttt):
    events = events_of(ttt)
    i = moves(events)[2]
    events[i]["actor"] = dict(events[i]["actor"], role=1 - events[i]["actor"]["role"])
    f = failure(seal(events))
    assert (f["class"], f["step"]) == ("wrong_turn", events[i]["k"])


def test_operator_of_another_role():
    events = events_of(make_log("rock_paper_scissors", 5))
    i = moves(events)[0]
    events[i]["actor"] = dict(events[i]["actor"], role=1 - events[i]["actor"]["role"])
    f = failure(seal(events))
    assert (f["class"], f["step"]) == ("illegal_move", events[i]["k"])


def test_changed_argument_in_range_is_state_mismatch():
    events = events_of(make_log("guess_my_age", 4))
    i = next(j for j in moves(events) if events[j]["args"])
    events[i]["args"] = [events[i]["args"][0] + (1 if events[i]["args"][0] < 21 else -1)]
    f = failure(seal(events))
    assert (f["class"], f["step"]) == ("state_mismatch", events[i]["k"])
    assert {d["aspect"] for d in f["diff"]} & {"state_hash", "message"}


def test_changed_argument_out_of_range_is_illegal():
    events = events_of(make_log("guess_my_age", 4))
    i = next(j for j in moves(events) if events[j]["args"])
    events[i]["args"] = [99]
    f = failure(seal(events))
    assert (f["class"], f["step"]) == ("illegal_move", events[i]["k"])
    events[i]["args"] = ["17"]          # a string where the game got an int
    assert failure(seal(events))["class"] == "illegal_move"


def test_edited_state_hash(ttt):
    events = events_of(ttt)
    i = moves(events)[3]
    events[i]["state_hash"] = "0" * 64
    f = failure(seal(events))
    assert (f["class"], f["step"]) == ("state_mismatch", events[i]["k"])
    assert f["diff"][0]["aspect"] == "state_hash"
    assert f["diff"][0]["recorded"] == "0" * 64


def test_edited_phase_after(rift):
    events = events_of(rift)
    i = moves(events)[5]
    events[i]["phase_after"] = "movement" if events[i]["phase_after"] != "movement" else "x"
    f = failure(seal(events))
    assert (f["class"], f["step"]) == ("state_mismatch", events[i]["k"])


def test_move_after_goal(ttt):
    events = events_of(ttt)
    extra = copy.deepcopy(events[moves(events)[-1]])
    extra["k"] += 1
    events.insert(len(events) - 2, extra)          # before goal_reached
    f = failure(seal(events))
    assert f["class"] == "bad_ending"


def test_changed_outcome(ttt):
    events = events_of(ttt)
    goal = next(e for e in events if e["type"] == "goal_reached")
    goal["outcome"] = {k: "win" for k in goal["outcome"]}
    f = failure(seal(events))
    assert f["class"] == "bad_ending"
    assert f["diff"][0]["aspect"] == "outcome"


def test_goal_not_recorded(ttt):
    events = [e for e in events_of(ttt) if e["type"] != "goal_reached"]
    events[-1]["reason"] = "abandoned"
    assert failure(seal(events))["class"] == "bad_ending"


def test_footer_reason_changed(ttt):
    events = events_of(ttt)
    events[-1]["reason"] = "stalled"
    assert failure(seal(events))["class"] == "bad_ending"


def test_undo_to_the_future(ttt):
    events = events_of(ttt)
    i = moves(events)[2]
    undo = {"t": events[i]["t"], "type": "undo", "actor": events[i]["actor"], "k": 50,
            "owner": True, "state_hash": events[i]["state_hash"], "phase": None, "to_move": 0}
    events.insert(i + 1, undo)
    assert failure(seal(events))["class"] == "illegal_move"
