"""Rules and Tier 2 scene of Pixel Probe."""
import copy
import importlib
import inspect
import json
import pathlib
import random
import re

from PIL import Image

from tests.games.conftest import applicable, load_pff

SLUG = "pixel_probe"


def load_vis():
    load_pff(SLUG)  # puts the game folder on sys.path
    return importlib.import_module("Pixel_Probe_WSZ6_VIS")


def render(vis, state, role, base_url="/assets/"):
    params = inspect.signature(vis.render_state).parameters
    kwargs = {"role_num": role, "instance_data": None, "base_url": base_url}
    return vis.render_state(state, **{k: v for k, v in kwargs.items() if k in params})


def manifest(out):
    m = re.search(r'<script type="application/json" id="wsz6-regions">(.*?)</script>', out, re.S)
    assert m, "no Tier 2 manifest"
    return json.loads(m.group(1))


def start(tmp_path, seed=0):
    random.seed(seed)
    module, form = load_pff(SLUG)
    state = form.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0]})
    return module, form, state


def probe(form, state, x, y):
    return form.operators.operators[0].state_xition_func(state, [x, y])


def test_metadata_roles_and_params(tmp_path):
    module, form, state = start(tmp_path)
    assert form.metadata.name and form.metadata.creation_date
    assert [r.name for r in form.roles_spec.roles] == ["Prober", "Observer"]
    op = form.operators.operators[0]
    assert op.name == "Probe"
    assert op.params == [{"name": "x", "type": "int", "min": 0, "max": 639},
                         {"name": "y", "type": "int", "min": 0, "max": 399}]
    assert (module.WIDTH, module.HEIGHT) == (640, 400)
    assert state.target in module.TARGETS and state.target != module.BACKGROUND
    assert applicable(form, state, 0) == [0] and applicable(form, state, 1) == []


def test_image_has_every_palette_colour_and_nothing_else():
    module, _ = load_pff(SLUG)
    with Image.open(pathlib.Path(module.__file__).parent / module.IMAGE_FILE) as im:
        colours = {rgb for _, rgb in im.convert("RGB").getcolors(maxcolors=1000)}
    assert colours == set(module.PALETTE.values())


def test_target_depends_on_seed(tmp_path):
    assert start(tmp_path, 4)[2].target == start(tmp_path, 4)[2].target
    assert len({start(tmp_path, s)[2].target for s in range(20)}) > 3


def test_random_playthroughs_terminate(tmp_path):
    vis = load_vis()
    for seed in range(50):
        _, form, state = start(tmp_path, seed)
        rng = random.Random(seed)
        moves = 0
        while not state.is_goal():
            ops = applicable(form, state, state.current_role_num)
            assert ops == [0], f"stall at seed {seed}"
            op = form.operators.operators[0]
            args = [rng.randint(p["min"], p["max"]) for p in op.params]
            before = copy.deepcopy(state.__dict__)
            new = op.state_xition_func(state, args)
            assert state.__dict__ == before, "transition mutated the old state"
            assert new.jit_transition
            for role in (0, 1):
                assert isinstance(render(vis, new, role), str)
            assert isinstance(str(new), str)
            state, moves = new, moves + 1
        assert moves <= 12
        assert applicable(form, state, 0) == []


def test_reading_pixels_and_hints(tmp_path):
    module, form, _ = start(tmp_path, 1)
    state = module.Probe_State(target="steel blue")
    s1 = probe(form, state, 110, 80)
    assert s1.probes[-1][2:4] == ("crimson", (220, 20, 60))
    assert "#DC143C" in s1.jit_transition and "First probe" in s1.jit_transition
    s2 = probe(form, s1, 240, 75)
    assert "Warmer" in s2.jit_transition and s2.probes[-1][2] == "paper"
    s3 = probe(form, s2, 10, 390)
    assert "Colder" in s3.jit_transition
    win = probe(form, s3, 320, 75)
    assert win.found and win.is_goal() and win.is_win(0)
    assert "Found steel blue" in win.goal_message()
    assert applicable(form, win, 0) == []
    assert len(s1.probes) == 1 and not s3.found


def test_out_of_probes(tmp_path):
    module, form, _ = start(tmp_path, 2)
    state = module.Probe_State(target="forest green")
    for _ in range(12):
        assert not state.is_goal()
        state = probe(form, state, 5, 5)
    assert state.is_goal() and not state.is_win(0) and "Out of probes" in state.goal_message()


def test_vis_image_and_click_region(tmp_path):
    module, form, state = start(tmp_path, 3)
    vis = load_vis()
    out = render(vis, state, 0, base_url="/g/pp/")
    assert '<img src="/g/pp/Pixel_Probe_images/scene.png"' in out
    data = manifest(out)
    assert f'<div id="{data["container_id"]}"' in out
    assert (data["scene_width"], data["scene_height"]) == (640, 400)
    assert data["regions"] == [{"shape": "rect", "x": 0, "y": 0, "w": 640, "h": 400,
                                "send_click_coords": True, "op_index": 0,
                                "hover_label": "Probe this pixel"}]
    done = probe(form, module.Probe_State(target="crimson"), 110, 80)
    assert manifest(render(vis, done, 0))["regions"] == []
