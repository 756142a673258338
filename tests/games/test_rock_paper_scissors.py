import copy
import importlib
import inspect
import random

from tests.games.conftest import applicable, load_pff

SLUG = "rock_paper_scissors"
THROWS = ("rock", "paper", "scissors")


def _new(tmp_path):
    mod, f = load_pff(SLUG)
    s = f.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0, 1]})
    return mod, f, s


def _render(state, role):
    vis = importlib.import_module("Rock_Paper_Scissors_WSZ6_VIS")
    kwargs = {"role_num": role} if "role_num" in inspect.signature(vis.render_state).parameters else {}
    return vis.render_state(state, **kwargs)


def _throw(f, s, role, what):
    return f.operators.operators[3 * role + THROWS.index(what)].state_xition_func(s)


def test_setup(tmp_path):
    mod, f, s = _new(tmp_path)
    assert [r.name for r in f.roles_spec.roles] == ["Player A", "Player B", "Observer"]
    assert f.roles_spec.min_players_to_start == 2
    ops = f.operators.operators
    assert [op.role for op in ops] == [0, 0, 0, 1, 1, 1]
    assert [op.name for op in ops][:3] == ["A plays rock", "A plays paper", "A plays scissors"]
    assert s.parallel is True and s.phase == "choose" and s.current_role_num == 0
    assert applicable(f, s, 0) == [0, 1, 2] and applicable(f, s, 1) == [3, 4, 5]
    assert all(not getattr(op, "allow_undo", False) for op in ops)


def _with_choice(s, role, what):
    """A copy of s where role's pending throw is replaced (to probe for leaks)."""
    c = copy.deepcopy(s)
    c.choices[role] = what
    return c


def _assert_no_leak(s):
    """Views of everyone but a pending thrower do not depend on that throw."""
    for role in (0, 1):
        if s.choices[role] is None:
            continue
        variants = [_with_choice(s, role, w) for w in THROWS]
        for viewer in (0, 1, 2, None):
            if viewer == role:
                continue
            if viewer is not None:
                assert len({v.text_view_for_role(viewer) for v in variants}) == 1
            assert len({_render(v, viewer) for v in variants}) == 1
        assert len({str(v) for v in variants}) == 1


def test_hidden_pending_choice(tmp_path):
    mod, f, s = _new(tmp_path)
    s1 = _throw(f, s, 0, "scissors")
    assert applicable(f, s1, 0) == [] and applicable(f, s1, 1) == [3, 4, 5]
    assert s1.parallel and s1.phase == "choose"
    assert "you chose scissors" in s1.text_view_for_role(0)
    for r in (1, 2):
        assert "scissors" not in s1.text_view_for_role(r)
    assert "scissors" not in str(s1) and "scissors" not in s1.jit_transition
    assert "has chosen" in s1.text_view_for_role(1)
    _assert_no_leak(s1)
    # A's vis shows its own throw and no buttons; B's vis shows B's buttons only
    ha, hb = _render(s1, 0), _render(s1, 1)
    assert "You chose <b>scissors</b>" in ha and "data-op-index" not in ha
    assert [f'data-op-index="{k}"' in hb for k in range(6)] == [False] * 3 + [True] * 3
    assert "data-op-index" not in _render(s1, 2)
    # B's pending choice is hidden from A as well
    s1b = _throw(f, s, 1, "paper")
    assert "paper" not in s1b.text_view_for_role(0)
    assert "You chose" not in _render(s1b, 0)
    _assert_no_leak(s1b)


def test_round_resolution_and_match(tmp_path):
    mod, f, s = _new(tmp_path)
    s = _throw(f, s, 0, "rock")
    s = _throw(f, s, 1, "scissors")
    assert s.history == [("rock", "scissors", 0)] and s.score == [1, 0]
    assert s.choices == [None, None]
    assert "Player A throws rock, Player B throws scissors" in s.jit_transition
    assert "rock crushes scissors" in s.jit_transition
    # past throws are public
    for r in (0, 1, 2):
        assert "A rock, B scissors" in s.text_view_for_role(r)
        assert "scissors" in _render(s, r)
    s = _throw(f, s, 1, "paper")
    s = _throw(f, s, 0, "paper")
    assert s.score == [1, 0] and "tie" in s.jit_transition and not s.is_goal()
    s = _throw(f, s, 0, "paper")
    s = _throw(f, s, 1, "rock")
    assert s.is_goal() and s.is_win(0) and not s.is_win(1) and not s.is_draw()
    assert s.parallel is False and s.phase == "over"
    assert "Player A wins the match (2-0 after 3 rounds)" in s.goal_message()
    assert applicable(f, s, 0) == [] and applicable(f, s, 1) == []


def test_round_cap_draw(tmp_path):
    mod, f, s = _new(tmp_path)
    for _ in range(8):
        s = _throw(f, s, 0, "rock")
        s = _throw(f, s, 1, "rock")
    assert not s.is_goal()
    s = _throw(f, s, 0, "rock")
    s = _throw(f, s, 1, "rock")
    assert s.is_goal() and s.is_draw() and "draw" in s.goal_message()
    mod, f, s = _new(tmp_path)
    s = _throw(f, s, 0, "rock")
    s = _throw(f, s, 1, "paper")
    for _ in range(8):
        s = _throw(f, s, 0, "rock")
        s = _throw(f, s, 1, "rock")
    assert s.is_goal() and s.is_win(1) and len(s.history) == 9


def test_random_playthroughs(tmp_path):
    mod, f, _ = _new(tmp_path)
    outcomes = set()
    for i in range(50):
        random.seed(i)
        s = f.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0, 1]})
        for _ in range(40):
            if s.is_goal():
                break
            assert s.parallel and s.phase == "choose"
            moves = [(r, k) for r in (0, 1) for k in applicable(f, s, r)]
            assert moves, "stall"
            r, k = random.choice(moves)
            assert f.operators.operators[k].role == r
            before = copy.deepcopy(s.__dict__)
            ns = f.operators.operators[k].state_xition_func(s)
            assert s.__dict__ == before
            s = ns
            # hidden views: the other role's pending throw never shows
            _assert_no_leak(s)
            for viewer in (0, 1, 2):
                assert isinstance(s.text_view_for_role(viewer), str)
                html = _render(s, viewer)
                assert isinstance(html, str) and "<script" not in html
        assert s.is_goal()
        assert s.is_draw() or s.is_win(0) or s.is_win(1)
        outcomes.add("draw" if s.is_draw() else s.is_win(0))
        assert isinstance(_render(s, None), str)
    assert outcomes >= {True, False}
