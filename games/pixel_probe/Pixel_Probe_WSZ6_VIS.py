"""Pixel Probe view: the picture with probe markers and a click-coordinates region."""
import html
import json
import sys

CONTAINER_ID = "pp-scene"
IMAGE = "Pixel_Probe_images/scene.png"
OP_PROBE = 0


def _manifest(width, height, active):
    regions = []
    if active:
        regions.append({"shape": "rect", "x": 0, "y": 0, "w": width, "h": height,
                        "send_click_coords": True, "op_index": OP_PROBE,
                        "hover_label": "Probe this pixel"})
    data = {"container_id": CONTAINER_ID, "scene_width": width, "scene_height": height,
            "regions": regions}
    body = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e")
    return f'<script type="application/json" id="wsz6-regions">{body}</script>'


def _swatch(rgb, size=16):
    return (f'<span style="display:inline-block;width:{size}px;height:{size}px;'
            f'vertical-align:middle;border:1px solid #4a5568;border-radius:3px;'
            f'background:rgb({int(rgb[0])},{int(rgb[1])},{int(rgb[2])})"></span>')


def render_state(state, base_url=""):
    pff = sys.modules[type(state).__module__]
    w, h = pff.WIDTH, pff.HEIGHT
    target_rgb = pff.PALETTE[state.target]
    src = html.escape(f"{base_url}{IMAGE}", quote=True)
    parts = ['<div style="font-family:sans-serif;color:#1a202c;max-width:640px">',
             '<div style="display:flex;justify-content:space-between;align-items:center;'
             'margin-bottom:6px">',
             f'<div style="font-size:1.15em">Find: {_swatch(target_rgb, 22)} '
             f'<strong>{html.escape(state.target)}</strong> '
             f'<code>{pff.hex_of(target_rgb)}</code> RGB{tuple(target_rgb)}</div>',
             f'<div>Probes left: <strong>{state.probes_left()}</strong></div></div>',
             f'<div id="{CONTAINER_ID}" style="position:relative;width:100%;max-width:{w}px">',
             f'<img src="{src}" width="{w}" height="{h}" alt="Shapes in many colours" '
             'style="display:block;width:100%;height:auto;border-radius:6px">',
             f'<svg viewBox="0 0 {w} {h}" style="position:absolute;left:0;top:0;width:100%;'
             'height:100%;pointer-events:none">']
    for k, (x, y, name, rgb, _) in enumerate(state.probes, 1):
        hit = name == state.target
        stroke = "#38a169" if hit else "#1a202c"
        parts.append(f'<circle cx="{x}" cy="{y}" r="{10 if hit else 7}" fill="none" '
                     f'stroke="#ffffff" stroke-width="5"/>'
                     f'<circle cx="{x}" cy="{y}" r="{10 if hit else 7}" fill="none" '
                     f'stroke="{stroke}" stroke-width="2.5"/>'
                     f'<text x="{x + 10}" y="{y - 9}" font-size="14" font-weight="bold" '
                     f'fill="#1a202c" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                     f'{k}</text>')
    parts.append('</svg></div>')
    parts.append(_manifest(w, h, not state.is_goal()))
    if state.probes:
        parts.append('<table style="margin-top:8px;border-collapse:collapse;font-size:0.9em">'
                     '<tr style="text-align:left"><th>#</th><th>pixel</th><th>colour</th>'
                     '<th>RGB</th><th>distance</th></tr>')
        for k, (x, y, name, rgb, d) in enumerate(state.probes, 1):
            parts.append(f'<tr><td style="padding:2px 8px">{k}</td>'
                         f'<td style="padding:2px 8px">({x}, {y})</td>'
                         f'<td style="padding:2px 8px">{_swatch(rgb)} {html.escape(name)}</td>'
                         f'<td style="padding:2px 8px"><code>{pff.hex_of(rgb)}</code> '
                         f'{tuple(rgb)}</td>'
                         f'<td style="padding:2px 8px">{html.escape(pff.band(d)) if d else "hit!"}'
                         '</td></tr>')
        parts.append('</table>')
    else:
        parts.append('<div style="margin-top:8px;color:#4a5568">Click anywhere on the picture '
                     'to read that pixel.</div>')
    if state.is_goal():
        colour = "#c6f6d5" if state.found else "#fed7d7"
        parts.append(f'<div style="margin-top:8px;padding:8px;border-radius:6px;'
                     f'background:{colour}">{html.escape(state.goal_message())}</div>')
    parts.append('</div>')
    return "".join(parts)
