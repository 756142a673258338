import copy
import importlib
import inspect
import random

from tests.games.conftest import applicable, load_pff

SLUG = "rift_mini"
PHASE_NEXT = {
    "ring_placement": {"movement"},
    "movement": {"line_processing"},
    "line_processing": {"line_processing", "territory_processing", "game_over"},
    "territory_processing": {"territory_processing", "ring_placement", "game_over"},
}


def _vis():
    load_pff(SLUG)  # puts the game folder on sys.path
    return importlib.import_module("Rift_Mini_WSZ6_VIS")


def _render(vis, state, role):
    params = inspect.signature(vis.render_state).parameters
    kwargs = {}
    if "role_num" in params:
        kwargs["role_num"] = role
    if "instance_data" in params:
        kwargs["instance_data"] = None
    if "base_url" in params:
        kwargs["base_url"] = "/static/games/rift_mini/"
    return vis.render_state(state, **kwargs)


def _new(tmp_path):
    mod, f = load_pff(SLUG)
    s = f.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0, 1]})
    return mod, f, s


def _ops(f):
    return f.operators.operators


def _name(op, s):
    return op.name(s) if callable(op.name) else op.name


def _play(f, seed, tmp_path, check=None):
    """Random play-through; returns (final state, list of (state, op index))."""
    random.seed(seed)
    s = f.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0, 1]})
    trace = []
    for _ in range(2000):
        if s.is_goal():
            return s, trace
        a = applicable(f, s, s.current_role_num)
        assert a, f"stall in phase {s.phase}"
        k = random.choice(a)
        if check:
            check(s, a, k)
        trace.append((s, k))
        s = _ops(f)[k].state_xition_func(s)
    raise AssertionError("play-through did not terminate")


def _board(mod, rows):
    """Build a state from 6 strings: . empty, R/B ring, r/b marker, X/Y collapsed Red/Blue."""
    code = {".": ".", "R": "S0", "B": "S1", "r": "M0", "b": "M1", "X": "C0", "Y": "C1"}
    s = mod.RiftMini_State()
    s.board = [[code[ch] for ch in row] for row in rows]
    return s


def test_metadata_roles_and_operators(tmp_path):
    mod, f, s = _new(tmp_path)
    assert f.metadata.name == "Rift Mini" and f.metadata.brief_desc
    for field in ("soluzion_version", "problem_version", "authors", "creation_date"):
        assert getattr(f.metadata, field)
    assert [r.name for r in f.roles_spec.roles] == ["Red", "Blue", "Observer"]
    assert f.roles_spec.min_players_to_start == 2
    ops = _ops(f)
    assert len(ops) == mod.N_OPERATORS == 417
    assert all(op.role is None and op.params == [] for op in ops)
    bk = [i for i, op in enumerate(ops) if op.bookkeeping]
    assert bk == list(mod.BOOKKEEPING_INDEXES)
    assert [_name(ops[i], s) for i in bk] == [
        "No placement possible", "No movement possible", "No line to collapse",
        "No region to claim"]
    assert not ops[mod.OP_SKIP].bookkeeping
    assert _name(ops[mod.OP_PLACE + 7], s) == "Place ring at (2,2)"
    assert _name(ops[mod.OP_MOVE + 8 * 7 + 2], s) == "Move stack (2,2) E"
    assert _name(ops[mod.OP_COLLAPSE], s) == "Collapse line (1,1)-(1,3)"
    assert s.phase == "ring_placement" and s.current_role_num == 0
    assert s.hand == [5, 5]
    # first move: only placements (no stack can move, so no skip)
    assert applicable(f, s, 0) == list(range(36))
    assert str(s) and s.text_view_for_role(2) == str(s)


def test_random_playthroughs_invariants_and_vis(tmp_path):
    mod, f, _ = _new(tmp_path)
    vis = _vis()
    ops = _ops(f)
    outcomes = set()

    def check(s, a, k):
        bk = [i for i in a if ops[i].bookkeeping]
        # a bookkeeping op is applicable exactly when it is the only op
        assert not bk or a == bk and len(bk) == 1, (s.phase, a)
        assert s.phase in mod.PHASES
        # every applicable op has role None (host gives it to the role to move)
        assert all(ops[i].role in (None, s.current_role_num) for i in a)

    for i in range(50):
        s, trace = _play(f, i, tmp_path, check)
        assert s.is_goal() and s.goal_message()
        outcomes.add("draw" if s.is_draw() else ("red" if s.is_win(0) else "blue"))
        assert s.is_draw() + s.is_win(0) + s.is_win(1) == 1
        assert not s.is_win(2)
        assert s.turn <= mod.MAX_TURNS
        # phases follow the fixed order, old states never mutated
        for (st, k), nxt in zip(trace, [t[0] for t in trace[1:]] + [s]):
            assert nxt.phase in PHASE_NEXT[st.phase], (st.phase, nxt.phase)
        for st, k in trace[::7]:
            before = copy.deepcopy(st.__dict__)
            ops[k].state_xition_func(st)
            assert st.__dict__ == before, "transition mutated old state"
        for st, _ in trace[::23] + [(s, None)]:
            for role in (0, 1, 2, None):
                html = _render(vis, st, role)
                assert isinstance(html, str) and html.startswith("<div")
    assert {"red", "blue"} <= outcomes


def test_bookkeeping_counts_over_30_games(tmp_path):
    mod, f, _ = _new(tmp_path)
    ops = _ops(f)
    turns = no_line = no_terr = no_place = skip_by_host = 0
    for i in range(30):
        s, trace = _play(f, 100 + i, tmp_path)
        for st, k in trace:
            if k == mod.OP_NO_LINE:
                no_line += 1
            elif k == mod.OP_NO_TERRITORY:
                no_terr += 1
            elif k == mod.OP_NO_PLACEMENT:
                no_place += 1
            if st.phase == "ring_placement":
                turns += 1
            if k == mod.OP_SKIP:
                assert not ops[k].bookkeeping
                # skip was a real choice: placing was possible at the same time
                assert any(i < 36 for i in applicable(f, st, st.current_role_num))
                skip_by_host += 1
    assert turns > 300
    assert no_line > turns * 0.6 and no_terr > turns * 0.8
    assert no_place > 0


def test_no_bookkeeping_alongside_decisions_exhaustive_sample(tmp_path):
    """For every state reached, check every role: only the role to move has ops."""
    mod, f, _ = _new(tmp_path)
    ops = _ops(f)
    for i in range(10):
        s, trace = _play(f, 500 + i, tmp_path)
        for st, _ in trace:
            a = applicable(f, st, st.current_role_num)
            assert a
            kinds = {ops[j].bookkeeping for j in a}
            assert kinds != {True, False}
            # the preconditions are tied to the phase: each op belongs to one phase
            if st.phase == "ring_placement":
                assert all(j <= mod.OP_NO_PLACEMENT for j in a)
            elif st.phase == "movement":
                assert all(mod.OP_MOVE <= j <= mod.OP_NO_MOVEMENT for j in a)
            elif st.phase == "line_processing":
                assert all(mod.OP_COLLAPSE <= j <= mod.OP_NO_LINE for j in a)
            else:
                assert all(mod.OP_CLAIM <= j <= mod.OP_NO_TERRITORY for j in a)
        assert applicable(f, s) == []     # nothing after the goal


def test_placement_movement_and_skip(tmp_path):
    mod, f, s = _new(tmp_path)
    ops = _ops(f)
    s1 = ops[mod.OP_PLACE + 6 * 2 + 3].state_xition_func(s)
    assert s1.board[2][3] == "S0" and s1.hand == [4, 5] and s1.phase == "movement"
    assert s.board[2][3] == "." and s.hand == [5, 5]
    a = applicable(f, s1, 0)
    assert len(a) == 8 and all(mod.OP_MOVE <= j < mod.OP_NO_MOVEMENT for j in a)
    east = mod.OP_MOVE + 8 * (6 * 2 + 3) + 2
    s2 = ops[east].state_xition_func(s1)
    assert s2.board[2][3] == "M0" and s2.board[2][4] == "S0"
    assert s2.phase == "line_processing"
    assert applicable(f, s2, 0) == [mod.OP_NO_LINE]
    s3 = ops[mod.OP_NO_LINE].state_xition_func(s2)
    assert applicable(f, s3, 0) == [mod.OP_NO_TERRITORY]
    s4 = ops[mod.OP_NO_TERRITORY].state_xition_func(s3)
    assert s4.current_role_num == 1 and s4.phase == "ring_placement" and s4.turn == 2
    # Blue has no stack: no skip
    assert mod.OP_SKIP not in applicable(f, s4, 1)
    s5 = ops[mod.OP_PLACE].state_xition_func(s4)
    s5 = ops[mod.OP_MOVE + 2].state_xition_func(s5)          # (0,0) east
    s5 = ops[mod.OP_NO_LINE].state_xition_func(s5)
    s5 = ops[mod.OP_NO_TERRITORY].state_xition_func(s5)
    # Red has a movable stack and rings: skip is a real choice next to placements
    a = applicable(f, s5, 0)
    assert mod.OP_SKIP in a and mod.OP_NO_PLACEMENT not in a and len(a) > 1
    s6 = ops[mod.OP_SKIP].state_xition_func(s5)
    assert s6.phase == "movement" and s6.hand == s5.hand


def test_no_placement_when_hand_empty(tmp_path):
    mod, f, _ = _new(tmp_path)
    s = _board(mod, ["R.....", "......", "......", "......", "......", "......"])
    s.hand = [0, 3]
    assert applicable(f, s, 0) == [mod.OP_NO_PLACEMENT]
    s2 = _board(mod, ["RBRBRB", "BRBRBR", "rbrbrb", "brbrbr", "XYXYXY", "YXYXYX"])
    assert applicable(f, s2, 0) == [mod.OP_NO_PLACEMENT]
    s3 = f.operators.operators[mod.OP_NO_PLACEMENT].state_xition_func(s2)
    assert applicable(f, s3, 0) == [mod.OP_NO_MOVEMENT]


def test_collapse_line_and_claim_region(tmp_path):
    mod, f, _ = _new(tmp_path)
    ops = _ops(f)
    s = _board(mod, ["rrrr..", "......", "......", "......", "..B...", "......"])
    s.phase = "line_processing"
    a = applicable(f, s, 0)
    assert [_name(ops[j], s) for j in a] == ["Collapse line (1,1)-(1,3)",
                                             "Collapse line (1,2)-(1,4)"]
    s2 = ops[a[1]].state_xition_func(s)
    assert s2.board[0][:4] == ["M0", "C0", "C0", "C0"]
    assert s2.scores() == [3, 0] and s2.phase == "territory_processing"
    assert "collapses" in s2.jit_transition
    # a walled-in corner region
    s = _board(mod, ["..X...", "..X...", "XX....", "......", "....b.", "....B."])
    s.phase = "territory_processing"
    a = applicable(f, s, 0)
    assert a == [mod.OP_CLAIM]
    assert _name(ops[mod.OP_CLAIM], s) == "Claim region 1: (1,1), (1,2), (2,1), (2,2)"
    assert applicable(f, s, 1) == [mod.OP_CLAIM]   # role None: the host gates by turn
    s.current_role_num = 1
    assert applicable(f, s, 1) == [mod.OP_NO_TERRITORY]  # not Blue's walls
    s.current_role_num = 0
    s2 = ops[mod.OP_CLAIM].state_xition_func(s)
    assert s2.scores() == [8, 0] and s2.is_goal() and s2.is_win(0) and not s2.is_win(1)
    assert "Red" in s2.goal_message()


def test_quiet_turns_end_the_game(tmp_path):
    mod, f, _ = _new(tmp_path)
    s = _board(mod, ["RBRBRB", "BRBRBR", "rbrbrb", "brbrbr", "XYXYXY", "YXYXYX"])
    s.hand = [0, 0]
    ops = _ops(f)
    seen = []
    while not s.is_goal():
        a = applicable(f, s, s.current_role_num)
        assert len(a) == 1 and ops[a[0]].bookkeeping
        seen.append(a[0])
        s = ops[a[0]].state_xition_func(s)
    assert seen == list(mod.BOOKKEEPING_INDEXES) * 2
    assert s.is_draw() and "whole turn" in s.goal_message()


def test_vis_clickables(tmp_path):
    mod, f, s = _new(tmp_path)
    vis = _vis()
    html = _render(vis, s, 0)
    assert html.count("data-op-index") == 36
    assert "Rift Mini board" in html
    assert "data-op-index" not in _render(vis, s, 1)     # not Blue's turn
    assert "data-op-index" not in _render(vis, s, 2)     # observer
    s1 = _ops(f)[mod.OP_PLACE + 14].state_xition_func(s)  # ring at (3,3)
    html = _render(vis, s1, 0)
    assert html.count("data-op-index") == 16              # 8 arrows + 8 targets
    assert f'data-op-index="{mod.OP_MOVE + 8 * 14}"' in html
