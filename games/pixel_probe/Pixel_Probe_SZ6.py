"""Pixel Probe: find the shape of a given colour by probing pixels.

The scene is a PNG in Pixel_Probe_images/, read with Pillow when the game
loads.  Each "Probe" move takes the (x, y) of a click on the picture (Tier 2
``send_click_coords``), reads that pixel, names its colour and its RGB
value, and says whether the probe got warmer or colder than the last one.
"""
import math
import os
import random

from PIL import Image

import soluzion6_02 as sz

PROBER, OBSERVER = 0, 1
MAX_PROBES = 12
IMAGE_FILE = "Pixel_Probe_images/scene.png"
BACKGROUND = "paper"
PALETTE = {
    "paper": (238, 234, 224),
    "crimson": (220, 20, 60), "tomato": (255, 99, 71), "firebrick": (178, 34, 34),
    "royal blue": (65, 105, 225), "steel blue": (70, 130, 180), "dodger blue": (30, 144, 255),
    "sea green": (46, 139, 87), "forest green": (34, 139, 34),
    "medium sea green": (60, 179, 113),
}
TARGETS = sorted(name for name in PALETTE if name != BACKGROUND)
_BY_RGB = {rgb: name for name, rgb in PALETTE.items()}

with Image.open(os.path.join(os.path.dirname(os.path.abspath(__file__)), IMAGE_FILE)) as _im:
    SCENE = _im.convert("RGB")
WIDTH, HEIGHT = SCENE.size


def _colour_points(step=2):
    """Sampled pixel positions of every palette colour, for the distance hints."""
    raw = SCENE.tobytes()
    points = {name: [] for name in PALETTE}
    for y in range(0, HEIGHT, step):
        row = y * WIDTH * 3
        for x in range(0, WIDTH, step):
            i = row + 3 * x
            name = _BY_RGB.get((raw[i], raw[i + 1], raw[i + 2]))
            if name:
                points[name].append((x, y))
    return points


POINTS = _colour_points()


def hex_of(rgb):
    return "#%02X%02X%02X" % tuple(rgb)


def colour_name(rgb):
    """The palette name of an RGB value (nearest one, marked, if not exact)."""
    rgb = tuple(rgb)
    if rgb in _BY_RGB:
        return _BY_RGB[rgb]
    nearest = min(PALETTE, key=lambda n: sum((a - b) ** 2 for a, b in zip(PALETTE[n], rgb)))
    return f"close to {nearest}"


def distance_to(name, x, y):
    pts = POINTS.get(name) or [(WIDTH // 2, HEIGHT // 2)]
    return round(min(math.hypot(px - x, py - y) for px, py in pts), 1)


def band(d):
    if d <= 25:
        return "very close"
    if d <= 80:
        return "close"
    if d <= 200:
        return "some way off"
    return "far away"


class Probe_Metadata(sz.SZ_Metadata):
    def __init__(self):
        self.name = "Pixel Probe"
        self.brief_desc = ("Click on a picture to read pixel colours (RGB) and find the "
                           "shape of the asked colour in at most 12 probes.")
        self.soluzion_version = "6.02"
        self.problem_version = "1.0"
        self.authors = ["szportal built-in games"]
        self.creation_date = "2026-11-21"


class Probe_State(sz.SZ_State):
    def __init__(self, old=None, target=None):
        if old is None:
            self.current_role_num = PROBER
            self.parallel = False
            self.phase = "probing"
            self.target = target
            self.probes = []   # (x, y, colour name, (r, g, b), distance to target)
            self.found = False
        else:
            self.current_role_num = old.current_role_num
            self.parallel = False
            self.phase = old.phase
            self.target = old.target
            self.probes = list(old.probes)
            self.found = old.found

    def probes_left(self):
        return MAX_PROBES - len(self.probes)

    def is_goal(self):
        return self.found or len(self.probes) >= MAX_PROBES

    def is_win(self, role):
        return role == PROBER and self.found

    def is_draw(self):
        return False

    def goal_message(self):
        if self.found:
            return (f"Found {self.target} ({hex_of(PALETTE[self.target])}) with probe "
                    f"{len(self.probes)} of {MAX_PROBES}!")
        return f"Out of probes: {self.target} was not found."

    def __str__(self):
        lines = [f"Find the colour {self.target} {PALETTE[self.target]} "
                 f"{hex_of(PALETTE[self.target])} in the {WIDTH}x{HEIGHT} picture.",
                 f"Probes left: {self.probes_left()} of {MAX_PROBES}"]
        for k, (x, y, name, rgb, _) in enumerate(self.probes, 1):
            lines.append(f"  {k}. ({x}, {y}): {name} {tuple(rgb)}")
        if self.is_goal():
            lines.append(self.goal_message())
        return "\n".join(lines)


def probe(state, args):
    x = min(WIDTH - 1, max(0, int(args[0])))
    y = min(HEIGHT - 1, max(0, int(args[1])))
    rgb = tuple(SCENE.getpixel((x, y))[:3])
    name = colour_name(rgb)
    d = 0.0 if name == state.target else distance_to(state.target, x, y)
    news = Probe_State(old=state)
    news.probes.append((x, y, name, rgb, d))
    described = f"({x}, {y}) is {name} {hex_of(rgb)} = RGB{rgb}."
    if name == state.target:
        news.found = True
        news.phase = "done"
        news.jit_transition = f"Bull's-eye! {described} {news.goal_message()}"
        return news
    if state.probes:
        prev = state.probes[-1][4]
        trend = "Warmer!" if d < prev else ("Colder." if d > prev else "Same distance.")
    else:
        trend = "First probe:"
    msg = f"{described} Not {state.target}. {trend} You are {band(d)}."
    if news.is_goal():
        news.phase = "done"
        msg += " " + news.goal_message()
    news.jit_transition = msg
    return news


class Probe_Formulation(sz.SZ_Formulation):
    def __init__(self):
        self.metadata = Probe_Metadata()
        self.common_data = sz.SZ_Common_Data()
        self.roles_spec = sz.SZ_Roles_Spec(
            [sz.SZ_Role("Prober", "Clicks on the picture to probe pixels."),
             sz.SZ_Role("Observer", "Watches the probes.")],
            min_players_to_start=1, max_players=30)
        self.operators = sz.SZ_Operator_Set([
            sz.SZ_Operator(
                "Probe", "Read the colour of the pixel at (x, y).",
                lambda s: not s.is_goal(), probe,
                params=[{"name": "x", "type": "int", "min": 0, "max": WIDTH - 1},
                        {"name": "y", "type": "int", "min": 0, "max": HEIGHT - 1}],
                role=PROBER),
        ])
        self.instance_data = sz.SZ_Problem_Instance_Data({})
        self.vis_module = None

    def initialize_problem(self, config={}):
        state = Probe_State(target=random.choice(TARGETS))
        self.instance_data.data["initial_state"] = state
        return state


PIXEL_PROBE = Probe_Formulation()
