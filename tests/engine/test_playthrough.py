"""The move path of the engine: refusals leave everything unchanged."""
import random
import threading

import pytest

from engine import bots, checkpoint, replay, views
from engine.cli import folder_resolver
from engine.loader import GameSource
from engine.log import LogWriter, read_events
from engine.playthrough import Actor, MoveError, PlayThrough

resolve = folder_resolver("games")
X, O = Actor(0, "Ann"), Actor(1, "Bo")


def start(slug, seed=1, tmp_path=None, **kw):
    folder = str(tmp_path / "session") if tmp_path else None
    return PlayThrough(GameSource(f"games/{slug}"), seed=seed, session_folder=folder,
                       log_writer=LogWriter(), **kw).start()


def snapshot(pt):
    return (pt.version, list(pt.hashes), len(pt.log.lines), pt.rng.getstate(), pt.ended)


@pytest.mark.parametrize("actor, op, args, code", [
    (O, 0, None, "wrong_turn"),                  # O moves on X's turn
    (X, 9, None, "unknown_operator"),
    (X, -1, None, "unknown_operator"),
    (X, "4", None, "unknown_operator"),
    (X, 4, [1], "bad_params"),                   # no parameters expected
])
def test_refused_moves_change_nothing(actor, op, args, code):
    pt = start("tic_tac_toe")
    before = snapshot(pt)
    with pytest.raises(MoveError) as err:
        pt.apply(actor, op, args)
    assert err.value.code == code and err.value.message
    assert snapshot(pt) == before


def test_occupied_cell_is_not_applicable():
    pt = start("tic_tac_toe")
    pt.apply(X, 4)
    before = snapshot(pt)
    with pytest.raises(MoveError) as err:
        pt.apply(O, 4)
    assert err.value.code == "not_applicable"
    assert snapshot(pt) == before


def test_operator_of_another_role_is_refused():
    pt = start("rock_paper_scissors")
    before = snapshot(pt)
    with pytest.raises(MoveError) as err:
        pt.apply(Actor(0, "A"), 3)              # B's "rock"
    assert err.value.code == "wrong_role" and "Player B" in err.value.message
    assert snapshot(pt) == before


def test_stale_state_version_is_refused():
    pt = start("tic_tac_toe")
    v = pt.version
    pt.apply(X, 0, state_version=v)
    before = snapshot(pt)
    with pytest.raises(MoveError) as err:
        pt.apply(O, 1, state_version=v)
    assert err.value.code == "stale"
    assert snapshot(pt) == before
    pt.apply(O, 1, state_version=pt.version)


def test_parallel_choice_drawn_earlier_in_the_phase_is_accepted():
    pt = start("rock_paper_scissors")
    v = pt.version
    pt.apply(Actor(0, "A"), 0, state_version=v)
    pt.apply(Actor(1, "B"), 4, state_version=v)    # same page version, same phase
    assert pt.k == 2


@pytest.mark.parametrize("args, fragment", [
    ([99], "at most 21"), ([3], "at least 14"), (["abc"], "whole number"),
    ([True], "whole number"), ([], "needs 1"), ([15, 16], "needs 1"), ([15.5], "whole number"),
])
def test_bad_parameters(args, fragment):
    pt = start("guess_my_age")
    guess = next(o.index for o in views.operator_list(pt, 0) if o.params)
    before = snapshot(pt)
    with pytest.raises(MoveError) as err:
        pt.apply(Actor(0, "G"), guess, args)
    assert err.value.code == "bad_params" and fragment in err.value.message
    assert snapshot(pt) == before


def test_form_strings_are_converted_and_logged_as_ints():
    pt = start("guess_my_age")
    pt.apply(Actor(0, "G"), 0, ["17"])
    assert pt.moves[-1]["args"] == [17]


def test_game_code_raising_changes_nothing(monkeypatch):
    pt = start("tic_tac_toe")
    op = pt.operators[4]

    def boom(state):
        raise ZeroDivisionError("division by zero in the game")
    monkeypatch.setattr(op, "state_xition_func", boom)
    before = snapshot(pt)
    with pytest.raises(MoveError) as err:
        pt.apply(X, 4)
    assert err.value.code == "game_error" and "ZeroDivisionError" in err.value.message
    assert snapshot(pt) == before


def test_host_applies_and_records_bookkeeping_moves():
    pt = start("rift_mini", seed=2)
    bots.play_out(pt, rnd=random.Random(2))
    book = [m for m in pt.moves if m["bookkeeping"]]
    assert book, "rift_mini always records bookkeeping moves"
    assert all(m["actor"]["kind"] == "host" for m in book)
    assert all(m["actor"]["kind"] != "host" for m in pt.moves if not m["bookkeeping"])
    assert {m["op_name"].split()[0].lower() for m in book} >= {"no"}


def test_goal_outcome_and_footer():
    pt = start("tic_tac_toe")
    for actor, cell in [(X, 0), (O, 3), (X, 1), (O, 4), (X, 2)]:
        pt.apply(actor, cell)
    assert pt.ended == "goal" and pt.outcome == {"0": "win", "1": "loss"}
    types = [e["type"] for e in read_events(pt.log.text())]
    assert types[-2:] == ["goal_reached", "playthrough_ended"]
    with pytest.raises(MoveError) as err:
        pt.apply(O, 5)
    assert err.value.code == "finished"


def test_undo_rules():
    pt = start("tic_tac_toe")
    pt.apply(X, 0)
    with pytest.raises(MoveError) as err:
        pt.undo(O)                                   # not O's move
    assert err.value.code == "not_yours"
    pt.undo(X)
    assert pt.k == 0
    pt.apply(X, 4)
    pt.apply(O, 0)
    with pytest.raises(MoveError):
        pt.undo(X)                                   # O has moved since
    pt.undo(Actor(None, "Teacher"), owner=True)      # the owner may
    assert pt.k == 1 and pt.roles_to_move() == [1]
    undo = [e for e in read_events(pt.log.text()) if e["type"] == "undo"]
    assert undo[-1]["actor"]["participant"] == "Teacher" and undo[-1]["owner"] is True
    assert replay.validate(pt.log.text(), resolve, allow_open=True)["status"] == "canonical"


def test_no_undo_across_the_goal_or_out_of_a_parallel_phase():
    pt = start("tic_tac_toe")
    for actor, cell in [(X, 0), (O, 3), (X, 1), (O, 4), (X, 2)]:
        pt.apply(actor, cell)
    with pytest.raises(MoveError) as err:
        pt.undo(X, owner=True)
    assert err.value.code == "finished"
    rps = start("rock_paper_scissors")
    rps.apply(Actor(0, "A"), 0)
    with pytest.raises(MoveError) as err:
        rps.undo(Actor(0, "A"))
    assert err.value.code == "parallel"


def test_undo_takes_back_the_forced_moves_too():
    pt = start("rift_mini", seed=4)
    rnd = random.Random(4)
    while not pt.ended:
        role = pt.roles_to_move()[0]
        op, args = bots.choose_move(pt, role, "random", rnd)
        pt.apply(Actor(role, "p"), op, args)
        if pt.moves[-1]["bookkeeping"]:
            break
    decision = pt.undo_target()
    k_before = pt.moves[decision]["k"] - 1
    pt.undo(Actor(role, "p"))
    assert pt.k == k_before
    assert all(m["k"] <= k_before for m in pt.moves)
    assert pt.hashes[-1] == read_events(pt.log.text())[-1]["state_hash"]


def test_two_concurrent_playthroughs_never_share_secrets_or_rng():
    source = GameSource("games/guess_my_age")
    results, logs = {}, {}

    def play(seed):
        pt = PlayThrough(source, seed=seed, log_writer=LogWriter()).start()
        rnd = random.Random(seed)
        for _ in range(200):
            if pt.ended:
                break
            op, args = bots.choose_move(pt, 0, "random", rnd)
            pt.apply(Actor(0, "g"), op, args)
        results[seed] = (pt.game.module.SECRET_AGE, pt.hashes[:])
        logs[seed] = pt.log.text()
        pt.close()

    for _ in range(3):
        threads = [threading.Thread(target=play, args=(s,)) for s in (11, 12, 11)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        alone = PlayThrough(source, seed=11)
        assert alone.game.module.SECRET_AGE == results[11][0]
        alone.close()
        for seed in (11, 12):
            assert replay.validate(logs[seed], resolve, twice=True)["status"] == "canonical"


def test_global_random_is_untouched_outside_playthroughs():
    random.seed(5)
    expected = [random.random() for _ in range(3)]
    random.seed(5)
    start("guess_my_age")
    assert [random.random() for _ in range(3)] == expected


@pytest.mark.parametrize("slug", ["guess_my_age", "deduction_cards", "rift_mini"])
def test_resume_from_log_and_from_checkpoint_agree(tmp_path, slug):
    log_path = tmp_path / "log.jsonl"
    source = GameSource(f"games/{slug}")
    pt = PlayThrough(source, seed=21, session_folder=str(tmp_path / "s"),
                     log_writer=LogWriter(str(log_path))).start()
    rnd = random.Random(21)
    for _ in range(6):
        role = [r for r in pt.roles_to_move() if pt.applicable(r)][0]
        op, args = bots.choose_move(pt, role, "random", rnd)
        pt.apply(Actor(role, "p"), op, args)
    cp = tmp_path / "cp.json"
    checkpoint.write(str(cp), checkpoint.snapshot(pt))
    for _ in range(3):
        if pt.ended:
            break
        role = [r for r in pt.roles_to_move() if pt.applicable(r)][0]
        op, args = bots.choose_move(pt, role, "random", rnd)
        pt.apply(Actor(role, "p"), op, args)
    expected, secret = pt.hashes[:], vars(pt.game.module).copy()
    pt.log.close()
    a = checkpoint.resume(source, str(log_path), session_folder=str(tmp_path / "a"))
    b = checkpoint.resume(source, str(log_path), str(cp), session_folder=str(tmp_path / "b"))
    assert a.hashes == expected and b.hashes == expected
    assert a.rng.getstate() == b.rng.getstate()
    for name in ("SECRET_AGE", "_ENVELOPE", "_HANDS"):
        if name in secret:
            assert getattr(a.game.module, name) == secret[name] == getattr(b.game.module, name)
    a.close()
    b.close()


def test_artifact_versions_continue_after_resume(tmp_path):
    source = GameSource("games/writing_exercise")
    log_path = tmp_path / "log.jsonl"
    pt = PlayThrough(source, seed=1, session_folder=str(tmp_path / "s"),
                     log_writer=LogWriter(str(log_path)),
                     artifacts_dir=str(tmp_path / "a")).start()
    write = next(o.index for o in views.operator_list(pt, 0)
                 if o.params and o.params[0]["type"] == "file_edit")
    pt.apply(Actor(0, "w"), write, ["first draft " * 10])
    pt.log.close()
    again = checkpoint.resume(source, str(log_path), session_folder=str(tmp_path / "s"),
                              artifacts_dir=str(tmp_path / "a"))
    again.apply(Actor(0, "w"), write, ["second draft " * 10])
    saved = [e for e in read_events(str(log_path)) if e["type"] == "artifact_saved"]
    assert [e["version"] for e in saved] == [1, 2]
    assert sorted(p.name for p in (tmp_path / "a").iterdir())[:2] == \
        ["v0001__draft.txt", "v0002__draft.txt"]
    again.close()
