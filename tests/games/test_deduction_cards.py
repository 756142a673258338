import copy
import importlib
import inspect
import random
import re

from tests.games.conftest import applicable, load_pff

SLUG = "deduction_cards"
SEATINGS = ([0, 1, 2], [0, 2, 3, 5], [0, 1, 2, 3, 4, 5], [1, 4, 5], [2, 3, 4, 5, 6])


def _vis():
    load_pff(SLUG)  # puts the game folder on sys.path
    return importlib.import_module("Deduction_Cards_WSZ6_VIS")


def _render(vis, state, role):
    params = inspect.signature(vis.render_state).parameters
    kwargs = {}
    if "role_num" in params:
        kwargs["role_num"] = role
    if "instance_data" in params:
        kwargs["instance_data"] = None
    if "base_url" in params:
        kwargs["base_url"] = "/static/games/deduction_cards/"
    return vis.render_state(state, **kwargs)


def _init(f, tmp_path, active):
    return f.initialize_problem({"session_folder": str(tmp_path), "active_roles": active})


def _ops(f):
    return f.operators.operators


def _play(f, seed, tmp_path, active, pick=None):
    random.seed(seed)
    s = _init(f, tmp_path, active)
    trace = []
    for _ in range(3000):
        if s.is_goal():
            return s, trace
        a = applicable(f, s, s.current_role_num)
        assert a, f"stall in phase {s.phase}"
        bk = [i for i in a if _ops(f)[i].bookkeeping]
        assert not bk or a == bk == [36], (s.phase, a)
        k = pick(s, a) if pick else random.choice(a)
        trace.append((s, k))
        s = _ops(f)[k].state_xition_func(s)
    raise AssertionError("play-through did not terminate")


def _legit(mod, state, role):
    """Cards whose location or mention the viewer may legitimately see."""
    known = set()
    for e in state.history:
        known.update(e["cards"])                       # suggestions/accusations are public
    known.update(state.suggestion)
    known.update(state.accusation)
    if state.is_goal():
        known.update(mod._ENVELOPE)                    # revealed at the end
    if role in state.active:
        known.update(mod._HANDS[role])
        for e in state.history:
            if e["kind"] == "suggestion" and e.get("shown_by") is not None:
                shower, suggester, card = mod._SHOWN[e["k"]]
                if role in (shower, suggester):
                    known.add(card)
    return known


def _names_in(mod, text):
    return {c for c in mod.CARDS if c in text}


def _permuted_secrets(mod, state, role, rng):
    """Another deal consistent with everything `role` knows (non-interference)."""
    fixed = set(mod._HANDS.get(role, []))
    for e in state.history:
        if e["kind"] == "suggestion" and e.get("shown_by") is not None:
            sh, sg, card = mod._SHOWN[e["k"]]
            if role in (sh, sg):
                fixed.add(card)
    perm = {}
    for cards in mod.CATEGORY_CARDS:
        free = [c for c in cards if c not in fixed]
        shuffled = free[:]
        rng.shuffle(shuffled)
        perm.update(zip(free, shuffled))
    m = lambda c: perm.get(c, c)
    hands = {r: sorted((m(c) for c in h), key=mod.CARDS.index) for r, h in mod._HANDS.items()}
    shown = {k: (sh, sg, card if role in (sh, sg) else m(card))
             for k, (sh, sg, card) in mod._SHOWN.items()}
    return tuple(m(c) for c in mod._ENVELOPE), hands, shown


def test_metadata_roles_operators(tmp_path):
    mod, f = load_pff(SLUG)
    assert f.metadata.name == "Deduction Cards" and f.metadata.brief_desc
    for field in ("soluzion_version", "problem_version", "authors", "creation_date"):
        assert getattr(f.metadata, field)
    names = [r.name for r in f.roles_spec.roles]
    assert names == [f"Detective {i}" for i in range(1, 7)] + ["Observer"]
    assert f.roles_spec.min_players_to_start == 3 and f.roles_spec.max_players == 7
    ops = _ops(f)
    assert len(ops) == 60
    assert all(op.role is None and op.params == [] for op in ops)
    assert [i for i, op in enumerate(ops) if op.bookkeeping] == [mod.OP_CANNOT_SHOW]
    assert ops[0].name == "Suggest suspect Countess Amber"
    assert ops[6].name == "Suggest weapon Silver Dagger"
    assert ops[12].name == "Suggest room Library"
    assert ops[18 + 17].name == "Show card Wine Cellar"
    assert ops[36].name == "Cannot show"
    assert ops[37].name == "Accuse with current suggestion"
    assert ops[41].name == "Accuse suspect Countess Amber"
    assert ops[59].name == "Cancel accusation"


def test_deal_and_public_state(tmp_path):
    mod, f = load_pff(SLUG)
    random.seed(3)
    s = _init(f, tmp_path, [0, 2, 3, 6])        # the Observer (6) is not dealt cards
    assert s.active == [0, 2, 3]
    env = mod._ENVELOPE
    assert [mod.card_category(c) for c in env] == ["suspect", "weapon", "room"]
    dealt = sorted(c for h in mod._HANDS.values() for c in h)
    assert sorted(dealt + list(env)) == sorted(mod.CARDS)
    assert sorted(len(h) for h in mod._HANDS.values()) == [5, 5, 5]
    # the state holds no secret at all
    assert not _names_in(mod, repr(vars(s)))
    assert s.current_role_num == 0 and s.phase == "pick_suspect"
    # deterministic given the seed
    hands, env0 = copy.deepcopy(mod._HANDS), env
    random.seed(3)
    _init(f, tmp_path, [0, 2, 3])
    assert mod._HANDS == hands and mod._ENVELOPE == env0
    # default seating
    s = f.initialize_problem({"session_folder": str(tmp_path)})
    assert s.active == [0, 1, 2]


def test_random_playthroughs_terminate_and_render(tmp_path):
    mod, f = load_pff(SLUG)
    vis = _vis()
    ends = set()
    for i in range(50):
        active = SEATINGS[i % len(SEATINGS)]
        s, trace = _play(f, i, tmp_path, active)
        assert s.goal_message() and s.revealed == list(mod._ENVELOPE)
        assert s.is_draw() or any(s.is_win(r) for r in s.active)
        assert sum(s.is_win(r) for r in range(7)) <= 1
        ends.add(s.end_reason.split(" ")[0])
        for st, k in trace[::5]:
            before = copy.deepcopy(st.__dict__)
            shown_before = dict(mod._SHOWN)
            _ops(f)[k].state_xition_func(st)
            assert st.__dict__ == before, "transition mutated old state"
            mod._SHOWN.clear()
            mod._SHOWN.update(shown_before)
        for st, _ in trace[::9] + [(s, None)]:
            for role in list(st.active) + [6, None]:
                html = _render(vis, st, role)
                assert isinstance(html, str) and html.startswith("<div")
                assert str(st) and st.text_view_for_role(role)
    assert len(ends) >= 2


def test_no_leaks_in_text_views_and_vis(tmp_path):
    mod, f = load_pff(SLUG)
    vis = _vis()
    rng = random.Random(99)
    checked = 0

    def cautious(s, a):      # play longer games: rarely accuse
        quiet = [k for k in a if k not in (mod.OP_ACCUSE_CURRENT, mod.OP_ACCUSE_NOW,
                                           mod.OP_ACCUSE_OTHER)]
        return random.choice(quiet if quiet and random.random() < 0.9 else a)

    for i in range(12):
        active = SEATINGS[i % len(SEATINGS)]
        s, trace = _play(f, 1000 + i, tmp_path, active, pick=cautious)
        for st in [t[0] for t in trace[::3]] + [s]:
            for role in list(st.active) + [6, None]:
                legit = _legit(mod, st, role)
                text = st.text_view_for_role(role)
                assert _names_in(mod, text) <= legit, (role, _names_in(mod, text) - legit)
                assert _names_in(mod, str(st)) <= _legit(mod, st, None)
                html = _render(vis, st, role)
                hand = re.search(r'data-section="hand".*?(?=<b style="font-size:14px">Notebook)',
                                 html, re.S)
                if role in st.active:
                    assert _names_in(mod, hand.group(0)) == set(mod._HANDS[role])
                else:
                    assert hand is None
                if st.is_goal():
                    continue
                # non-interference: another deal consistent with the viewer's
                # knowledge must give the very same text view and vis
                saved = (mod._ENVELOPE, mod._HANDS, mod._SHOWN)
                try:
                    mod._ENVELOPE, mod._HANDS, mod._SHOWN = _permuted_secrets(mod, st, role, rng)
                    assert st.text_view_for_role(role) == text
                    assert _render(vis, st, role) == html
                finally:
                    mod._ENVELOPE, mod._HANDS, mod._SHOWN = saved
                checked += 1
    assert checked > 300


def test_two_loaded_modules_keep_separate_globals(tmp_path):
    m1, f1 = load_pff(SLUG)
    m2, f2 = load_pff(SLUG)
    assert m1 is not m2 and m1.__name__ != m2.__name__
    random.seed(1)
    s1 = _init(f1, tmp_path, [0, 1, 2])
    random.seed(2)
    s2 = _init(f2, tmp_path, [0, 1, 2])
    assert m1._HANDS != m2._HANDS
    h1 = copy.deepcopy(m1._HANDS)
    # operators of each formulation read their own module's globals
    for f, m, s in ((f1, m1, s1), (f2, m2, s2)):
        st = s
        for k in (0, 6, 12):
            st = _ops(f)[k].state_xition_func(st)
        assert st.phase == "respond" and st.current_role_num == 1
        expect = [mod_card for mod_card in st.suggestion if mod_card in m._HANDS[1]]
        got = [_ops(f)[i].name[len("Show card "):] for i in applicable(f, st, 1)
               if i != m.OP_CANNOT_SHOW]
        assert sorted(got) == sorted(expect)
    assert m1._HANDS == h1
    # the vis looks the hand up through sys.modules[type(state).__module__]
    vis = _vis()
    assert type(s1).__module__ == m1.__name__
    html1 = _render(vis, s1, 0)
    hand_part = html1.split('data-section="hand"')[1].split("Notebook")[0]
    assert _names_in(m1, hand_part) == set(m1._HANDS[0])


def _rigged(mod, f, tmp_path, active=(0, 1, 2)):
    random.seed(0)
    s = _init(f, tmp_path, list(active))
    mod._ENVELOPE = ("Madame Frost", "Iron Wrench", "Wine Cellar")
    mod._HANDS = {0: ["Countess Amber", "Doctor Birch", "Silver Dagger", "Lead Pipe", "Library"],
                  1: ["Captain Cobalt", "Poison Vial", "Old Revolver", "Kitchen", "Greenhouse"],
                  2: ["Professor Dune", "Reverend Ember", "Rope Coil", "Ballroom", "Observatory"]}
    mod._SHOWN = {}
    return s


def _apply(f, s, k):
    a = applicable(f, s, s.current_role_num)
    assert k in a, (k, a, s.phase)
    return _ops(f)[k].state_xition_func(s)


def test_suggestion_showing_and_cannot_show(tmp_path):
    mod, f = load_pff(SLUG)
    s = _rigged(mod, f, tmp_path)
    # Detective 1 suggests Professor Dune, Poison Vial, Wine Cellar
    s = _apply(f, s, 3)
    s = _apply(f, s, 6 + 2)
    s = _apply(f, s, 12 + 5)
    assert "suggests Professor Dune with the Poison Vial in the Wine Cellar" in s.jit_transition
    assert s.phase == "respond" and s.current_role_num == 1
    show_vial = mod.OP_SHOW + mod.CARDS.index("Poison Vial")
    assert applicable(f, s, 1) == [show_vial]          # a real move, not bookkeeping
    s2 = _apply(f, s, show_vial)
    assert s2.phase == "decide" and s2.current_role_num == 0
    assert "Poison Vial" not in s2.jit_transition and "shows a card" in s2.jit_transition
    assert mod._SHOWN[1] == (1, 0, "Poison Vial")
    assert "Poison Vial (by Detective 2" in s2.text_view_for_role(0)
    assert "Poison Vial to Detective 1" in s2.text_view_for_role(1)
    assert "Poison Vial" not in s2.text_view_for_role(2).replace(
        "Professor Dune with the Poison Vial in the Wine Cellar", "")
    assert sorted(applicable(f, s2, 0)) == [mod.OP_ACCUSE_CURRENT, mod.OP_END_TURN,
                                           mod.OP_ACCUSE_OTHER]
    s3 = _apply(f, s2, mod.OP_END_TURN)
    assert s3.current_role_num == 1 and s3.phase == "pick_suspect"
    # Detective 2 suggests cards nobody else holds: both others cannot show
    s = _apply(f, s3, 5)            # Madame Frost
    s = _apply(f, s, 6 + 5)         # Iron Wrench
    s = _apply(f, s, 12 + 1)        # Kitchen (own card)
    assert s.current_role_num == 2
    assert applicable(f, s, 2) == [mod.OP_CANNOT_SHOW]
    s = _apply(f, s, mod.OP_CANNOT_SHOW)
    assert s.current_role_num == 0 and applicable(f, s, 0) == [mod.OP_CANNOT_SHOW]
    s = _apply(f, s, mod.OP_CANNOT_SHOW)
    assert s.phase == "decide" and s.current_role_num == 1
    assert "nobody could disprove" in s.jit_transition
    assert s.history[-1]["passed"] == [2, 0] and s.history[-1]["shown_by"] is None


def test_accusations_elimination_and_win(tmp_path):
    mod, f = load_pff(SLUG)
    s = _rigged(mod, f, tmp_path)
    # Detective 1 accuses right away, wrongly
    s = _apply(f, s, mod.OP_ACCUSE_NOW)
    assert s.phase == "accuse_suspect"
    s = _apply(f, s, mod.OP_CANCEL)
    assert s.phase == "pick_suspect" and s.cancel_used
    s = _apply(f, s, mod.OP_ACCUSE_NOW)
    assert mod.OP_CANCEL not in applicable(f, s, 0)   # only once per turn
    s = _apply(f, s, 41 + 0)
    s = _apply(f, s, 47 + 0)
    s = _apply(f, s, 53 + 0)
    assert s.eliminated == [0] and "wrong" in s.jit_transition
    assert s.current_role_num == 1 and not s.is_goal()
    # Detective 2 suggests one of Detective 1's cards: the eliminated player still shows
    s = _apply(f, s, 0)
    s = _apply(f, s, 6 + 4)
    s = _apply(f, s, 12 + 3)
    assert s.current_role_num == 2
    s = _apply(f, s, mod.OP_SHOW + mod.CARDS.index("Rope Coil"))
    assert s.current_role_num == 1
    s = _apply(f, s, mod.OP_END_TURN)
    assert s.current_role_num == 2          # Detective 1 is skipped from now on
    s = _apply(f, s, 5)
    s = _apply(f, s, 6 + 5)
    s = _apply(f, s, 12 + 5)                # the envelope
    assert s.current_role_num == 0           # eliminated, still asked
    assert applicable(f, s, 0) == [mod.OP_CANNOT_SHOW]
    s = _apply(f, s, mod.OP_CANNOT_SHOW)
    s = _apply(f, s, mod.OP_CANNOT_SHOW)
    s = _apply(f, s, mod.OP_ACCUSE_CURRENT)
    assert s.is_goal() and s.is_win(2) and not s.is_win(1) and not s.is_draw()
    assert "Detective 3 wins" in s.goal_message()
    assert s.revealed == ["Madame Frost", "Iron Wrench", "Wine Cellar"]
    assert applicable(f, s) == []


def test_last_detective_standing_and_round_cap(tmp_path):
    mod, f = load_pff(SLUG)
    s = _rigged(mod, f, tmp_path)
    for who in (0, 1):
        assert s.current_role_num == who
        s = _apply(f, s, mod.OP_ACCUSE_NOW)
        for k in (41, 47, 53):
            s = _apply(f, s, k)
    assert s.is_goal() and s.is_win(2) and "Everybody else" in s.goal_message()
    # the round cap ends the game in a draw
    s = _rigged(mod, f, tmp_path)
    turns = 0
    while not s.is_goal():
        for k in (0, 6, 12):
            s = _apply(f, s, k)
        while s.phase == "respond":
            s = _apply(f, s, applicable(f, s, s.current_role_num)[0])
        s = _apply(f, s, mod.OP_END_TURN)
        turns += 1
    assert turns == mod.ROUNDS_CAP * 3 and s.is_draw() and "went cold" in s.goal_message()


def test_vis_interaction_attributes(tmp_path):
    mod, f = load_pff(SLUG)
    vis = _vis()
    s = _rigged(mod, f, tmp_path)
    html = _render(vis, s, 0)
    for k in range(6):
        assert f'data-op-index="{k}"' in html
    assert f'data-op-index="{mod.OP_ACCUSE_NOW}"' in html
    assert "data-info=" in html and "data-context=" in html
    assert '"op_index": 0' in html.replace("&quot;", '"')     # right-click "Suggest ..."
    other = _render(vis, s, 1)
    assert "data-op-index" not in other and "Waiting for Detective 1" in other
    assert "data-op-index" not in _render(vis, s, 6)
    s = _apply(f, s, 3)
    s = _apply(f, s, 8)
    s = _apply(f, s, 17)
    html = _render(vis, s, 1)
    assert f'data-op-index="{mod.OP_SHOW + mod.CARDS.index("Poison Vial")}"' in html


def test_an_accusation_reads_without_doubled_punctuation():
    mod, _ = load_pff(SLUG)
    cards = [mod.SUSPECTS[0], mod.WEAPONS[0], mod.ROOMS[0]]
    for correct in (True, False):
        text = mod.event_text({"kind": "accusation", "by": 0, "cards": cards,
                               "correct": correct})
        assert "!." not in text and ".." not in text and text.endswith((".", "!")), text
