"""Click the Word scene: the sentence as an SVG plus a Tier 2 region manifest."""
import html
import json
import sys

CONTAINER_ID = "ctw-scene"
WIDTH, HEIGHT = 800, 300
CHAR_W, FONT = 18, 30            # monospace: about 0.6 em per character
BOX_H, ROW_PITCH, TOP, LEFT, RIGHT = 50, 62, 92, 30, 770
PAD, GAP = 24, 12
COLOURS = {"noun": "#2b6cb0", "verb": "#c53030", "adjective": "#2f855a"}
HINT = {"cx": 52, "cy": 258, "r": 28}
SCORE = {"x": 300, "y": 236, "w": 200, "h": 44}
SKIP_POINTS = [[640, 236], [730, 236], [762, 258], [730, 280], [640, 280]]


def layout(words):
    """Word boxes as (x, y, w, h), wrapping inside the scene."""
    boxes, x, y = [], LEFT, TOP
    for word in words:
        w = len(word) * CHAR_W + PAD
        if x + w > RIGHT and x > LEFT:
            x, y = LEFT, y + ROW_PITCH
        boxes.append((x, y, w, BOX_H))
        x += w + GAP
    return boxes


def _text(x, y, s, size=16, colour="#2d3748", anchor="start", weight="normal"):
    return (f'<text x="{x}" y="{y}" font-size="{size}" fill="{colour}" text-anchor="{anchor}" '
            f'font-weight="{weight}" font-family="sans-serif">{html.escape(s)}</text>')


def _manifest(regions):
    data = {"container_id": CONTAINER_ID, "scene_width": WIDTH, "scene_height": HEIGHT,
            "regions": regions}
    body = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e")
    return f'<script type="application/json" id="wsz6-regions">{body}</script>'


def render_state(state):
    pff = sys.modules[type(state).__module__]
    svg = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
           'style="display:block;background:#fdf6e3;border-radius:10px" '
           'xmlns="http://www.w3.org/2000/svg">']
    regions = []
    score_info = f"Score: {state.score} of {len(state.results)} answered so far."
    if state.is_goal():
        svg.append(_text(400, 70, "Well done!", 34, "#2d3748", "middle", "bold"))
        svg.append(_text(400, 120, state.goal_message(), 20, "#2d3748", "middle"))
        for i, (word, target, correct, skipped) in enumerate(state.results):
            mark = "skipped" if skipped else ("correct" if correct else "wrong")
            line = f"Round {i + 1}: {pff.with_article(target)} - " + ("-" if skipped else f"'{word}'") + f" ({mark})"
            svg.append(_text(400, 156 + 24 * i, line, 16, "#4a5568", "middle"))
    else:
        target = state.target()
        colour = COLOURS.get(target, "#2d3748")
        svg.append(_text(24, 34, f"Round {state.round + 1} of {len(state.rounds)}", 16, "#718096"))
        svg.append(_text(400, 40, f"Click {pff.with_article(target).upper()}", 30, colour, "middle", "bold"))
        svg.append(_text(400, 72, state.last_result_text(), 16, "#718096", "middle"))
        words = state.words()
        boxes = layout(words)
        for i, (word, (x, y, w, h)) in enumerate(zip(words, boxes)):
            svg.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="#ffffff" '
                       'stroke="#cbd5e0" stroke-width="2"/>')
            svg.append(f'<text x="{x + w / 2}" y="{y + 34}" font-size="{FONT}" fill="#1a202c" '
                       f'text-anchor="middle" font-family="monospace">{html.escape(word)}</text>')
            regions.append({"shape": "rect", "x": x, "y": y, "w": w, "h": h,
                            "op_index": i, "hover_label": word})
        if boxes:
            x, y, w, h = boxes[-1]
            svg.append(_text(x + w + 3, y + 38, ".", FONT, "#1a202c"))
        svg.append(f'<circle cx="{HINT["cx"]}" cy="{HINT["cy"]}" r="{HINT["r"]}" fill="#ecc94b" '
                   'stroke="#b7791f" stroke-width="2"/>')
        svg.append(_text(HINT["cx"], HINT["cy"] + 10, "?", 28, "#744210", "middle", "bold"))
        svg.append(_text(HINT["cx"] + 38, HINT["cy"] + 6, "hint", 14, "#975a16"))
        regions.append({"shape": "circle", **HINT, "hover_label": "Hint",
                        "info": pff.HINTS[target]})
        pts = " ".join(f"{x},{y}" for x, y in SKIP_POINTS)
        svg.append(f'<polygon points="{pts}" fill="#a0aec0" stroke="#718096" stroke-width="2"/>')
        svg.append(_text(690, 264, "Skip", 18, "#ffffff", "middle", "bold"))
    svg.append(f'<rect x="{SCORE["x"]}" y="{SCORE["y"]}" width="{SCORE["w"]}" height="{SCORE["h"]}" '
               'rx="22" fill="#e2e8f0"/>')
    svg.append(_text(400, SCORE["y"] + 28, f"Score {state.score} / {len(state.rounds)}",
                     20, "#2d3748", "middle", "bold"))
    regions.append({"shape": "rect", **SCORE, "hover_label": "Score", "info": score_info})
    if not state.is_goal():
        regions.append({"shape": "polygon", "points": SKIP_POINTS,
                        "op_index": pff.OP_SKIP, "hover_label": "Skip this round"})
    svg.append('</svg>')
    return (f'<div id="{CONTAINER_ID}" style="position:relative;max-width:{WIDTH}px">'
            + "".join(svg) + '</div>' + _manifest(regions))
