import copy
import importlib
import inspect
import random

from tests.games.conftest import applicable, load_pff

SLUG = "tic_tac_toe"


def _vis():
    load_pff(SLUG)  # puts the game folder on sys.path
    return importlib.import_module("Tic_Tac_Toe_WSZ6_VIS")


def _render(vis, state, role):
    params = inspect.signature(vis.render_state).parameters
    kwargs = {}
    if "role_num" in params:
        kwargs["role_num"] = role
    return vis.render_state(state, **kwargs)


def _new(tmp_path):
    mod, f = load_pff(SLUG)
    s = f.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0, 1]})
    return mod, f, s


def test_metadata_and_roles(tmp_path):
    mod, f, s = _new(tmp_path)
    assert f.metadata.name and f.metadata.brief_desc
    names = [r.name for r in f.roles_spec.roles]
    assert names == ["X", "O", "Observer"]
    assert f.roles_spec.min_players_to_start == 2
    assert len(f.operators.operators) == 9
    assert all(op.role is None for op in f.operators.operators)
    assert s.current_role_num == 0 and not s.is_goal()
    assert applicable(f, s, 0) == list(range(9))


def test_random_playthroughs(tmp_path):
    mod, f, _ = _new(tmp_path)
    vis = _vis()
    outcomes = set()
    for i in range(50):
        random.seed(i)
        s = f.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0, 1]})
        for _ in range(20):
            if s.is_goal():
                break
            role = s.current_role_num
            ops = applicable(f, s, role)
            assert ops, "stall"
            k = random.choice(ops)
            before = copy.deepcopy(s.__dict__)
            name = f.operators.operators[k].name(s)
            assert name.startswith("Place " + "XO"[role])
            news = f.operators.operators[k].state_xition_func(s)
            assert s.__dict__ == before, "transition mutated old state"
            s = news
            for r in (0, 1, 2, None):
                assert isinstance(_render(vis, s, r), str)
        assert s.is_goal()
        assert isinstance(s.goal_message(), str)
        assert s.is_draw() or s.is_win(0) or s.is_win(1)
        assert not (s.is_win(0) and s.is_win(1))
        assert applicable(f, s, 0) == [] and applicable(f, s, 1) == []
        outcomes.add("draw" if s.is_draw() else ("X" if s.is_win(0) else "O"))
    assert outcomes == {"draw", "X", "O"}


def _play(f, s, cells):
    for r, c in cells:
        s = f.operators.operators[3 * r + c].state_xition_func(s)
    return s


def test_win_and_turns(tmp_path):
    mod, f, s = _new(tmp_path)
    s = _play(f, s, [(0, 0)])
    assert s.current_role_num == 1 and s.board[0][0] == "X"
    assert 0 not in applicable(f, s, 1)
    s = _play(f, s, [(1, 0), (0, 1)])
    assert "threatens" in s.jit_transition
    s = _play(f, s, [(1, 1)])
    s = _play(f, s, [(0, 2)])
    assert s.is_goal() and s.is_win(0) and not s.is_win(1) and not s.is_draw()
    assert s.win_line == ((0, 0), (0, 1), (0, 2))
    assert "X wins" in s.jit_transition and "X wins" in s.goal_message()
    html = _render(_vis(), s, 1)
    assert "data-op-index" not in html  # game over: nothing clickable
    assert "#f1c40f" in html  # winning line highlighted


def test_draw(tmp_path):
    mod, f, s = _new(tmp_path)
    s = _play(f, s, [(0, 0), (0, 1), (0, 2), (1, 1), (1, 0), (1, 2), (2, 1), (2, 0), (2, 2)])
    assert s.is_goal() and s.is_draw() and not s.is_win(0) and not s.is_win(1)
    assert "draw" in s.goal_message()


def test_block_message(tmp_path):
    mod, f, s = _new(tmp_path)
    s = _play(f, s, [(0, 0), (1, 1), (0, 1)])
    s = _play(f, s, [(0, 2)])
    assert "blocks" in s.jit_transition


def test_vis_clickable_cells(tmp_path):
    mod, f, s = _new(tmp_path)
    vis = _vis()
    s = _play(f, s, [(1, 1)])
    html_o = _render(vis, s, 1)
    assert html_o.count("data-op-index=") == 8
    assert 'data-op-index="4"' not in html_o
    assert "<script" not in html_o and "http://" not in html_o.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    # the player not to move and observers get no clickable cells
    assert "data-op-index" not in _render(vis, s, 0)
    assert "data-op-index" not in _render(vis, s, 2)


def test_rows_and_columns_are_numbered_from_one_and_the_loser_is_not_congratulated(tmp_path):
    mod, f, s = _new(tmp_path)
    ops = f.operators.operators
    assert ops[0].name(s) == "Place X at (1,1)" and "row 1, column 1" in ops[0].description
    assert ops[8].name(s) == "Place X at (3,3)"
    for i in (0, 3, 1, 4):
        s = ops[i].state_xition_func(s)
    assert "plays (2,2)" in s.jit_transition
    s = ops[2].state_xition_func(s)
    assert s.is_goal() and "Well played" not in s.goal_message()
    vis = _vis()
    fresh = _new(tmp_path)[2]
    assert "Place X at (1,1)" in _render(vis, fresh, 0) and "(0,0)" not in _render(vis, fresh, 0)
