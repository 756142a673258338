import copy
import importlib
import inspect
import random
from collections import deque

from tests.games.conftest import applicable, load_pff

SLUG = "missionaries"


def _new(tmp_path):
    mod, f = load_pff(SLUG)
    s = f.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0]})
    return mod, f, s


def _render(state, role):
    vis = importlib.import_module("Missionaries_WSZ6_VIS")
    kwargs = {"role_num": role} if "role_num" in inspect.signature(vis.render_state).parameters else {}
    return vis.render_state(state, **kwargs)


def test_setup(tmp_path):
    mod, f, s = _new(tmp_path)
    assert f.metadata.name and "boat" in f.metadata.brief_desc
    assert [r.name for r in f.roles_spec.roles] == ["Solver"]
    assert len(f.operators.operators) == 5
    assert isinstance(s.d, dict) and isinstance(s.d["left"], dict)
    assert s.d == {"left": {"M": 3, "C": 3}, "right": {"M": 0, "C": 0}, "boat": "left"}
    # MM would leave 1M with 3C on the left: unsafe. MC, CC, C are fine; M leaves 2M,3C.
    assert applicable(f, s, 0) == [1, 2, 4]


def test_whole_state_space_has_no_dead_ends(tmp_path):
    mod, f, s0 = _new(tmp_path)
    seen = {s0}
    queue = deque([(s0, 0)])
    goal_depth = None
    while queue:
        s, depth = queue.popleft()
        if s.is_goal():
            goal_depth = depth if goal_depth is None else min(goal_depth, depth)
            assert applicable(f, s, 0) == []
            continue
        ops = applicable(f, s, 0)
        assert ops, f"dead end at {s}"
        for k in ops:
            before = copy.deepcopy(s.d)
            ns = f.operators.operators[k].state_xition_func(s)
            assert s.d == before
            for side in ("left", "right"):
                b = ns.d[side]
                assert b["M"] == 0 or b["M"] >= b["C"]
            assert ns.d["left"]["M"] + ns.d["right"]["M"] == 3
            if ns not in seen:
                seen.add(ns)
                queue.append((ns, depth + 1))
    assert goal_depth == 11


def test_random_playthroughs(tmp_path):
    mod, f, _ = _new(tmp_path)
    for i in range(50):
        random.seed(i)
        s = f.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0]})
        steps = 0
        while not s.is_goal():
            ops = applicable(f, s, 0)
            assert ops
            s = f.operators.operators[random.choice(ops)].state_xition_func(s)
            steps += 1
            assert steps < 20000
            if steps % 25 == 0:
                assert isinstance(str(s), str) and isinstance(_render(s, 0), str)
        assert s.crossings == steps
        assert "Solved" in s.goal_message()
        assert "Everyone is across" in s.jit_transition
        assert isinstance(_render(s, 0), str)


def test_optimal_solution(tmp_path):
    mod, f, s = _new(tmp_path)
    # indexes: 0 MM, 1 MC, 2 CC, 3 M, 4 C
    for k in [2, 4, 2, 4, 0, 1, 0, 4, 2, 4, 2]:
        assert k in applicable(f, s, 0), (k, str(s))
        s = f.operators.operators[k].state_xition_func(s)
    assert s.is_goal() and s.crossings == 11
    assert "shortest possible" in s.goal_message()


def test_vis_buttons(tmp_path):
    mod, f, s = _new(tmp_path)
    html = _render(s, 0)
    for k in applicable(f, s, 0):
        assert f'data-op-index="{k}"' in html
    assert 'data-op-index="0"' not in html
    assert "<script" not in html
