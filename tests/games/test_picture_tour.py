"""Rules and view of Picture Tour."""
import collections
import copy
import importlib
import inspect
import pathlib
import random
import re
import sys

from tests.games.conftest import applicable, load_pff

SLUG = "picture_tour"
GAME_DIR = pathlib.Path(__file__).resolve().parents[2] / "games" / SLUG


def load_vis():
    if str(GAME_DIR) not in sys.path:
        sys.path.insert(0, str(GAME_DIR))
    return importlib.import_module("Picture_Tour_WSZ6_VIS")


def render(vis, state, role, base_url="/games/picture_tour/assets/"):
    params = inspect.signature(vis.render_state).parameters
    kwargs = {"role_num": role, "instance_data": None, "base_url": base_url}
    return vis.render_state(state, **{k: v for k, v in kwargs.items() if k in params})


def start(tmp_path):
    module, form = load_pff(SLUG)
    state = form.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0]})
    return module, form, state


def test_metadata_roles_and_start(tmp_path):
    module, form, state = start(tmp_path)
    assert form.metadata.name and form.metadata.brief_desc and form.metadata.problem_version
    assert [r.name for r in form.roles_spec.roles] == ["Tourist", "Observer"]
    assert state.visited == {"Harbor"} and isinstance(state.visited, set)
    names = [op.name for op in form.operators.operators]
    assert names[:6] == [f"Go to {p}" for p in module.PLACE_NAMES]
    assert names[6:] == ["Take photo", "Read the guidebook"]
    ops = applicable(form, state, 0)
    assert [names[i] for i in ops] == ["Go to Lighthouse", "Go to Market Square",
                                       "Take photo", "Read the guidebook"]
    assert applicable(form, state, 1) == []


def test_every_image_exists():
    module, _ = load_pff(SLUG)
    files = sorted(f for f, _, _ in module.PLACES.values())
    assert len(files) == 6
    for f in files:
        assert (GAME_DIR / "Picture_Tour_images" / f).read_text().startswith("<svg")


def test_random_playthroughs_terminate(tmp_path):
    vis = load_vis()
    outcomes = collections.Counter()
    for seed in range(50):
        random.seed(seed)
        rng = random.Random(seed)
        _, form, state = start(tmp_path)
        for _ in range(200):
            if state.is_goal():
                break
            ops = applicable(form, state, state.current_role_num)
            assert ops, f"stall at seed {seed}"
            op = form.operators.operators[rng.choice(ops)]
            before = copy.deepcopy(state.__dict__)
            new = op.state_xition_func(state)
            assert state.__dict__ == before, "transition mutated the old state"
            assert isinstance(new.visited, set) and isinstance(new.photos, set)
            assert isinstance(str(new), str)
            for role in (0, 1):
                assert isinstance(render(vis, new, role), str)
            state = new
        assert state.is_goal()
        assert applicable(form, state, 0) == []
        outcomes[state.is_win(0)] += 1
    assert outcomes[True] and outcomes[False], outcomes


def test_goal_reachable_within_budget(tmp_path):
    module, form, state = start(tmp_path)
    frontier, seen = [(state, 0)], {(state.current, frozenset(state.visited))}
    best = None
    while frontier and best is None:
        nxt = []
        for s, d in frontier:
            for i in applicable(form, s, 0)[:6]:
                if i >= 6:
                    continue
                t = form.operators.operators[i].state_xition_func(s)
                if t.all_visited():
                    best = d + 1
                    break
                key = (t.current, frozenset(t.visited))
                if key not in seen:
                    seen.add(key)
                    nxt.append((t, d + 1))
            if best:
                break
        frontier = nxt
    assert best is not None and best <= module.MAX_STEPS


def test_moves_follow_roads_and_photos_once(tmp_path):
    module, form, state = start(tmp_path)
    ops = form.operators.operators
    idx = {p: i for i, p in enumerate(module.PLACE_NAMES)}
    assert not ops[idx["Old Mill"]].precond_func(state)
    assert not ops[idx["Harbor"]].precond_func(state), "cannot go where you are"
    s1 = ops[idx["Market Square"]].state_xition_func(state)
    assert s1.current == "Market Square" and s1.visited == {"Harbor", "Market Square"}
    assert "new place" in s1.jit_transition.lower()
    s2 = ops[module.OP_PHOTO].state_xition_func(s1)
    assert s2.photos == {"Market Square"}
    assert not ops[module.OP_PHOTO].precond_func(s2)
    assert state.visited == {"Harbor"} and s1.photos == set()


def test_win_and_timeout(tmp_path):
    module, form, state = start(tmp_path)
    idx = {p: i for i, p in enumerate(module.PLACE_NAMES)}
    route = ["Lighthouse", "Castle Hill", "Market Square", "Old Mill", "Forest Lake"]
    for p in route:
        assert not state.is_goal()
        state = form.operators.operators[idx[p]].state_xition_func(state)
    assert state.is_goal() and state.is_win(0) and not state.is_draw()
    assert "Tour complete" in state.goal_message()
    _, form, s = start(tmp_path)
    for k in range(module.MAX_STEPS):
        assert not s.is_goal()
        s = form.operators.operators[idx["Lighthouse" if k % 2 == 0 else "Harbor"]] \
            .state_xition_func(s)
    assert s.is_goal() and not s.is_win(0) and "day is over" in s.goal_message()


def test_vis_uses_base_url_and_sorted_visited(tmp_path):
    module, form, state = start(tmp_path)
    idx = {p: i for i, p in enumerate(module.PLACE_NAMES)}
    for p in ["Market Square", "Castle Hill"]:
        state = form.operators.operators[idx[p]].state_xition_func(state)
    state = form.operators.operators[module.OP_PHOTO].state_xition_func(state)
    out = render(load_vis(), state, 0, base_url="/g/pt/")
    assert '<img src="/g/pt/Picture_Tour_images/castle.svg"' in out
    assert "Visited (3 of 6):</strong> Castle Hill, Harbor, Market Square" in out
    clickable = sorted(int(n) for n in re.findall(r'data-op-index="(\d+)"', out))
    assert clickable == sorted([idx["Lighthouse"], idx["Market Square"],
                                idx["Forest Lake"], module.OP_GUIDE])
