"""Type-preserving encoding of states and the canonical state hash."""
import dataclasses
import enum
import json
import math
import pathlib
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import serialize
from engine.bots import choose_move
from engine.loader import GameSource
from engine.playthrough import Actor, PlayThrough

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILT_IN_GAMES = ["tic_tac_toe", "guess_my_age", "missionaries", "rock_paper_scissors",
                  "writing_exercise", "chat_with_model", "picture_tour", "click_the_word",
                  "pixel_probe", "rift_mini"]


class Color(enum.Enum):
    RED = 1
    GREEN = "green"
    BLUE = (0, 0, 255)


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass(frozen=True)
class Point:
    x: object
    y: object


class Card:
    def __init__(self, rank, suit, tags=None):
        self.rank, self.suit, self.tags = rank, suit, tags

    def __eq__(self, other):
        return type(other) is Card and vars(self) == vars(other)

    __hash__ = None


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b

    def __eq__(self, other):
        return type(other) is Slotted and (self.a, self.b) == (other.a, other.b)


class SlottedChild(Slotted):
    __slots__ = ("c",)

    def __init__(self, a, b, c):
        super().__init__(a, b)
        self.c = c

    def __eq__(self, other):
        return super().__eq__(other) and self.c == other.c


class OneSlot:
    __slots__ = "value"           # a string, as Python allows for a single slot

    def __init__(self, value):
        self.value = value


class PrivateSlot:
    __slots__ = ("__secret",)

    def __init__(self, secret):
        self.__secret = secret

    def secret(self):
        return self.__secret


class StateLike:
    def __init__(self, **fields):
        self.__dict__.update(fields)


def roundtrip(value):
    """Through JSON text, as a checkpoint does."""
    return serialize.loads(serialize.dumps(value))


def same(a, b):
    """Equal *and* of the same types all the way down (1 is not True, 1.0 is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or repr(a) == repr(b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (set, frozenset)):
        return len(a) == len(b) and all(any(same(x, y) for y in b) for x in a)
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            match = [k2 for k2 in b if same(k, k2)]
            if len(match) != 1 or not same(v, b[match[0]]):
                return False
        return True
    if isinstance(a, (Point, Card, Slotted, StateLike)):
        fields = (vars(a) if hasattr(a, "__dict__") else
                  {s: getattr(a, s) for s in ("a", "b", "c") if hasattr(a, s)})
        other = (vars(b) if hasattr(b, "__dict__") else
                 {s: getattr(b, s) for s in ("a", "b", "c") if hasattr(b, s)})
        return same(fields, other)
    return a == b


# --- round trips of the types states hold --------------------------------------------

@pytest.mark.parametrize("value", [
    None, True, False, 0, 1, -7, 2 ** 80, 1.5, -0.0, "", "text", "~t", "ünï ☃",
    [1, [2, [3]]], (), (1,), (1, (2, 3)), [(1, 2), (3, 4)],
    set(), {1, 2, 3}, {(1, 2), (2, 1)}, frozenset(), frozenset({"a", frozenset({1})}),
    {"a": 1}, {1: "one", 2: "two"}, {(0, 1): "edge", (1, 0): "egde"},
    {"~t": 1, "~o": 2}, {1: {2: {3: (4, {5})}}}, {None: 1, True: 2, 3.5: 3},
    {"mixed": 1, 2: "keys"},
    b"", b"\x00\xff bytes", {b"key": b"value"},
    float("inf"), float("-inf"), [float("inf"), -float("inf")],
    Color.RED, Color.GREEN, Color.BLUE, Level.HIGH, {Color.RED: [Level.LOW]},
    Point(1, (2, 3)), {Point(0, 0), Point(1, 1)}, {Point(0, 1): "p"},
    Card(10, "hearts", {"trump"}), [Card(1, "s"), Card(1, "s")],
    Slotted(1, {2}), SlottedChild((1,), frozenset({2}), {3: 4}),
], ids=repr)
def test_roundtrip_preserves_value_and_types(value):
    back = roundtrip(value)
    assert same(back, value), (value, back)
    assert serialize.state_hash(back) == serialize.state_hash(value)


def test_nan_roundtrips_as_nan():
    back = roundtrip({"x": float("nan"), "l": [float("nan")]})
    assert math.isnan(back["x"]) and math.isnan(back["l"][0])
    assert type(back["x"]) is float


def test_bool_and_int_keep_their_types():
    back = roundtrip([True, 1, False, 0, {True: 1, 2: False}])
    assert [type(v) for v in back[:4]] == [bool, int, bool, int]
    assert [type(k) for k in back[4]] == [bool, int]
    assert type(back[4][2]) is bool


def test_tuple_set_and_frozenset_are_not_confused_with_lists():
    back = roundtrip({"t": (1, 2), "s": {1, 2}, "f": frozenset({1, 2}), "l": [1, 2]})
    assert type(back["t"]) is tuple and type(back["s"]) is set
    assert type(back["f"]) is frozenset and type(back["l"]) is list


def test_encoding_is_plain_json_without_strings_standing_for_sets():
    text = serialize.dumps({"s": {3, 1, 2}, "k": {(1, 2): "x"}, "b": b"hi"})
    data = json.loads(text)
    assert data["s"] == {"~s": [1, 2, 3]}
    assert "{3, 1, 2}" not in text and "(1, 2)" not in text


def test_objects_reference_their_class_and_restore_into_it():
    card = Card(3, "clubs")
    back = roundtrip({"hand": [card], "cls": Card})
    assert type(back["hand"][0]) is Card and back["hand"][0] == card
    assert back["cls"] is Card


def test_jit_transition_is_neither_encoded_nor_hashed():
    a = StateLike(n=1, jit_transition="You moved!")
    b = StateLike(n=1)
    assert "jit_transition" not in serialize.dumps(a)
    assert serialize.state_hash(a) == serialize.state_hash(b)
    assert not hasattr(roundtrip(a), "jit_transition")


def test_lambdas_and_local_classes_are_refused_with_a_clear_error():
    with pytest.raises(serialize.SerializeError, match="not reachable by name"):
        serialize.encode({"f": lambda s: s})

    class Local:
        pass
    with pytest.raises(serialize.SerializeError):
        serialize.encode(Local())


def test_cycles_are_refused_not_recursed_forever():
    a = []
    a.append(a)
    with pytest.raises(serialize.SerializeError, match="too deeply"):
        serialize.encode(a)


def test_string_slots_roundtrip():
    back = roundtrip(OneSlot({1, 2}))
    assert back.value == {1, 2}


def test_private_slots_roundtrip():
    back = roundtrip(PrivateSlot("hidden card"))
    assert back.secret() == "hidden card"


@pytest.mark.parametrize("value", [bytearray(b"abc"), 3 + 4j], ids=repr)
def test_unknown_builtin_values_roundtrip_or_are_refused(value):
    try:
        back = roundtrip(value)
    except serialize.SerializeError:
        return
    assert back == value


# --- the canonical hash ---------------------------------------------------------------------

def test_hash_is_independent_of_set_and_dict_insertion_order():
    a = {"b": 2, "a": 1, 3: "x", (1, 2): {5, 4, 3}, "s": {"z", "y", "x"}}
    b = {"s": {"x", "y", "z"}, (1, 2): {3, 4, 5}, 3: "x", "a": 1, "b": 2}
    assert serialize.state_hash(a) == serialize.state_hash(b)
    sa = StateLike(p=1, q=[1, 2])
    sb = StateLike(q=[1, 2], p=1)
    assert serialize.state_hash(sa) == serialize.state_hash(sb)


@pytest.mark.parametrize("pair", [
    (1, 1.0), (1, True), (1, "1"), (1.0, True), (0, False), (0, None), ("", None),
    ([1, 2], (1, 2)), ({1, 2}, frozenset({1, 2})), ({1, 2}, [1, 2]), (b"a", "a"),
    ({"1": 1}, {1: 1}), ([1, 2], [2, 1]), (0.0, -0.0), (Color.RED, 1), (Level.LOW, 1),
    (Point(1, 2), {"x": 1, "y": 2}), (float("inf"), "inf"),
], ids=repr)
def test_hash_distinguishes_values_that_python_may_call_equal(pair):
    a, b = pair
    assert serialize.state_hash(a) != serialize.state_hash(b)


def test_hash_is_a_sha256_hex_digest_and_stable_across_calls():
    value = {"board": [[" "] * 3 for _ in range(3)], "turn": 0}
    h = serialize.state_hash(value)
    assert len(h) == 64 and int(h, 16) >= 0
    assert h == serialize.state_hash(json.loads(json.dumps(value)))


def test_list_order_matters_for_the_hash():
    assert serialize.state_hash([1, 2, 3]) != serialize.state_hash([3, 2, 1])


# --- hypothesis: random nested values -----------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70)
           | st.floats(allow_nan=False) | st.text(max_size=8) | st.binary(max_size=8)
           | st.sampled_from(list(Color) + list(Level)))
hashables = st.recursive(
    scalars,
    lambda inner: (st.tuples(inner, inner) | st.frozensets(inner, max_size=4)
                   | st.builds(Point, inner, inner)),
    max_leaves=8)
values = st.recursive(
    scalars | hashables,
    lambda inner: (st.lists(inner, max_size=4)
                   | st.lists(inner, max_size=3).map(tuple)
                   | st.sets(hashables, max_size=4)
                   | st.dictionaries(st.text(max_size=5), inner, max_size=4)
                   | st.dictionaries(hashables, inner, max_size=4)
                   | st.builds(Card, inner, inner)
                   | st.builds(Slotted, inner, inner)),
    max_leaves=20)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_property_decode_encode_is_identity_and_hash_is_stable(value):
    back = roundtrip(value)
    assert same(back, value)
    assert serialize.state_hash(back) == serialize.state_hash(value)
    assert serialize.dumps(back) == serialize.dumps(value)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(hashables, values, max_size=6), st.sets(hashables, max_size=6))
def test_property_hash_ignores_insertion_order(d, s):
    d2 = dict(reversed(list(d.items())))
    s2 = set()
    for item in sorted(s, key=repr, reverse=True):
        s2.add(item)
    assert serialize.state_hash({"d": d, "s": s}) == serialize.state_hash({"s": s2, "d": d2})


# --- states of every built-in game ---------------------------------------------------------------

@pytest.mark.parametrize("slug", BUILT_IN_GAMES)
def test_built_in_game_states_roundtrip_into_a_fresh_load(slug, tmp_path, monkeypatch):
    monkeypatch.setenv("SZ_CHAT_DELAY", "0")
    monkeypatch.delenv("SZ_CHAT_MODEL_URL", raising=False)
    source = GameSource(ROOT / "games" / slug)
    pt = PlayThrough(source, seed=7, session_folder=str(tmp_path / "a"))
    other = PlayThrough(source, seed=7, session_folder=str(tmp_path / "b"))
    rnd = random.Random(3)
    try:
        for _ in range(6):
            if pt.ended:
                break
            role = rnd.choice(pt.roles_to_move())
            move = choose_move(pt, role, "random", rnd)
            if move is None:
                break
            pt.apply(Actor(role, "bot", "bot"), *move)
        assert pt.k >= 1, "no bot move was possible"
        for state, recorded in zip(pt.stack, pt.hashes):
            text = serialize.dumps(state, pt.game.alias_of)
            json.loads(text)                                 # plain JSON
            assert "szgame_" not in text                     # aliases, not load names
            back = serialize.loads(text, pt.game.resolve_module)
            assert type(back) is type(state)
            assert pt.state_hash_of(back) == recorded
            assert serialize.dumps(back, pt.game.alias_of) == text
            # Into another load of the same game (a resumed play-through).
            there = serialize.loads(text, other.game.resolve_module)
            assert type(there) is not type(state)
            assert type(there).__qualname__ == type(state).__qualname__
            assert type(there).__module__ == other.game.module_name
            assert other.state_hash_of(there) == recorded
    finally:
        pt.close()
        other.close()
