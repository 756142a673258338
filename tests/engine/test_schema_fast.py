"""``schema.check_event`` answers most events through a compiled predicate; it must
accept exactly the events the field-by-field checks accept (and those still name the
fault)."""
import copy
import random

from engine import schema
from tests.engine.test_canonical_corpus import events_of, make_log

ODD = [None, True, False, 0, 1, -1, 2.5, 23.0, "", "x", "a" * 64, "0" * 64, "A" * 64, [],
       [1], {}, {"role": 0}, {"role": 0, "participant": None, "kind": "host"},
       {"role": 0, "name": "n", "kind": "bot"}, [[1]], {"a": [1, {"b": None}]}, "human",
       "owner", "2026-01-01T00:00:00Z"]


def slow_ok(event, fmt):
    try:
        saved = schema._FAST
        schema._FAST = {1: {}, 2: {}}
        try:
            schema.check_event(event, fmt, 1)
        finally:
            schema._FAST = saved
        return True
    except schema.SchemaError:
        return False


def fast_ok(event, fmt):
    fast = schema._FAST[fmt].get(event.get("type"))
    return fast is not None and fast(event)


def samples():
    events = []
    for slug, seed in (("tic_tac_toe", 1), ("rift_mini", 2), ("deduction_cards", 3),
                       ("rock_paper_scissors", 1)):
        events += events_of(make_log(slug, seed))
    extra = [
        {"seq": 1, "t": "x", "type": "undo", "prev": "0" * 64, "k": 0, "owner": False,
         "actor": {"role": 0, "participant": "p", "kind": "human"}, "state_hash": "0" * 64,
         "phase": None, "to_move": 0},
        {"seq": 1, "t": "x", "type": "paused", "prev": "0" * 64, "by": "owner", "reason": "",
         "k": 1},
        {"seq": 1, "t": "x", "type": "resumed", "prev": "0" * 64, "by": "host", "k": 1},
        {"seq": 1, "t": "x", "type": "player_left", "prev": "0" * 64, "participant": "p",
         "after_seconds": 3},
        {"seq": 1, "t": "x", "type": "seat_changed", "prev": "0" * 64, "role": 0,
         "participant": "p", "kind": "bot", "previous": [], "shared": True},
        {"seq": 1, "t": "x", "type": "playthrough_ended", "prev": "0" * 64, "reason": "goal",
         "k": 1, "state_hash": "0" * 64, "signature": {"key": "k", "sig": "s"}},
    ]
    return events + extra


def test_the_fast_path_accepts_exactly_what_the_checks_accept():
    rnd = random.Random(14)
    base = samples()
    checked = accepted = 0
    for _ in range(6000):
        event = copy.deepcopy(rnd.choice(base))
        for _ in range(rnd.randrange(3)):
            what = rnd.randrange(4)
            if what == 0 and len(event) > 1:
                event.pop(rnd.choice([n for n in event if n != "type"]))
            elif what == 1:     # (the type itself is checked before, by check_structure)
                names = [n for n in event if n != "type"] + ["winner", "op", "k"]
                event[rnd.choice(names)] = rnd.choice(ODD)
            elif what == 2:
                event["type"] = rnd.choice(sorted(schema.FORMATS[2]))
        for fmt in (1, 2):
            slow, fast = slow_ok(event, fmt), fast_ok(event, fmt)
            assert slow == fast, (fmt, event)
            checked += 1
            accepted += slow
    assert accepted > 500 and checked - accepted > 500


def test_real_events_pass_and_faults_are_still_named():
    for event in samples()[:50]:
        schema.check_event(event, 2, 1)
    event = dict(samples()[1], winner="x")
    try:
        schema.check_event(event, 2, 7)
    except schema.SchemaError as exc:
        assert "line 7" in str(exc) and "'winner'" in str(exc)
    else:
        raise AssertionError("an unknown field passed")
