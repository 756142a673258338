"""What each role sees: text views, vis HTML, operator lists, hidden information."""
import json
import pathlib
import textwrap
import types

import pytest

from engine import views
from engine.loader import GameSource
from engine.playthrough import Actor, PlayThrough

ROOT = pathlib.Path(__file__).resolve().parents[2]
GAMES = ROOT / "games"
FIXTURES = ROOT / "tests" / "fixtures" / "games"


@pytest.fixture
def play():
    made = []

    def make(folder, seed=0, **kw):
        pt = PlayThrough(GameSource(folder), seed=seed, **kw)
        made.append(pt)
        return pt
    yield make
    for pt in made:
        pt.close()


# --- text views ------------------------------------------------------------------------------

class WithView:
    def text_view_for_role(self, role):
        return f"view for role {role}"

    def __str__(self):
        return "plain str"


class OnlyStr:
    def __str__(self):
        return "only str"


class RaisingView:
    def text_view_for_role(self, role):
        raise KeyError(role)

    def __str__(self):
        return "never used"


class RaisingStr:
    def __str__(self):
        raise RuntimeError("no str")


class NonStrView:
    def text_view_for_role(self, role):
        return ["a", role]


def test_text_view_uses_text_view_for_role_with_the_role():
    assert views.text_view(WithView(), 0) == "view for role 0"
    assert views.text_view(WithView(), 3) == "view for role 3"


def test_text_view_falls_back_to_str():
    assert views.text_view(OnlyStr(), 1) == "only str"


@pytest.mark.parametrize("state", [RaisingView(), RaisingStr()], ids=type)
def test_text_view_exceptions_become_a_message_not_a_crash(state):
    text = views.text_view(state, 0)
    assert "could not describe this state" in text
    assert "never used" not in text


def test_text_view_converts_non_strings():
    assert views.text_view(NonStrView(), 2) == "['a', 2]"


def test_text_view_of_a_state_without_str_still_gives_text(play):
    pt = play(FIXTURES / "odd_names")
    assert isinstance(views.role_view(pt, 0).text, str)


# --- vis: only declared kwargs, fallback to text --------------------------------------------------

def _vis(fn):
    return types.SimpleNamespace(render_state=fn)


def test_vis_gets_only_the_kwargs_it_declares():
    seen = {}

    def only_state(state):
        seen["only_state"] = True
        return "<p>s</p>"

    def with_role(state, role_num=None):
        seen["role"] = role_num
        return "<p>r</p>"

    def with_base(state, base_url):
        seen["base"] = base_url
        return "<p>b</p>"

    def with_instance(state, instance_data=None, role_num=None):
        seen["inst"] = (instance_data, role_num)
        return "<p>i</p>"

    assert views.render_vis(_vis(only_state), object(), 1, "ID", "/u/") == "<p>s</p>"
    assert views.render_vis(_vis(with_role), object(), 1, "ID", "/u/") == "<p>r</p>"
    assert views.render_vis(_vis(with_base), object(), 1, "ID", "/u/") == "<p>b</p>"
    assert views.render_vis(_vis(with_instance), object(), 2, "ID", "/u/") == "<p>i</p>"
    assert seen == {"only_state": True, "role": 1, "base": "/u/", "inst": ("ID", 2)}


def test_vis_with_var_kwargs_gets_all_of_them():
    got = {}

    def render(state, **kwargs):
        got.update(kwargs)
        return "<p/>"
    views.render_vis(_vis(render), object(), 4, "ID", "/b/")
    assert got == {"role_num": 4, "instance_data": "ID", "base_url": "/b/"}


def test_vis_exception_or_non_string_gives_none():
    def boom(state):
        raise ValueError("x")
    assert views.render_vis(_vis(boom), object(), 0) is None
    assert views.render_vis(_vis(lambda s: 42), object(), 0) is None
    assert views.render_vis(None, object(), 0) is None
    assert views.render_vis(types.SimpleNamespace(), object(), 0) is None


def test_role_view_falls_back_to_escaped_text_when_vis_and_view_raise(play):
    pt = play(FIXTURES / "raising")
    rv = views.role_view(pt, 0, base_url="/g/raising/")
    assert rv.vis_html is None
    assert "could not describe this state" in rv.text
    assert rv.html.startswith('<pre class="text-view">')
    assert "could not describe this state" in rv.html


def test_text_as_html_escapes_markup():
    html = views.text_as_html("<script>alert(1)</script> & co")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html


def test_vis_html_is_used_when_it_works(play):
    pt = play(GAMES / "tic_tac_toe")
    rv = views.role_view(pt, 0, base_url="/g/ttt/")
    assert rv.vis_html is not None and rv.html == rv.vis_html
    assert "<svg" in rv.html or "<div" in rv.html


def test_vis_kwargs_fixture_receives_base_url_not_role(play):
    pt = play(FIXTURES / "vis_kwargs")
    rv = views.role_view(pt, 0, base_url="/assets/vis_kwargs/")
    assert rv.vis_html == '<img data-n="0" src="/assets/vis_kwargs/Vis_Kwargs_images/board.png">'


def test_vis_kwargs_all_fixture_receives_every_kwarg(play):
    pt = play(FIXTURES / "vis_kwargs_all")
    rv = views.role_view(pt, 0, base_url="/b/")
    data = json.loads(rv.vis_html[len("<pre>"):-len("</pre>")])
    assert data == {"keys": ["base_url", "instance_data", "role_num"], "role_num": 0,
                    "base_url": "/b/", "marker": "INSTANCE-DATA"}


# --- operators as a role sees them -----------------------------------------------------------------

CALLABLE_GAME = '''
import soluzion6_02 as sz


class S(sz.SZ_State):
    def __init__(self, old=None):
        self.n = 0 if old is None else old.n
        self.current_role_num = 0

    def is_goal(self):
        return self.n >= 50


def _add(s, args):
    news = S(old=s)
    news.n += args[0]
    return news


def _params(s):
    return [{"name": "amount", "type": "int", "min": 1, "max": s.n + 3}]


def _bad_params(s):
    raise RuntimeError("cannot describe")


class F(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = sz.SZ_Metadata(name="callables")
        self.operators = sz.SZ_Operator_Set([
            sz.SZ_Operator(lambda s: f"Add to {s.n}", "adds", lambda s: True, _add,
                           params=_params),
            sz.SZ_Operator(lambda s: 1 / 0, "bad name", lambda s: True, _add, params=_bad_params),
        ])

    def initialize_problem(self, config={}):
        return S()


GAME = F()
'''


def test_callable_operator_names_and_params_are_resolved(tmp_path, play):
    folder = tmp_path / "callables"
    folder.mkdir()
    (folder / "Callables_SZ6.py").write_text(textwrap.dedent(CALLABLE_GAME))
    pt = play(folder)
    ops = views.operator_list(pt, 0)
    assert ops[0].name == "Add to 0"
    assert ops[0].params == [{"name": "amount", "type": "int", "min": 1, "max": 3}]
    assert ops[1].name == "<lambda>"              # a failing name still gives a label
    assert ops[1].params == []
    pt.apply(Actor(0, "p"), 0, ["3"])
    ops = views.operator_list(pt, 0)
    assert ops[0].name == "Add to 3"
    assert ops[0].params[0]["max"] == 6
    assert pt.moves[-1]["op_name"] == "Add to 0"  # the name when the move was made
    assert pt.moves[-1]["args"] == [3]


def test_operator_list_marks_applicability_per_role_in_turns(play):
    pt = play(GAMES / "tic_tac_toe")
    x_ops = views.operator_list(pt, 0)
    o_ops = views.operator_list(pt, 1)
    assert [o.index for o in x_ops] == list(range(9))
    assert all(o.applicable for o in x_ops)
    assert not any(o.applicable for o in o_ops)         # not O's turn
    assert x_ops[4].name == "Place X at (2,2)"
    pt.apply(Actor(0, "x"), 4, [])
    x_ops = views.operator_list(pt, 0)
    o_ops = views.operator_list(pt, 1)
    assert not any(o.applicable for o in x_ops)
    assert [o.index for o in o_ops if o.applicable] == [0, 1, 2, 3, 5, 6, 7, 8]
    assert o_ops[0].name == "Place O at (1,1)"
    assert not any(o.applicable for o in views.operator_list(pt, 2))   # observer


def test_operator_list_shows_only_the_roles_own_operators(play):
    pt = play(GAMES / "rock_paper_scissors")
    a = views.operator_list(pt, 0)
    b = views.operator_list(pt, 1)
    assert [o.index for o in a] == [0, 1, 2] and all(o.applicable for o in a)
    assert [o.index for o in b] == [3, 4, 5] and all(o.applicable for o in b)
    assert views.operator_list(pt, 2) == []             # the observer has no moves
    pt.apply(Actor(0, "a"), 0, [])
    assert not any(o.applicable for o in views.operator_list(pt, 0))   # already chose
    assert all(o.applicable for o in views.operator_list(pt, 1))


def test_precondition_exception_shows_as_not_applicable(play):
    pt = play(FIXTURES / "raising")
    ops = {o.name: o for o in views.operator_list(pt, 0)}
    assert ops["Bad precondition"].applicable is False
    assert ops["Step"].applicable is True


def test_role_view_carries_the_play_through_version(play):
    pt = play(GAMES / "tic_tac_toe")
    v0 = views.role_view(pt, 0).version
    pt.apply(Actor(0, "x"), 0, [])
    assert views.role_view(pt, 0).version == v0 + 1


# --- hidden information ------------------------------------------------------------------------------

def _fingerprint(pt, role):
    rv = views.role_view(pt, role, base_url="/g/rps/")
    return rv.text, rv.vis_html, [o.as_dict() for o in rv.operators]


@pytest.mark.parametrize("viewer", [0, 2])
def test_rps_pending_choice_of_b_never_reaches_another_role(viewer, play):
    prints = {}
    for b_op, throw in ((3, "rock"), (4, "paper"), (5, "scissors")):
        pt = play(GAMES / "rock_paper_scissors")
        pt.apply(Actor(1, "b"), b_op, [])
        assert pt.state.choices[1] == throw          # it is in the state ...
        prints[throw] = _fingerprint(pt, viewer)
        text, vis, _ = prints[throw]
        assert f"chose {throw}" not in text       # ... but not in another role's view
        assert f"you chose {throw}" in views.role_view(pt, 1).text
    # Whatever B threw, the other role sees exactly the same page.
    assert prints["rock"] == prints["paper"] == prints["scissors"]


def test_rps_views_after_a_first_choice_of_a(play):
    pt = play(GAMES / "rock_paper_scissors")
    pt.apply(Actor(0, "a"), 2, [])                   # A: scissors
    b_text = views.role_view(pt, 1).text
    assert "scissors" not in b_text
    assert "has chosen" in b_text
    assert "you chose scissors" in views.role_view(pt, 0).text


# --- what a watcher is shown -------------------------------------------------------------------

def test_no_role_is_no_roles_number_and_indexes_nothing():
    assert views.NO_ROLE is not None and views.NO_ROLE != -1
    assert isinstance(views.NO_ROLE, int)
    for hands in ([["a"], ["b"]], ["x"] * 64):
        with pytest.raises(IndexError):
            hands[views.NO_ROLE]
    assert {0: "hand"}.get(views.NO_ROLE) is None
    assert views.NO_ROLE not in range(1000)


def test_a_watcher_is_given_the_games_observer_role(play):
    pt = play(FIXTURES / "secret_hands")
    assert [r.num for r in pt.roles if r.observer] == [3]
    watcher = views.role_view(pt, None)
    assert watcher.role is None
    assert watcher.html == views.role_view(pt, 3).html
    for view in (watcher.html, watcher.text):
        assert "secret card" not in view.lower()
    # the players themselves still see their hands
    assert "secret card" in views.role_view(pt, 0).html
    assert "Your secret cards" in views.role_view(pt, 0).text


def secret_hands_copy(tmp_path, vis_source, observer=True):
    import shutil
    folder = tmp_path / "secret_hands"
    shutil.copytree(FIXTURES / "secret_hands", folder)
    (folder / "Secret_Hands_WSZ6_VIS.py").write_text(textwrap.dedent(vis_source))
    if not observer:
        pff = folder / "Secret_Hands_SZ6.py"
        pff.write_text(pff.read_text().replace(
            '        self.roles.append(sz.SZ_Role("Observer", "Watches the public side."))\n', ""))
    return folder


def test_a_watcher_of_a_game_without_observer_role_gets_no_role(tmp_path, play):
    pt = play(secret_hands_copy(tmp_path, """
        def render_state(state, role_num=None):
            return f"<p>{role_num!r} {type(role_num).__name__}</p>"
    """, observer=False))
    assert not any(r.observer for r in pt.roles)
    assert views.role_view(pt, None).html == "<p>NO_ROLE NoRole</p>"
    assert views.role_view(pt, 1).html == "<p>1 int</p>"


def test_a_vis_that_raises_for_watchers_falls_back_to_a_notice_not_the_state(play):
    pt = play(FIXTURES / "watcher_raises")
    secrets = [h[0] for h in pt.state.hands]
    assert all(s in str(pt.state) for s in secrets)      # the developer's dump has them
    watcher = views.role_view(pt, None)
    assert watcher.vis_html is None
    assert watcher.text == views.NO_PICTURE
    assert not any(s in watcher.html or s in watcher.text for s in secrets)
    north = views.role_view(pt, 0)
    assert secrets[0] in north.html and secrets[1] not in north.html


def test_a_failing_vis_falls_back_to_the_games_own_text_view_for_that_role(tmp_path, play):
    pt = play(secret_hands_copy(tmp_path, """
        def render_state(state, role_num=None):
            return 1 / 0
    """))
    hands = pt.state.hands
    mine = views.role_view(pt, 1)
    assert mine.vis_html is None and "Your secret cards: " + ", ".join(hands[1]) in mine.html
    watcher = views.role_view(pt, None)
    assert "Asks so far" in watcher.html
    assert not any(card in watcher.html for hand in hands.values() for card in hand)


def test_a_state_without_str_or_view_gives_a_notice_not_its_fields(play):
    pt = play(FIXTURES / "odd_names")
    text = views.role_view(pt, 0).text
    assert text == views.NO_VIEW or "=" not in text


@pytest.mark.parametrize("name, observer", [
    ("Observer", True), ("spectators", True), ("The Audience", True), ("Watcher 1", True),
    ("Player", False), ("Observatory keeper", False)])
def test_observer_roles_are_named_like_one(name, observer):
    from engine.playthrough import read_roles
    formulation = types.SimpleNamespace(
        roles_spec=types.SimpleNamespace(roles=[types.SimpleNamespace(name="P"),
                                                types.SimpleNamespace(name=name)]),
        operators=None)
    assert read_roles(formulation)[1].observer is observer


def test_an_observer_named_role_with_moves_of_its_own_is_a_player():
    from engine.playthrough import read_roles
    ops = types.SimpleNamespace(operators=[types.SimpleNamespace(role=1)])
    roles = types.SimpleNamespace(roles=[types.SimpleNamespace(name="P"),
                                         types.SimpleNamespace(name="Watcher")])
    formulation = types.SimpleNamespace(roles_spec=roles, operators=ops)
    assert read_roles(formulation)[1].observer is False
    declared = types.SimpleNamespace(roles=[types.SimpleNamespace(name="P"),
                                            types.SimpleNamespace(name="Ghost", observer=True)])
    assert read_roles(types.SimpleNamespace(roles_spec=declared))[1].observer is True


AFTER_END_GAME = '''
import soluzion6_02 as sz


class S(sz.SZ_State):
    def __init__(self, old=None):
        self.n = 0 if old is None else old.n
        self.current_role_num = 0

    def is_goal(self):
        return self.n >= 1


def _probe(s, args):
    news = S(old=s)
    news.n += 1
    return news


class F(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = sz.SZ_Metadata(name="probe")
        self.operators = sz.SZ_Operator_Set([sz.SZ_Operator(
            "Probe", "", lambda s: True, _probe,
            params=[{"name": "x", "type": "int", "min": 0, "max": 9}])])

    def initialize_problem(self, config={}):
        return S()


GAME = F()
'''


def test_no_move_is_applicable_after_the_end_whatever_the_preconditions_say(tmp_path, play):
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "Probe_SZ6.py").write_text(AFTER_END_GAME)
    pt = play(folder)
    assert [o.applicable for o in views.operator_list(pt, 0)] == [True]
    pt.apply(Actor(0, "p"), 0, [3])
    assert pt.ended == "goal"
    assert [o.applicable for o in views.operator_list(pt, 0)] == [False]


def test_read_only_goes_only_to_a_vis_that_names_it():
    got = {}

    def named(state, role_num=None, read_only=False):
        got["named"] = read_only
        return "<p/>"

    def open_ended(state, **kwargs):
        got["open"] = dict(kwargs)
        return "<p/>"
    views.render_vis(_vis(named), object(), 0, read_only=True)
    views.render_vis(_vis(open_ended), object(), 0, read_only=True)
    assert got["named"] is True and "read_only" not in got["open"]
    views.render_vis(_vis(named), object(), 0)
    assert got["named"] is False
