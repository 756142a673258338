"""Server-side checks of operator arguments (type, range, count, conversion)."""
import math
import pathlib
import types

import pytest

from engine import params
from engine.loader import GameSource
from engine.params import ParamError, check_args, check_value, resolve_specs
from engine.playthrough import Actor, MoveError, PlayThrough

ROOT = pathlib.Path(__file__).resolve().parents[2]

AGE = {"name": "age", "type": "int", "min": 14, "max": 21}
RATIO = {"name": "ratio", "label": "Mixing ratio", "type": "float", "min": 0.0, "max": 1.0}
WORD = {"name": "word", "type": "str"}
DRAFT = {"name": "draft", "type": "file_edit", "initial_text": "x", "file_path": "d.txt"}


# --- int ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,expected", [
    (14, 14), (21, 21), ("17", 17), (" 18 ", 18), ("+19", 19), (20.0, 20), ("014", 14)])
def test_int_accepts_and_converts(raw, expected):
    value = check_value(raw, AGE)
    assert value == expected and type(value) is int


@pytest.mark.parametrize("raw", [13, 22, "13", "22", -1000, 10 ** 30])
def test_int_out_of_range_is_refused_with_the_bound(raw):
    with pytest.raises(ParamError) as info:
        check_value(raw, AGE)
    message = str(info.value)
    assert message.startswith("age must be at")
    assert ("at least 14" in message) or ("at most 21" in message)


@pytest.mark.parametrize("raw", [True, False, "true", 17.5, "17.5", "seventeen", "", None,
                                 [17], {"v": 17}, float("nan"), float("inf"), "1e1",
                                 "1" * 19, "0x11"])
def test_int_refuses_non_whole_numbers_and_bools(raw):
    with pytest.raises(ParamError, match="^age must be a whole number$"):
        check_value(raw, AGE)


def test_int_without_bounds_accepts_any_whole_number():
    assert check_value("-123456", {"name": "n", "type": "int"}) == -123456


# --- float ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,expected", [(0, 0.0), (1, 1.0), ("0.25", 0.25), (" .5", 0.5),
                                          (0.75, 0.75)])
def test_float_accepts_and_converts(raw, expected):
    value = check_value(raw, RATIO)
    assert value == expected and type(value) is float


@pytest.mark.parametrize("raw", [float("nan"), "nan", "NaN", float("inf"), "-inf", "Infinity",
                                 True, False, "abc", None, [0.5]])
def test_float_refuses_nan_inf_bools_and_text(raw):
    with pytest.raises(ParamError, match="^Mixing ratio must be a number$"):
        check_value(raw, RATIO)


@pytest.mark.parametrize("raw", [-0.01, 1.5, "2"])
def test_float_range_messages_use_the_label(raw):
    with pytest.raises(ParamError, match=r"^Mixing ratio must be at (least 0\.0|most 1\.0)"):
        check_value(raw, RATIO)


# --- str and file_edit ---------------------------------------------------------------------------------

def test_str_accepts_text_unchanged():
    assert check_value("héllo <b>", WORD) == "héllo <b>"
    assert check_value("", WORD) == ""


@pytest.mark.parametrize("raw", [7, None, b"bytes", ["a"], True])
def test_str_refuses_non_text(raw):
    with pytest.raises(ParamError, match="^word must be text$"):
        check_value(raw, WORD)


def test_str_too_long_is_refused_with_the_limit():
    ok = "a" * params.MAX_STR_LEN
    assert check_value(ok, WORD) == ok
    with pytest.raises(ParamError) as info:
        check_value(ok + "a", WORD)
    assert str(info.value) == (f"word is too long ({params.MAX_STR_LEN + 1} characters, "
                               f"at most {params.MAX_STR_LEN})")


def test_file_edit_allows_long_texts_up_to_its_own_limit():
    long_text = "word " * (params.MAX_STR_LEN // 2)
    assert check_value(long_text, DRAFT) == long_text
    with pytest.raises(ParamError, match="draft is too long"):
        check_value("x" * (params.MAX_TEXT_LEN + 1), DRAFT)


@pytest.mark.parametrize("spec", [WORD, DRAFT])
def test_nul_characters_are_refused(spec):
    with pytest.raises(ParamError, match="contains a NUL character"):
        check_value("a\x00b", spec)


def test_unknown_type_is_refused():
    with pytest.raises(ParamError, match="unknown parameter type 'color'"):
        check_value("red", {"name": "c", "type": "color"})


# --- count -------------------------------------------------------------------------------------------

def test_check_args_converts_every_value_in_order():
    out = check_args([AGE, WORD, RATIO], ["15", "hi", "0.5"])
    assert out == [15, "hi", 0.5]
    assert [type(v) for v in out] == [int, str, float]
    assert check_args([AGE], (16,)) == [16]


@pytest.mark.parametrize("args", [[], [15, 16], None])
def test_wrong_number_of_values_is_refused(args):
    with pytest.raises(ParamError, match=r"this move needs 1 value\(s\) \(age\), got \d"):
        check_args([AGE], args)


def test_a_move_without_params_refuses_values():
    assert check_args([], None) == [] and check_args([], []) == []
    with pytest.raises(ParamError, match="this move takes no parameters"):
        check_args([], [1])


@pytest.mark.parametrize("args", ["15", 15, {"age": 15}])
def test_args_must_be_a_list(args):
    with pytest.raises(ParamError, match="arguments must be a list"):
        check_args([AGE], args)


# --- resolving specs -------------------------------------------------------------------------------------

def test_resolve_specs_fills_defaults_and_copies():
    spec = {"min": 1}
    op = types.SimpleNamespace(params=[spec, "label only"])
    out = resolve_specs(op, None)
    assert out == [{"min": 1, "name": "arg1", "type": "str"},
                   {"name": "label only", "type": "str"}]
    assert spec == {"min": 1}                      # the game's own spec is not modified


def test_resolve_specs_calls_callable_params_with_the_state():
    op = types.SimpleNamespace(params=lambda s: [{"name": "n", "type": "int", "max": s}])
    assert resolve_specs(op, 9) == [{"name": "n", "type": "int", "max": 9}]
    assert resolve_specs(types.SimpleNamespace(params=None), 0) == []
    assert resolve_specs(types.SimpleNamespace(), 0) == []


def test_resolve_specs_reports_a_failing_callable():
    def bad(state):
        raise KeyError("nope")
    with pytest.raises(ParamError, match="could not describe this move's parameters"):
        resolve_specs(types.SimpleNamespace(params=bad), None)


# --- through a play-through: the game only ever sees checked values ---------------------------------------

def test_play_through_converts_form_strings_and_refuses_bad_values():
    pt = PlayThrough(GameSource(ROOT / "games" / "guess_my_age"), seed=3)
    try:
        secret = pt.game.module.SECRET_AGE
        wrong = 14 if secret != 14 else 21
        for bad, fragment in ((True, "whole number"), ("7", "at least 14"),
                              (float("nan"), "whole number"), ("x" * 30, "whole number"),
                              (None, "whole number")):
            with pytest.raises(MoveError) as info:
                pt.apply(Actor(0, "p"), 0, [bad])
            assert info.value.code == "bad_params" and fragment in info.value.message
        with pytest.raises(MoveError, match=r"needs 1 value"):
            pt.apply(Actor(0, "p"), 0, [])
        assert pt.k == 0
        events = pt.apply(Actor(0, "p"), 0, [str(wrong)])
        assert events[0]["args"] == [wrong] and type(events[0]["args"][0]) is int
        assert pt.state.guesses[-1][0] == wrong
        assert not math.isnan(pt.state.low)
    finally:
        pt.close()


def test_float_param_refuses_a_huge_json_integer_cleanly():
    with pytest.raises(ParamError, match="must be"):
        check_value(10 ** 400, RATIO)
