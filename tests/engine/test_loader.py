"""Loading SOLUZION6 game folders: PFF discovery, private module loads, versions."""
import pathlib
import shutil
import sys
import textwrap

import pytest

from engine import checkpoint
from engine.loader import (BASE_MODULE_NAME, GameLoadError, GameSource, find_formulation,
                           find_pff, version_hash)
from engine.playthrough import Actor, PlayThrough

ROOT = pathlib.Path(__file__).resolve().parents[2]
GAMES = ROOT / "games"
FIXTURES = ROOT / "tests" / "fixtures" / "games"

MINIMAL_PFF = '''
import soluzion6_02 as sz


class S(sz.SZ_State):
    def __init__(self, old=None):
        self.n = 0 if old is None else old.n

    def is_goal(self):
        return self.n >= 3


def _step(s):
    news = S(old=s)
    news.n += 1
    return news


class F(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = sz.SZ_Metadata(name="minimal")
        self.operators = sz.SZ_Operator_Set([sz.SZ_Operator("Step", "", lambda s: True, _step)])

    def initialize_problem(self, config={}):
        return S()


THE_GAME = F()
'''


def write_files(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


# --- which file is the PFF ----------------------------------------------------

def test_pff_named_after_the_folder_slug_wins(tmp_path):
    folder = write_files(tmp_path / "my_game", {
        "Aaa_SZ6.py": "", "my_game.py": "", "helpers.py": ""})
    assert find_pff(folder).name == "my_game.py"


def test_pff_named_slug_sz6_matches_case_insensitively(tmp_path):
    folder = write_files(tmp_path / "my-game", {
        "Aaa_SZ6.py": "", "My_Game_SZ6.py": "", "aaa.py": ""})
    assert find_pff(folder).name == "My_Game_SZ6.py"


def test_the_single_sz6_file_is_the_pff(tmp_path):
    folder = write_files(tmp_path / "whatever", {
        "aaa_helpers.py": "", "Zed_SZ6.py": "", "Zed_WSZ6_VIS.py": ""})
    assert find_pff(folder).name == "Zed_SZ6.py"


def test_else_the_first_py_that_is_not_a_vis_module(tmp_path):
    folder = write_files(tmp_path / "whatever", {
        "Aaa_WSZ6_VIS.py": "", "__init__.py": "", f"{BASE_MODULE_NAME}.py": "",
        "bbb.py": "", "ccc.py": ""})
    assert find_pff(folder).name == "bbb.py"


def test_a_folder_without_python_files_is_refused(tmp_path):
    folder = write_files(tmp_path / "empty", {"README.md": "hi", "Only_WSZ6_VIS.py": ""})
    with pytest.raises(GameLoadError, match="no problem formulation file"):
        GameSource(folder)


def test_odd_names_fixture_finds_its_pff_and_no_vis():
    source = GameSource(FIXTURES / "odd_names")
    assert source.pff_path.name == "game_main.py"
    assert source.vis_path is None
    assert source.slug == "odd_names"


# --- formulation by duck typing ------------------------------------------------

def test_formulation_found_by_duck_typing_not_by_class_or_name():
    loaded = GameSource(FIXTURES / "odd_names").load()
    try:
        f = loaded.formulation
        assert type(f).__name__ == "Problem"       # a plain class, not SZ_Formulation
        assert f is loaded.module.PROBLEM
    finally:
        loaded.unload()


def test_a_class_with_the_right_attributes_is_not_a_formulation(tmp_path):
    folder = write_files(tmp_path / "klass", {"klass.py": '''
        class Looks:
            metadata = 1
            operators = 2

            def initialize_problem(self, config={}):
                return None
        '''})
    with pytest.raises(GameLoadError, match="defines no formulation"):
        GameSource(folder).load()


# --- every load is a fresh, registered, private module --------------------------

def test_each_load_is_a_distinct_module_registered_until_unload():
    source = GameSource(GAMES / "tic_tac_toe")
    a, b = source.load(), source.load()
    try:
        assert a.module is not b.module
        assert a.module_name != b.module_name
        assert sys.modules[a.module_name] is a.module
        assert sys.modules[b.module_name] is b.module
        assert a.formulation is not b.formulation
        a.unload()
        assert a.module_name not in sys.modules
        assert sys.modules[b.module_name] is b.module     # the other load lives on
    finally:
        a.unload()
        b.unload()
    assert b.module_name not in sys.modules


def test_state_classes_live_in_the_registered_module():
    pt = PlayThrough(GameSource(GAMES / "tic_tac_toe"), seed=1)
    try:
        assert sys.modules[type(pt.state).__module__] is pt.game.module
    finally:
        pt.close()
    assert type(pt.state).__module__ not in sys.modules


def _secret_and_pt(source, seed):
    pt = PlayThrough(source, seed=seed)
    return pt.game.module.SECRET_AGE, pt


def test_two_play_throughs_never_share_a_secret_in_module_globals():
    source = GameSource(GAMES / "guess_my_age")
    first_secret, first = _secret_and_pt(source, 1)
    others = []
    try:
        for seed in range(2, 60):
            secret, pt = _secret_and_pt(source, seed)
            others.append(pt)
            if secret != first_secret:
                break
        else:
            pytest.fail("no seed gave another secret age")
        assert first.game.module.SECRET_AGE == first_secret    # not overwritten
        events = first.apply(Actor(0, "p"), 0, [first_secret])
        assert first.ended == "goal", events
        assert "Correct" in events[0]["message"]
        # The other play-through's secret is still its own.
        events = pt.apply(Actor(0, "p"), 0, [first_secret])
        assert pt.ended is None
        assert "Correct" not in events[0]["message"]
    finally:
        first.close()
        for pt in others:
            pt.close()


def test_file_is_the_real_path_and_games_read_files_next_to_it():
    source = GameSource(FIXTURES / "odd_names")
    pt = PlayThrough(source, seed=0)
    try:
        assert pathlib.Path(pt.game.module.__file__) == source.pff_path
        assert source.pff_path.is_file()
        assert pt.state.left == ["apple", "banana", "cherry"]     # read data/words.txt
    finally:
        pt.close()


def test_helper_modules_imported_by_bare_name_are_private_per_load():
    source = GameSource(FIXTURES / "odd_names")
    a = PlayThrough(source, seed=0)
    b = PlayThrough(source, seed=0)
    try:
        assert a.state.load_count == 1 and b.state.load_count == 1
        assert a.game.module.helpers is not b.game.module.helpers
        assert "helpers" not in sys.modules
        a.apply(Actor(0, "p"), 0, [])
        a.apply(Actor(0, "p"), 0, [])
        assert a.state.load_count == 3
        b.apply(Actor(0, "p"), 0, [])
        assert b.state.load_count == 2          # not 4: a's helper counter is a's own
    finally:
        a.close()
        b.close()


def test_helper_imported_lazily_inside_a_transition_works(tmp_path):
    folder = write_files(tmp_path / "lazy", {
        "lazy_helper.py": "VALUE = 41\n",
        "Lazy_SZ6.py": MINIMAL_PFF.replace(
            "    news.n += 1\n",
            "    import lazy_helper\n    news.n += 1\n    news.value = lazy_helper.VALUE + 1\n")})
    pt = PlayThrough(GameSource(folder), seed=0)
    try:
        pt.apply(Actor(0, "p"), 0, [])
        assert pt.state.value == 42
    finally:
        pt.close()


# --- a bundled base module -------------------------------------------------------

def test_bundled_base_module_is_used_by_that_game_only():
    ours = sys.modules.get(BASE_MODULE_NAME)
    bundled = PlayThrough(GameSource(FIXTURES / "bundled_base"), seed=0)
    try:
        assert bundled.state.bundled is True
        assert getattr(bundled.game.module.sz, "BUNDLED", False) is True
        assert bundled.game.module.sz.__file__ == str(FIXTURES / "bundled_base" /
                                                       "soluzion6_02.py")
        # The shared base module is back in place afterwards ...
        assert not hasattr(sys.modules[BASE_MODULE_NAME], "BUNDLED")
        if ours is not None:
            assert sys.modules[BASE_MODULE_NAME] is ours
        # ... and a later load of another game gets ours, not the bundled copy.
        other = GameSource(GAMES / "tic_tac_toe").load()
        try:
            assert not hasattr(other.module.sz, "BUNDLED")
            assert other.module.sz.__file__.endswith("engine/sz6/soluzion6_02.py")
        finally:
            other.unload()
    finally:
        bundled.close()


def test_a_second_load_of_the_bundled_game_also_gets_its_copy():
    source = GameSource(FIXTURES / "bundled_base")
    a, b = source.load(), source.load()
    try:
        assert a.module.sz.BUNDLED is True and b.module.sz.BUNDLED is True
    finally:
        a.unload()
        b.unload()


def test_checkpoint_restores_objects_of_the_bundled_base_classes():
    source = GameSource(FIXTURES / "bundled_base")
    pt = PlayThrough(source, seed=0)
    pt2 = PlayThrough(source, seed=0)
    try:
        checkpoint.restore(pt2, checkpoint.snapshot(pt))
        assert type(pt2.state.badge) is pt2.game.module.sz.SZ_Common_Data
    finally:
        pt.close()
        pt2.close()


# --- version hash -------------------------------------------------------------------

def test_version_hash_changes_with_any_file_and_only_then(tmp_path):
    game = tmp_path / "tic_tac_toe"
    shutil.copytree(GAMES / "tic_tac_toe", game,
                    ignore=shutil.ignore_patterns("__pycache__"))
    h0 = version_hash(game)
    assert h0 == version_hash(game)

    copy = tmp_path / "elsewhere" / "tic_tac_toe"
    shutil.copytree(game, copy)
    assert version_hash(copy) == h0                  # independent of where it lives

    # Loading and playing (which may write __pycache__) does not change it.
    pt = PlayThrough(GameSource(game), seed=0)
    pt.apply(Actor(0, "p"), 4, [])
    pt.close()
    assert GameSource(game).version == h0

    readme = game / "README.md"
    original = readme.read_bytes()
    readme.write_bytes(original + b" ")
    assert version_hash(game) != h0                  # a non-Python file counts too
    readme.write_bytes(original)
    assert version_hash(game) == h0

    vis = game / "Tic_Tac_Toe_WSZ6_VIS.py"
    text = vis.read_text()
    vis.write_text(text.replace("def render_state", "def  render_state", 1))
    assert version_hash(game) != h0
    vis.write_text(text)
    assert version_hash(game) == h0

    (game / "images").mkdir()
    (game / "images" / "new.png").write_bytes(b"\x89PNG")
    h_new = version_hash(game)
    assert h_new != h0
    (game / "images" / "new.png").rename(game / "images" / "renamed.png")
    assert version_hash(game) not in (h0, h_new)     # a rename counts


# --- broken games ---------------------------------------------------------------------

def test_syntax_error_in_pff_gives_a_clear_game_load_error(tmp_path):
    folder = write_files(tmp_path / "broken", {"Broken_SZ6.py": "def oops(:\n    pass\n"})
    before = set(sys.modules)
    with pytest.raises(GameLoadError) as info:
        GameSource(folder).load()
    message = str(info.value)
    assert "Broken_SZ6.py" in message and "SyntaxError" in message
    assert not [n for n in set(sys.modules) - before if "broken" in n]


def test_import_of_a_missing_package_names_the_package(tmp_path):
    folder = write_files(tmp_path / "needs_pkg", {
        "Needs_Pkg_SZ6.py": "import no_such_package_xyz123\n" + MINIMAL_PFF})
    before = set(sys.modules)
    with pytest.raises(GameLoadError) as info:
        GameSource(folder).load()
    message = str(info.value)
    assert "no_such_package_xyz123" in message
    assert "ModuleNotFoundError" in message
    assert not [n for n in set(sys.modules) - before if "needs_pkg" in n]
    assert str(folder) not in sys.path


def test_a_pff_without_formulation_is_refused(tmp_path):
    folder = write_files(tmp_path / "nothing", {"Nothing_SZ6.py": "X = 1\n"})
    with pytest.raises(GameLoadError, match="Nothing_SZ6.py defines no formulation"):
        GameSource(folder).load()


def test_a_path_that_is_not_a_folder_is_refused(tmp_path):
    with pytest.raises(GameLoadError, match="not a folder"):
        GameSource(tmp_path / "missing")


def test_minimal_game_from_tmp_folder_loads_and_plays(tmp_path):
    folder = write_files(tmp_path / "minimal", {"Minimal_SZ6.py": MINIMAL_PFF})
    pt = PlayThrough(GameSource(folder), seed=0)
    try:
        for _ in range(3):
            pt.apply(Actor(0, "p"), 0, [])
        assert pt.ended == "goal"
        assert find_formulation(pt.game.module) is pt.formulation
    finally:
        pt.close()


# --- memory ---------------------------------------------------------------------------

@pytest.mark.parametrize("folder", [GAMES / "tic_tac_toe", FIXTURES / "odd_names",
                                    FIXTURES / "pff_sets_vis", FIXTURES / "bundled_base"],
                         ids=lambda p: p.name)
def test_300_loads_and_unloads_leave_sys_modules_the_same_size(folder):
    source = GameSource(folder)
    source.load().unload()            # first load may import stdlib modules once
    size = len(sys.modules)
    path_len = len(sys.path)
    for _ in range(300):
        source.load().unload()
    assert len(sys.modules) == size
    assert len(sys.path) == path_len
