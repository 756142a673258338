"""Rules and Tier 2 scene of Click the Word."""
import copy
import importlib
import inspect
import json
import random
import re

from tests.games.conftest import applicable, load_pff

SLUG = "click_the_word"


def load_vis():
    load_pff(SLUG)  # puts the game folder on sys.path
    return importlib.import_module("Click_The_Word_WSZ6_VIS")


def render(vis, state, role):
    params = inspect.signature(vis.render_state).parameters
    kwargs = {"role_num": role, "instance_data": None, "base_url": "/assets/"}
    return vis.render_state(state, **{k: v for k, v in kwargs.items() if k in params})


def manifest(html_out):
    m = re.search(r'<script type="application/json" id="wsz6-regions">(.*?)</script>',
                  html_out, re.S)
    assert m, "no Tier 2 manifest"
    return json.loads(m.group(1))


def start(tmp_path, seed=0):
    random.seed(seed)
    module, form = load_pff(SLUG)
    state = form.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0]})
    return module, form, state


def test_metadata_roles_and_operators(tmp_path):
    module, form, state = start(tmp_path)
    assert form.metadata.name and form.metadata.authors
    assert [r.name for r in form.roles_spec.roles] == ["Reader", "Observer"]
    ops = form.operators.operators
    assert len(ops) == module.MAX_WORDS + 1
    n = len(state.words())
    assert applicable(form, state, 0) == list(range(n)) + [module.OP_SKIP]
    assert applicable(form, state, 1) == []
    assert ops[0].name(state) == f"Choose word 1: {state.words()[0]}"
    assert len(state.rounds) == 5 and len({k for k, _ in state.rounds}) == 5


def test_rounds_depend_on_seed_only(tmp_path):
    assert start(tmp_path, 7)[2].rounds == start(tmp_path, 7)[2].rounds
    assert len({tuple(start(tmp_path, s)[2].rounds) for s in range(10)}) > 1


def test_random_playthroughs_terminate(tmp_path):
    vis = load_vis()
    for seed in range(50):
        _, form, state = start(tmp_path, seed)
        rng = random.Random(seed)
        moves = 0
        while not state.is_goal():
            ops = applicable(form, state, state.current_role_num)
            assert ops, f"stall at seed {seed}"
            op = form.operators.operators[rng.choice(ops)]
            before = copy.deepcopy(state.__dict__)
            new = op.state_xition_func(state)
            assert state.__dict__ == before, "transition mutated the old state"
            for role in (0, 1):
                assert isinstance(render(vis, new, role), str)
            assert isinstance(str(new), str)
            state, moves = new, moves + 1
        assert moves == 5 and 0 <= state.score <= 5
        assert applicable(form, state, 0) == []
        assert "scored" in state.goal_message()


def test_scoring_correct_and_wrong(tmp_path):
    module, form, state = start(tmp_path, 3)
    sentence = module.PARSED[state.rounds[0][0]]
    target = state.target()
    right = next(i for i, (_, t) in enumerate(sentence) if module.POS_NAMES.get(t) == target)
    wrong = next(i for i, (_, t) in enumerate(sentence) if module.POS_NAMES.get(t) != target)
    good = form.operators.operators[right].state_xition_func(state)
    assert good.score == 1 and good.round == 1 and good.jit_transition.startswith("Yes!")
    bad = form.operators.operators[wrong].state_xition_func(state)
    assert bad.score == 0 and bad.round == 1 and "Not quite" in bad.jit_transition
    skipped = form.operators.operators[module.OP_SKIP].state_xition_func(state)
    assert skipped.score == 0 and skipped.results[-1][3] is True
    assert state.round == 0 and state.results == []


def test_manifest_regions(tmp_path):
    module, form, state = start(tmp_path, 5)
    out = render(load_vis(), state, 0)
    data = manifest(out)
    assert set(data) == {"container_id", "scene_width", "scene_height", "regions"}
    assert (data["scene_width"], data["scene_height"]) == (800, 300)
    assert f'<div id="{data["container_id"]}"' in out
    shapes = [r["shape"] for r in data["regions"]]
    assert {"rect", "circle", "polygon"} <= set(shapes)
    assert any("info" in r and "op_index" not in r for r in data["regions"])
    words = state.words()
    word_regions = [r for r in data["regions"] if r["shape"] == "rect" and "op_index" in r]
    assert [r["op_index"] for r in word_regions] == list(range(len(words)))
    assert [r["hover_label"] for r in word_regions] == words
    allowed = set(applicable(form, state, 0))
    for r in data["regions"]:
        if "op_index" in r:
            assert r["op_index"] in allowed
        if r["shape"] == "rect":
            assert 0 <= r["x"] and r["x"] + r["w"] <= 800 and 0 <= r["y"] and r["y"] + r["h"] <= 300
        elif r["shape"] == "circle":
            assert {"cx", "cy", "r"} <= set(r)
        else:
            assert all(0 <= x <= 800 and 0 <= y <= 300 for x, y in r["points"])
    skip = next(r for r in data["regions"] if r["shape"] == "polygon")
    assert skip["op_index"] == module.OP_SKIP


def test_word_boxes_do_not_overlap_controls():
    module, _ = load_pff(SLUG)
    vis = load_vis()
    for sentence in module.PARSED:
        for x, y, w, h in vis.layout([w for w, _ in sentence]):
            assert x >= 0 and x + w <= 790 and y + h < vis.SCORE["y"]


def test_views_do_not_reveal_word_classes(tmp_path):
    module, form, state = start(tmp_path, 11)
    view = state.text_view_for_role(0)
    others = set(module.POS_NAMES.values()) - {state.target()}
    assert not any(name in view for name in others)
    assert "/N" not in view and "/V" not in view and "/A" not in view
    assert str(state) == view
    out = render(load_vis(), state, 0)
    assert not any(name in out.replace(module.HINTS[state.target()], "") for name in others)
