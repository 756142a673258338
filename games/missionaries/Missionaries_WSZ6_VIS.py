"""Simple SVG view of Missionaries and Cannibals, with Tier 1 crossing buttons."""
from html import escape

W, H = 560, 220
BUTTONS = [("MM", 2, 0), ("MC", 1, 1), ("CC", 0, 2), ("M", 1, 0), ("C", 0, 1)]


def _person(x, y, kind):
    if kind == "M":
        return (f'<g><circle cx="{x}" cy="{y - 24}" r="9" style="fill:#f4d3a5;stroke:#555"/>'
                f'<rect x="{x - 10}" y="{y - 15}" width="20" height="30" rx="5" '
                f'style="fill:#2e6fd8"/><title>Missionary</title></g>')
    return (f'<g><circle cx="{x}" cy="{y - 24}" r="9" style="fill:#c98b5a;stroke:#555"/>'
            f'<rect x="{x - 10}" y="{y - 15}" width="20" height="30" rx="5" '
            f'style="fill:#d8452e"/><title>Cannibal</title></g>')


def _bank(d, x0):
    out = []
    people = ["M"] * d["M"] + ["C"] * d["C"]
    for i, kind in enumerate(people):
        col, row = i % 3, i // 3
        out.append(_person(x0 + 25 + col * 35, 110 + row * 55, kind))
    return "".join(out)


def render_state(state, role_num=None):
    d = state.d
    boat_x = 160 if d["boat"] == "left" else W - 240
    p = ['<div style="font-family:sans-serif;text-align:center">',
         f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
         'style="border-radius:10px;background:#cfe8ff">',
         f'<rect x="0" y="0" width="150" height="{H}" style="fill:#7cbf6a"/>',
         f'<rect x="{W - 150}" y="0" width="150" height="{H}" style="fill:#7cbf6a"/>',
         f'<rect x="150" y="0" width="{W - 300}" height="{H}" style="fill:#4a90d9"/>',
         '<text x="75" y="24" style="font-size:15px;fill:#1d3d13;text-anchor:middle">Left bank</text>',
         f'<text x="{W - 75}" y="24" style="font-size:15px;fill:#1d3d13;text-anchor:middle">Right bank</text>',
         _bank(d["left"], 0), _bank(d["right"], W - 150),
         f'<path d="M{boat_x} 150 L{boat_x + 70} 150 L{boat_x + 58} 170 L{boat_x + 12} 170 Z" '
         'style="fill:#8b5a2b;stroke:#4d3014;stroke-width:2"><title>Boat</title></path>',
         '</svg>']
    if state.is_goal():
        p.append(f'<p style="font-weight:bold;color:#216e1a">{escape(state.goal_message())}</p>')
    else:
        p.append(f'<p style="margin:6px">Crossings so far: {state.crossings}. '
                 f'The boat is on the {escape(d["boat"])} bank.</p><div>')
        for idx, (label, m, c) in enumerate(BUTTONS):
            ok = state.can_move(m, c) and role_num in (None, 0)
            style = ("display:inline-block;margin:3px;padding:6px 12px;border-radius:6px;"
                     "border:1px solid #555;font-weight:bold;")
            if ok:
                p.append(f'<span data-op-index="{idx}" title="Cross with {label}" '
                         f'style="{style}background:#fff;cursor:pointer">{label}</span>')
            else:
                p.append(f'<span style="{style}background:#ddd;color:#999">{label}</span>')
        p.append('</div>')
    p.append('</div>')
    return "".join(p)
