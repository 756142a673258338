"""Bots: every strategy makes only legal moves; the search bot plays well."""
import pathlib
import random

import pytest

from engine import bots
from engine.loader import GameSource
from engine.log import LogWriter
from engine.params import resolve_specs
from engine.playthrough import Actor, PlayThrough

ROOT = pathlib.Path(__file__).resolve().parents[2]
GAMES = ROOT / "games"
GAME_SLUGS = ["tic_tac_toe", "guess_my_age", "missionaries", "rock_paper_scissors",
              "writing_exercise", "picture_tour", "click_the_word", "pixel_probe",
              "rift_mini", "chat_with_model"]


@pytest.fixture
def play(tmp_path, monkeypatch):
    monkeypatch.setenv("SZ_CHAT_DELAY", "0")
    monkeypatch.delenv("SZ_CHAT_MODEL_URL", raising=False)
    made = []

    def make(slug, seed=0):
        pt = PlayThrough(GameSource(GAMES / slug), seed=seed, log_writer=LogWriter(None),
                         session_folder=str(tmp_path / f"s{len(made)}")).start()
        made.append(pt)
        return pt
    yield make
    for pt in made:
        pt.close()


def _assert_legal(pt, role, move):
    index, args = move
    assert index in pt.applicable(role)
    specs = resolve_specs(pt.operators[index], pt.state)
    # The move passes the same checks a person's move does, unchanged.
    _, checked, _ = pt.check_move(role, index, args)
    assert checked == args
    assert len(args) == len(specs)


@pytest.mark.parametrize("strategy", bots.STRATEGIES)
@pytest.mark.parametrize("slug", GAME_SLUGS)
def test_every_strategy_makes_only_legal_moves(slug, strategy, play):
    pt = play(slug, seed=5)
    rnd = random.Random(1)
    made = 0
    while not pt.ended and made < 25:
        movers = [r for r in pt.roles_to_move() if pt.applicable(r)]
        assert movers, "the play-through neither ended nor offers a move"
        role = rnd.choice(movers)
        move = bots.choose_move(pt, role, strategy, rnd)
        assert move is not None
        _assert_legal(pt, role, move)
        pt.apply(Actor(role, f"bot-{role}", "bot"), *move)
        made += 1
    assert made >= 1


def test_choose_move_is_none_for_a_role_without_moves(play):
    pt = play("tic_tac_toe")
    assert bots.choose_move(pt, 1, "random") is None          # O waits for X
    assert bots.choose_move(pt, 2, "search") is None          # the observer
    assert bots.choose_move(pt, 0, "first") == (0, [])


def test_guess_my_age_int_params_are_in_range(play):
    pt = play("guess_my_age", seed=2)
    rnd = random.Random(4)
    seen = set()
    for _ in range(40):
        move = bots.choose_move(pt, 0, "random", rnd)
        if move[0] == 0:
            (age,) = move[1]
            assert type(age) is int and 14 <= age <= 21
            seen.add(age)
    assert len(seen) > 3                           # not always the same value


def test_writing_exercise_file_edit_gets_a_text_that_can_be_submitted(play):
    pt = play("writing_exercise", seed=2)
    move = bots.choose_move(pt, 0, "first", random.Random(0))
    index, (text,) = move
    spec = resolve_specs(pt.operators[index], pt.state)[0]
    assert spec["type"] == "file_edit"
    assert isinstance(text, str) and len(text.split()) >= 50
    assert text.startswith(str(spec.get("initial_text") or "").strip()[:20])
    events = pt.apply(Actor(0, "bot", "bot"), index, [text])
    assert events[0]["args"] == [text]
    assert pt.state.draft == text
    assert 1 in pt.applicable(0)                   # long enough to submit for review


def test_search_bot_solves_missionaries_in_the_shortest_eleven_crossings(play):
    pt = play("missionaries")
    rnd = random.Random(0)
    moves = 0
    while not pt.ended and moves < 30:
        move = bots.choose_move(pt, 0, "search", rnd)
        _assert_legal(pt, 0, move)
        pt.apply(Actor(0, "bot", "bot"), *move)
        moves += 1
    assert pt.ended == "goal"
    assert moves == 11 and pt.state.crossings == 11
    assert "shortest possible solution" in pt.goal_message


def test_search_bfs_first_step_matches_a_shortest_solution(play):
    pt = play("missionaries")
    path = bots.Search(pt, 0).bfs()
    assert path is not None and len(path) == 11
    assert path[0] in pt.applicable(0)


@pytest.mark.parametrize("game", range(20))
def test_tic_tac_toe_search_bot_never_loses_to_random_as_x(game, play):
    pt = play("tic_tac_toe", seed=game)
    rnd = random.Random(1000 + game)
    while not pt.ended:
        role = pt.roles_to_move()[0]
        move = bots.choose_move(pt, role, "search" if role == 0 else "random", rnd)
        _assert_legal(pt, role, move)
        pt.apply(Actor(role, f"bot-{role}", "bot"), *move)
    assert pt.ended == "goal"
    assert pt.outcome["0"] in ("win", "draw"), (pt.outcome, str(pt.state))


def test_search_takes_an_immediate_win_and_blocks_an_immediate_loss(play):
    pt = play("tic_tac_toe")
    for op in (0, 3, 1):            # X (0,0), O (1,0), X (0,1): O must block at (0,2)
        pt.apply(Actor(pt.roles_to_move()[0], "p"), op, [])
    assert bots.choose_move(pt, 1, "search", random.Random(0))[0] == 2
    pt.apply(Actor(1, "p"), 4, [])  # O ignores the threat
    assert bots.choose_move(pt, 0, "search", random.Random(0))[0] == 2


def test_play_out_ends_every_play_through(play):
    pt = play("rock_paper_scissors", seed=9)
    bots.play_out(pt, {0: "random", 1: "first"})
    assert pt.ended == "goal"
    assert pt.outcome is not None
