"""Rules of the Writing Exercise, played the way a host plays it."""
import copy
import importlib
import inspect
import os
import pathlib
import random
import sys

from tests.games.conftest import applicable, load_pff

SLUG = "writing_exercise"
GAME_DIR = pathlib.Path(__file__).resolve().parents[2] / "games" / SLUG
WORDS = "the river bends past old houses where children play and boats rest".split()


def random_text(rng):
    n = rng.choice([0, 10, 49, 50, 80, 200])
    body = " ".join(rng.choice(WORDS) for _ in range(n))
    return f"Title: Test\n\n{body}\n"


def fill(spec, rng, state):
    if spec["type"] == "file_edit":
        return random_text(rng)
    if spec["type"] == "int":
        return rng.randint(spec["min"], spec["max"])
    return " ".join(rng.choice(WORDS) for _ in range(3))


def specs_of(op, state):
    return op.params(state) if callable(op.params) else op.params


def load_vis():
    if str(GAME_DIR) not in sys.path:
        sys.path.insert(0, str(GAME_DIR))
    return importlib.import_module("Writing_Exercise_WSZ6_VIS")


def render(vis, state, role):
    params = inspect.signature(vis.render_state).parameters
    kwargs = {"role_num": role, "instance_data": None, "base_url": "/assets/"}
    return vis.render_state(state, **{k: v for k, v in kwargs.items() if k in params})


def start(tmp_path):
    module, form = load_pff(SLUG)
    state = form.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0]})
    return module, form, state


def test_metadata_and_roles(tmp_path):
    _, form, state = start(tmp_path)
    md = form.metadata
    for field in ("name", "brief_desc", "soluzion_version", "problem_version",
                  "authors", "creation_date"):
        assert getattr(md, field)
    assert [r.name for r in form.roles_spec.roles] == ["Writer", "Observer"]
    assert form.roles_spec.min_players_to_start == 1
    assert not state.is_goal()
    assert applicable(form, state, 0) == [0]
    assert applicable(form, state, 1) == []
    spec = form.operators.operators[0].params[0]
    assert spec["type"] == "file_edit" and spec["file_path"] == "draft.txt"
    assert spec["initial_text"].startswith("Title: ...")


def test_random_playthroughs_terminate(tmp_path):
    vis = load_vis()
    for seed in range(50):
        random.seed(seed)
        rng = random.Random(seed)
        _, form, state = start(tmp_path / str(seed))
        for _ in range(200):
            if state.is_goal():
                break
            ops = applicable(form, state, state.current_role_num)
            assert ops, f"stall at seed {seed}: {state}"
            i = rng.choice(ops)
            op = form.operators.operators[i]
            before = copy.deepcopy(state.__dict__)
            specs = specs_of(op, state)
            new = op.state_xition_func(state, [fill(s, rng, state) for s in specs]) \
                if specs else op.state_xition_func(state)
            assert state.__dict__ == before, "transition mutated the old state"
            assert isinstance(str(new), str)
            for role in (0, 1):
                assert isinstance(render(vis, new, role), str)
            state = new
        assert state.is_goal(), f"seed {seed} did not terminate"
        assert state.goal_message()


def test_draft_written_to_session_folder_and_counted(tmp_path):
    _, form, state = start(tmp_path)
    text = "Title: My Street\n\n" + "word " * 60
    s1 = form.operators.operators[0].state_xition_func(state, [text])
    assert s1.word_count == 63
    assert s1.draft == text
    assert (tmp_path / "draft.txt").read_text(encoding="utf-8") == text
    assert "63" in str(s1) and "63" in s1.jit_transition
    assert "63" in render(load_vis(), s1, 0)
    assert state.word_count == 0 and state.draft == ""


def test_submit_needs_fifty_words_and_a_new_draft(tmp_path):
    _, form, state = start(tmp_path)
    ops = form.operators.operators
    short = ops[0].state_xition_func(state, ["Title: x\n\n" + "a " * 40])
    assert 1 not in applicable(form, short, 0)
    ok = ops[0].state_xition_func(short, ["Title: x\n\n" + "a " * 50])
    assert applicable(form, ok, 0) == [0, 1]
    rev = ops[1].state_xition_func(ok)
    assert rev.phase == "review" and rev.review
    assert applicable(form, rev, 0) == [2, 3]
    back = ops[2].state_xition_func(rev)
    assert back.phase == "drafting"
    assert 1 not in applicable(form, back, 0), "the same draft cannot be reviewed twice"
    done = ops[3].state_xition_func(rev)
    assert done.is_goal() and "review" in done.goal_message()


def test_review_checklist_is_deterministic_and_useful():
    module, _ = load_pff(SLUG)
    good = ("Title: The Pier\n\n" + "The pier is long and grey. " * 8 + "\n\n"
            + "Fishermen gather there at dawn. " * 8 + "\n\n"
            + "It reminds me of my grandfather. " * 8 + "\n")
    checks = module.review_checklist(good)
    assert checks == module.review_checklist(good)
    assert checks[0][0] and checks[1][0] and checks[2][0]
    bad = module.review_checklist(module.INITIAL_TEXT)
    assert not bad[0][0] and not bad[-1][0]


def test_finish_after_max_drafts_without_review(tmp_path):
    module, form, state = start(tmp_path)
    for _ in range(module.MAX_DRAFTS):
        state = form.operators.operators[0].state_xition_func(state, ["too short"])
    assert applicable(form, state, 0) == [3]
    end = form.operators.operators[3].state_xition_func(state)
    assert end.is_goal() and "without a review" in end.goal_message()


def test_without_session_folder_nothing_is_written(tmp_path):
    _, form = load_pff(SLUG)
    state = form.initialize_problem({"active_roles": [0]})
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        form.operators.operators[0].state_xition_func(state, ["hello"])
    finally:
        os.chdir(cwd)
    assert not (tmp_path / "draft.txt").exists()


def test_vis_escapes_player_text(tmp_path):
    _, form, state = start(tmp_path)
    s = form.operators.operators[0].state_xition_func(state, ["<script>alert(1)</script>"])
    out = render(load_vis(), s, 0)
    assert "<script>alert" not in out and "&lt;script&gt;" in out
