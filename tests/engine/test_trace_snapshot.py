"""``trace.Snapshot``: the cheap check that lets a batch reuse a load of a game.  Its
promise is one-way: ``same()`` true implies the game's ``fingerprint`` is unchanged, so
reusing a load is never less careful than it was with the fingerprint alone."""
import os
import types

import pytest

from engine.loader import GameSource
from engine.trace import Snapshot, fingerprint, trace_many

GAMES = os.path.join(os.path.dirname(__file__), "..", "..", "games")


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a, self.b = [1], "x"


class Plain:
    counter = 0
    table = {"k": [1, 2]}

    def __init__(self):
        self.items = {"n": 1, "m": [1, 2, (3, [4])]}


def fake_load():
    module = types.ModuleType("szgame_fake")
    module.SHOWN = []
    module.TABLE = {1: "a", "b": {2, 3}}
    module.OBJ = Plain()
    module.SLOT = Slotted()
    module.Klass = Plain
    module.FROZEN = frozenset({1, 2})
    module.NESTED = ([1, [2, {"x": [3]}]],)
    helper = types.ModuleType("helper")
    helper.STATE = {"level": 1}
    return types.SimpleNamespace(module=module, local_modules={"helper": helper},
                                 _vis_pending=False, _vis=None)


MUTATIONS = {
    "list append": lambda m, h: m.SHOWN.append("x"),
    "dict value": lambda m, h: m.TABLE.update({1: "b"}),
    "dict key added": lambda m, h: m.TABLE.update({7: "b"}),
    "set in dict": lambda m, h: m.TABLE["b"].add(4),
    "object attribute": lambda m, h: setattr(m.OBJ, "items", {}),
    "object nested": lambda m, h: m.OBJ.items["m"][2][1].append(5),
    "object new attribute": lambda m, h: setattr(m.OBJ, "other", 1),
    "slot": lambda m, h: setattr(m.SLOT, "b", "y"),
    "slot nested": lambda m, h: m.SLOT.a.append(2),
    "class attribute": lambda m, h: setattr(m.Klass, "counter", 1),
    "class attribute nested": lambda m, h: m.Klass.table["k"].append(3),
    "global rebound": lambda m, h: setattr(m, "SHOWN", ["z"]),
    "global added": lambda m, h: setattr(m, "EXTRA", 1),
    "global removed": lambda m, h: delattr(m, "FROZEN"),
    "tuple's list": lambda m, h: m.NESTED[0][1][1]["x"].append(9),
    "helper module": lambda m, h: h.STATE.update(level=2),
    "object class": lambda m, h: setattr(m.OBJ, "__class__", type("Other", (Plain,), {})),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_change_the_fingerprint_sees_is_seen(name):
    loaded = fake_load()
    snap, before = Snapshot.of(loaded), fingerprint(loaded)
    assert snap is not None and before is not None and snap.same()
    MUTATIONS[name](loaded.module, loaded.local_modules["helper"])
    assert fingerprint(loaded) != before      # the mutation is a real one
    assert not snap.same()


def test_a_new_helper_module_is_a_change():
    loaded = fake_load()
    snap = Snapshot.of(loaded)
    loaded.local_modules["other"] = types.ModuleType("other")
    assert not snap.same()


def test_too_large_to_walk_gives_none():
    loaded = fake_load()
    loaded.module.BIG = [[i] for i in range(60_000)]
    assert Snapshot.of(loaded) is None and fingerprint(loaded) is None


@pytest.mark.parametrize("slug", ["tic_tac_toe", "rift_mini", "deduction_cards",
                                  "rock_paper_scissors", "missionaries"])
def test_on_real_games_same_implies_the_fingerprint_is_unchanged(slug):
    """After tracing real logs on one load, the snapshot says "same" only when the
    fingerprint agrees; deduction_cards keeps shown cards in a module global."""
    from tests.engine.test_canonical_corpus import events_of, make_log
    source = GameSource(os.path.join(GAMES, slug))
    loaded = source.load()
    try:
        snap, clean = Snapshot.of(loaded), fingerprint(loaded)
        assert snap is not None and snap.same()
        from engine.trace import trace
        for seed in (1, 2):
            trace(source, events_of(make_log(slug, seed)), loaded=loaded)
            if snap.same():
                assert fingerprint(loaded) == clean
    finally:
        loaded.unload()
    if slug == "deduction_cards":
        assert not snap.same()


def test_trace_many_matches_single_traces():
    from engine.trace import trace
    from tests.engine.test_canonical_corpus import events_of, make_log
    for slug in ("deduction_cards", "tic_tac_toe"):
        source = GameSource(os.path.join(GAMES, slug))
        logs = [events_of(make_log(slug, s)) for s in (1, 2, 3)]
        assert trace_many(source, logs) == [trace(source, ev) for ev in logs]


def test_a_value_replaced_by_an_equal_one_is_the_same():
    """SZ6 games store each new initial state in a module global: equal by value, the
    load is still clean; a different value is a change."""
    loaded = fake_load()
    snap = Snapshot.of(loaded)
    loaded.module.OBJ = Plain()
    loaded.module.TABLE = {1: "a", "b": {2, 3}}
    assert snap.same()
    loaded.module.OBJ = Plain()
    loaded.module.OBJ.items["n"] = 1.0          # 1 and 1.0 print differently
    assert not snap.same()


def test_a_mutated_object_swapped_back_for_an_equal_one():
    loaded = fake_load()
    snap, before = Snapshot.of(loaded), fingerprint(loaded)
    old = loaded.module.SHOWN
    old.append("x")
    loaded.module.SHOWN = []                    # equal to what was there before
    assert not snap.same() or fingerprint(loaded) == before
