"""Fixture games that behave like foreign SOLUZION6 games, run under PlayThrough."""
import json
import pathlib
import sys

import pytest

from engine import replay, views
from engine.loader import GameSource
from engine.log import LogWriter
from engine.playthrough import Actor, MoveError, PlayThrough

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "games"
P0 = Actor(0, "player", "human")


@pytest.fixture
def play(tmp_path):
    made = []

    def make(name, seed=0):
        source = GameSource(FIXTURES / name)
        pt = PlayThrough(source, seed=seed, log_writer=LogWriter(None),
                         session_folder=str(tmp_path / f"s{len(made)}")).start()
        made.append(pt)
        return pt
    yield make
    for pt in made:
        pt.close()


def events(pt):
    return [json.loads(line) for line in pt.log.lines]


def validate(pt, **kw):
    source = pt.source
    return replay.validate(pt.log.text(),
                           lambda slug, version: source if version == source.version else None,
                           **kw)


# --- odd_names -----------------------------------------------------------------------------------

def test_odd_names_plays_to_its_goal_and_validates(play):
    pt = play("odd_names")
    assert [r.name for r in pt.roles] == ["Player"]          # no roles_spec: one default role
    assert pt.state.left == ["apple", "banana", "cherry"]
    for _ in range(3):
        pt.apply(P0, 0, [])
    assert pt.ended == "goal"
    assert pt.state.picked == ["apple", "banana", "cherry"]
    assert pt.goal_message == "The play-through has reached its goal."   # no goal_message()
    assert pt.outcome == {"0": "finished"}                     # no is_win / is_draw
    assert isinstance(views.role_view(pt, 0).text, str)
    report = validate(pt, twice=True)
    assert report["status"] == "canonical", report


def test_odd_names_metadata_with_missing_fields_does_not_break_the_host(play):
    pt = play("odd_names")
    header = events(pt)[0]
    assert header["game"] == "odd_names"
    assert header["roles"] == [{"num": 0, "name": "Player", "observer": False}]
    assert pt.formulation.metadata.name == "Odd names"


def test_bundled_base_fixture_plays(play):
    pt = play("bundled_base")
    assert pt.state.bundled is True
    pt.apply(P0, 0, [])
    pt.apply(P0, 0, [])
    assert pt.ended == "goal"
    assert validate(pt)["status"] == "canonical"


# --- raising ---------------------------------------------------------------------------------------

def _snapshot(pt):
    return (list(pt.stack), list(pt.hashes), len(pt.log.lines), pt.rng.getstate(),
            pt.version, pt.k, list(pt.moves), pt.message)


def test_transition_exception_is_a_game_error_and_changes_nothing(play):
    pt = play("raising")
    pt.apply(P0, 2, [])                 # one good move first, so there is history
    before = _snapshot(pt)
    state_hash = pt.state_hash_of(pt.state)
    with pytest.raises(MoveError) as info:
        pt.apply(P0, 0, [])
    err = info.value
    assert err.code == "game_error"
    assert "ValueError: boom in the transition" in err.message
    assert "Traceback" in err.detail
    assert _snapshot(pt) == before        # state, stack, log, RNG, version untouched
    assert pt.state_hash_of(pt.state) == state_hash
    assert pt.ended is None


def test_rng_after_a_failed_move_is_as_if_it_never_happened(play):
    clean = play("raising", seed=11)
    failed = play("raising", seed=11)
    with pytest.raises(MoveError):
        failed.apply(P0, 0, [])
    for pt in (clean, failed):
        pt.apply(P0, 2, [])
        pt.apply(P0, 2, [])
    assert failed.state.rolls == clean.state.rolls
    assert failed.hashes == clean.hashes


def test_precondition_exception_counts_as_not_applicable(play):
    pt = play("raising")
    assert pt.applicable(0) == [0, 2]
    with pytest.raises(MoveError) as info:
        pt.apply(P0, 1, [])
    assert info.value.code == "not_applicable"
    assert "Bad precondition" in info.value.message
    assert pt.k == 0


def test_raising_game_still_finishes_and_its_log_validates(play):
    pt = play("raising")
    for _ in range(3):
        with pytest.raises(MoveError):
            pt.apply(P0, 0, [])
        pt.apply(P0, 2, [])
    assert pt.ended == "goal"
    types = [e["type"] for e in events(pt)]
    assert types.count("move") == 3                 # failed moves are not recorded
    assert validate(pt, twice=True)["status"] == "canonical"


def test_raising_views_fall_back_to_text(play):
    pt = play("raising")
    rv = views.role_view(pt, 0)
    assert rv.vis_html is None
    assert "could not describe this state" in rv.html


# --- stalls ------------------------------------------------------------------------------------------

def test_stalled_play_through_ends_as_stalled(play):
    pt = play("stalls")
    pt.apply(Actor(0, "a"), 0, [])
    assert pt.ended is None
    pt.apply(Actor(1, "b"), 0, [])
    assert pt.ended == "stalled"
    log = events(pt)
    footer = log[-1]
    assert footer["type"] == "playthrough_ended"
    assert footer["reason"] == "stalled" and footer["k"] == 2
    assert footer["state_hash"] == pt.hashes[-1]
    assert "goal_reached" not in [e["type"] for e in log]
    with pytest.raises(MoveError) as info:
        pt.apply(Actor(0, "a"), 0, [])
    assert info.value.code == "finished"
    assert validate(pt)["status"] == "canonical"


# --- nondeterministic ----------------------------------------------------------------------------------

def test_nondeterministic_game_is_reported_as_nondeterminism(play):
    pt = play("nondeterministic")
    pt.apply(P0, 0, [])
    pt.apply(P0, 0, [])
    assert pt.ended == "goal"
    report = validate(pt)
    assert report["status"] == "non_canonical", report
    assert report["first_failure"]["class"] == "nondeterminism"
    assert report["counts"] == {"nondeterminism": 1}


def test_deterministic_fixture_is_not_reported_as_nondeterminism(play):
    pt = play("bundled_base")
    pt.apply(P0, 0, [])
    pt.apply(P0, 0, [])
    report = validate(pt, twice=True)
    assert report["status"] == "canonical" and report["first_failure"] is None


# --- vis kwargs --------------------------------------------------------------------------------------------

def test_vis_kwargs_variant_renders_with_base_url_through_the_game(play):
    pt = play("vis_kwargs")
    html = views.role_view(pt, 0, base_url="/static/g/vis_kwargs/").html
    assert html == '<img data-n="0" src="/static/g/vis_kwargs/Vis_Kwargs_images/board.png">'
    pt.apply(P0, 0, [])
    assert 'data-n="1"' in views.role_view(pt, 0, base_url="/x/").html


def test_vis_kwargs_all_variant_gets_role_instance_data_and_base_url(play):
    pt = play("vis_kwargs_all")
    html = views.role_view(pt, 0, base_url="/b/").html
    data = json.loads(html[len("<pre>"):-len("</pre>")])
    assert data["keys"] == ["base_url", "instance_data", "role_num"]
    assert data["marker"] == "INSTANCE-DATA" and data["base_url"] == "/b/"


# --- pff_sets_vis ---------------------------------------------------------------------------------------------

def test_pff_sets_vis_renders_through_its_own_vis_module(play):
    pt = play("pff_sets_vis")
    assert pt.source.vis_path is None               # no *_WSZ6_VIS.py: only vis_module
    assert pt.game.vis is pt.formulation.vis_module
    html = views.role_view(pt, 0).html
    assert html == '<div class="board" data-role="0">Tower of pff_sets_vis: 0</div>'
    pt.apply(P0, 0, [])
    assert "Tower of pff_sets_vis: 1" in views.role_view(pt, 0).html


def test_pff_sets_vis_two_loads_have_their_own_vis_and_pff(play):
    a, b = play("pff_sets_vis"), play("pff_sets_vis")
    assert a.game.vis is not b.game.vis
    assert "board_view" not in sys.modules
    a.game.module.TITLE = "changed in a"
    assert "changed in a" in views.role_view(a, 0).html
    assert "Tower of pff_sets_vis" in views.role_view(b, 0).html


# --- checkpoint and resume of foreign-style games ------------------------------------------------------

def _play_two_moves_with_checkpoint_after_one(name, tmp_path):
    from engine import checkpoint
    source = GameSource(FIXTURES / name)
    log_path, ck_path = tmp_path / "log.jsonl", tmp_path / "checkpoint.json"
    pt = PlayThrough(source, seed=21, log_writer=LogWriter(str(log_path)),
                     session_folder=str(tmp_path / "s1")).start()
    op = pt.applicable(0)[-1]
    pt.apply(P0, op, [])
    checkpoint.write(str(ck_path), checkpoint.snapshot(pt))
    pt.apply(P0, op, [])
    expected = (list(pt.hashes), pt.rng.getstate())
    pt.close()
    return source, str(log_path), str(ck_path), expected


def _resumed(source, log_path, ck, tmp_path):
    from engine import checkpoint
    again = checkpoint.resume(source, log_path, ck, session_folder=str(tmp_path / "s2"))
    try:
        return list(again.hashes), again.rng.getstate()
    finally:
        again.close()


@pytest.mark.parametrize("name", ["odd_names", "raising", "bundled_base"])
def test_resume_from_the_log_alone_gives_the_same_play_through(name, tmp_path):
    source, log_path, _, expected = _play_two_moves_with_checkpoint_after_one(name, tmp_path)
    assert _resumed(source, log_path, None, tmp_path) == expected


@pytest.mark.parametrize("name", ["raising", "bundled_base"])
def test_resume_from_checkpoint_gives_the_same_play_through(name, tmp_path):
    source, log_path, ck, expected = _play_two_moves_with_checkpoint_after_one(name, tmp_path)
    assert _resumed(source, log_path, ck, tmp_path) == expected


def test_resume_from_checkpoint_never_silently_diverges_for_mutable_module_globals(tmp_path):
    """odd_names changes a helper's module global in its transitions; a checkpoint holds
    the stack but not that global, so resuming from it must either reproduce the
    play-through or refuse (CheckpointError), never continue with other states."""
    from engine.checkpoint import CheckpointError
    source, log_path, ck, expected = _play_two_moves_with_checkpoint_after_one(
        "odd_names", tmp_path)
    try:
        got = _resumed(source, log_path, ck, tmp_path)
    except CheckpointError:
        return
    assert got == expected
