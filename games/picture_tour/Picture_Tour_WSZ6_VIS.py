"""Picture Tour view: the current place's picture, a clickable map, the album."""
import html
import sys

IMAGES = "Picture_Tour_images/"
_BUTTON = ("display:inline-block;margin:6px 6px 0 0;padding:6px 12px;border-radius:6px;"
           "background:#00796b;color:#fff;font-weight:600;cursor:pointer")


def _pff(state):
    return sys.modules[type(state).__module__]


def _img(base_url, place, places, width, height, extra=""):
    src = html.escape(f"{base_url}{IMAGES}{places[place][0]}", quote=True)
    return (f'<img src="{src}" alt="{html.escape(place, quote=True)}" width="{width}" '
            f'height="{height}" style="border-radius:6px;{extra}">')


def _map(state, pff):
    places = pff.PLACES
    out = ['<svg viewBox="0 0 420 260" width="420" height="260" '
           'style="background:#eef6e8;border-radius:8px;border:1px solid #c5d9b8">']
    for a, b in pff.ROADS:
        (x1, y1), (x2, y2) = places[a][1], places[b][1]
        out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#b08d57" '
                   'stroke-width="6" stroke-linecap="round"/>')
    for i, name in enumerate(pff.PLACE_NAMES):
        x, y = places[name][1]
        here = name == state.current
        fill = "#43a047" if name in state.visited else "#bdbdbd"
        attrs = ""
        if not state.is_goal() and name in pff.NEIGHBOURS[state.current]:
            attrs = f' data-op-index="{i}" style="cursor:pointer"'
        out.append(f'<g{attrs}>')
        if here:
            out.append(f'<circle cx="{x}" cy="{y}" r="22" fill="none" stroke="#fbc02d" '
                       'stroke-width="5"/>')
        out.append(f'<circle cx="{x}" cy="{y}" r="15" fill="{fill}" stroke="#37474f" '
                   'stroke-width="2"/>')
        if name in state.photos:
            out.append(f'<text x="{x}" y="{y + 5}" text-anchor="middle" font-size="14" '
                       'fill="#fff">&#9733;</text>')
        ty = y - 26 if y > 40 else y + 34
        out.append(f'<text x="{x}" y="{ty}" text-anchor="middle" font-size="13" '
                   f'font-family="sans-serif" fill="#263238">{html.escape(name)}</text></g>')
    out.append('</svg>')
    return "".join(out)


def render_state(state, base_url=""):
    pff = _pff(state)
    places = pff.PLACES
    total = len(pff.PLACE_NAMES)
    parts = ['<div style="font-family:sans-serif;color:#263238;max-width:780px">',
             '<div style="display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start">',
             '<div style="width:320px">',
             _img(base_url, state.current, places, 320, 200, "border:3px solid #fbc02d"),
             f'<div style="font-size:1.2em;font-weight:700;margin-top:4px">'
             f'{html.escape(state.current)}</div>']
    if state.current in state.guide_read:
        parts.append(f'<div style="font-style:italic;color:#546e7a">'
                     f'{html.escape(places[state.current][2])}</div>')
    if not state.is_goal():
        if state.current not in state.photos:
            parts.append(f'<span data-op-index="{pff.OP_PHOTO}" style="{_BUTTON}">'
                         '&#128247; Take photo</span>')
        if state.current not in state.guide_read:
            parts.append(f'<span data-op-index="{pff.OP_GUIDE}" style="{_BUTTON}">'
                         '&#128214; Read the guidebook</span>')
    parts.append('</div><div style="width:420px">')
    parts.append(_map(state, pff))
    left = pff.MAX_STEPS - state.steps
    parts.append(f'<div style="margin-top:6px">Steps left today: <strong>{left}</strong> '
                 f'of {pff.MAX_STEPS} &middot; click a neighbouring place to walk there</div>')
    parts.append('</div></div>')
    visited = sorted(state.visited)
    parts.append(f'<div style="margin-top:10px"><strong>Visited ({len(visited)} of {total}):'
                 '</strong> ' + ", ".join(html.escape(p) for p in visited) + '</div>')
    parts.append('<div style="margin-top:8px"><strong>Album:</strong>')
    photos = sorted(state.photos)
    if photos:
        parts.append('<div style="display:flex;flex-wrap:wrap;gap:8px;margin-top:4px">')
        for p in photos:
            parts.append('<figure style="margin:0;text-align:center;font-size:0.8em">'
                         + _img(base_url, p, places, 96, 60)
                         + f'<figcaption>{html.escape(p)}</figcaption></figure>')
        parts.append('</div>')
    else:
        parts.append(' <em>no photos yet</em>')
    parts.append('</div>')
    if state.is_goal():
        colour = "#c8e6c9" if state.all_visited() else "#ffe0b2"
        parts.append(f'<div style="margin-top:10px;padding:8px;border-radius:6px;'
                     f'background:{colour}">{html.escape(state.goal_message())}</div>')
    parts.append('</div>')
    return "".join(parts)
