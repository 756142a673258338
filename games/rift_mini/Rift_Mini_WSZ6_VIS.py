"""SVG visualization of Rift Mini with Tier 1 clicks.

- ring_placement: every empty cell carries ``data-op-index`` of place_ring;
  a "Skip placement" button carries skip_placement.
- movement: small arrows around each movable ring carry move_stack; the
  target cell is clickable too when only one move leads there, and gets a
  ``data-context`` menu when several rings can reach it.
- line_processing: each line of three markers is drawn as a clickable bar,
  also listed as buttons.
- territory_processing: the cells of claimable regions are clickable.
Bookkeeping steps are never shown as buttons: the host applies them itself.

The rules helpers and operator indices come from the PFF module, found
through ``sys.modules[type(state).__module__]``.
"""
import json
import sys
from html import escape

CELL = 60
BX, BY = 30, 56                  # board origin
W, H = 660, 540
COLORS = ("#c0392b", "#1f5fbf")
LIGHT = ("#f6d5d1", "#d3e1f5")
NAMES = ("Red", "Blue")
PHASE_LABELS = (("ring_placement", "1 Place"), ("movement", "2 Move"),
                ("line_processing", "3 Lines"), ("territory_processing", "4 Territory"))


def _pff(state):
    mod = sys.modules.get(type(state).__module__)
    if mod is None or not hasattr(mod, "LINES"):
        import Rift_Mini_SZ6 as mod   # the game folder is on sys.path
    return mod


def _center(r, c):
    return BX + c * CELL + CELL // 2, BY + r * CELL + CELL // 2


def _button(x, y, w, label, op_index, color, title=""):
    t = escape(title or label, quote=True)
    return (f'<g data-op-index="{op_index}" style="cursor:pointer"><title>{t}</title>'
            f'<rect x="{x}" y="{y}" width="{w}" height="26" rx="6" '
            f'style="fill:#ffffff;stroke:{color};stroke-width:2"/>'
            f'<text x="{x + w / 2}" y="{y + 17}" text-anchor="middle" '
            f'style="font-size:12px;fill:{color};font-weight:bold">{escape(label)}</text></g>')


def render_state(state, role_num=None, read_only=False):
    g = _pff(state)
    board = state.board
    over = state.is_goal()
    p = state.current_role_num if state.current_role_num in (0, 1) else 0
    # read_only: a past state shown to look back at, so no prompt and no move controls
    my_turn = (not over) and not read_only and (role_num is None or role_num == p)
    col = COLORS[p]
    phase = state.phase
    out = [f'<div style="font-family:sans-serif;max-width:{W}px;margin:auto">',
           f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
           f'height="{H}" role="img" aria-label="Rift Mini board" '
           f'style="background:#fbf8f1;border-radius:12px">']

    # title line
    if over:
        head = g.RiftMini_State.goal_message(state)
    else:
        who = "Your turn" if role_num == p and not read_only else f"{NAMES[p]} to move"
        head = f"Turn {state.turn} \u2014 {who}"
    out.append(f'<text x="{BX}" y="30" style="font-size:17px;font-weight:bold;'
               f'fill:{"#333" if over else col}">{escape(head)}</text>')

    # coordinates
    for k in range(g.N):
        x, y = _center(0, k)
        out.append(f'<text x="{x}" y="{BY - 6}" text-anchor="middle" '
                   f'style="font-size:11px;fill:#888">{k + 1}</text>')
        x, y = _center(k, 0)
        out.append(f'<text x="{BX - 10}" y="{y + 4}" text-anchor="middle" '
                   f'style="font-size:11px;fill:#888">{k + 1}</text>')

    # cells
    hl = set(tuple(x) for x in getattr(state, "highlight", []) or [])
    for r in range(g.N):
        for c in range(g.N):
            x, y = BX + c * CELL, BY + r * CELL
            v = board[r][c]
            fill = "#efe6d2"
            if v.startswith("C"):
                fill = COLORS[int(v[1])]
            out.append(f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" '
                       f'rx="5" style="fill:{fill};stroke:#d8ccb0;stroke-width:1"/>')
            if v.startswith("C"):
                out.append(f'<path d="M{x + 12} {y + 12} L{x + CELL - 12} {y + CELL - 12} '
                           f'M{x + CELL - 12} {y + 12} L{x + 12} {y + CELL - 12}" '
                           f'style="stroke:rgba(255,255,255,0.35);stroke-width:4"/>')
            if (r, c) in hl:
                out.append(f'<rect x="{x + 3}" y="{y + 3}" width="{CELL - 6}" height="{CELL - 6}" '
                           f'rx="5" style="fill:none;stroke:#f1c40f;stroke-width:3"/>')
            cx, cy = _center(r, c)
            if v.startswith("M"):
                out.append(f'<circle cx="{cx}" cy="{cy}" r="10" style="fill:{COLORS[int(v[1])]}"/>')
            elif v.startswith("S"):
                out.append(f'<circle cx="{cx}" cy="{cy}" r="14" style="fill:#fff;'
                           f'stroke:{COLORS[int(v[1])]};stroke-width:6"/>')

    # interactive layer
    buttons = []          # (label, op_index, title)
    note = ""
    if my_turn:
        if phase == "ring_placement":
            if state.hand[p] > 0:
                for r, c in g.empty_cells(state):
                    x, y = BX + c * CELL, BY + r * CELL
                    cx, cy = _center(r, c)
                    idx = g.OP_PLACE + g.N * r + c
                    out.append(f'<g data-op-index="{idx}" style="cursor:pointer">'
                               f'<title>Place a ring at {g.cell_label(r, c)}</title>'
                               f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" '
                               f'rx="5" style="fill:rgba(255,255,255,0.01)"/>'
                               f'<circle cx="{cx}" cy="{cy}" r="14" style="fill:none;stroke:{col};'
                               f'stroke-width:2;stroke-dasharray:4 4;opacity:0.45"/></g>')
                note = "Click an empty cell to place a ring."
            if g.can_skip(state):
                buttons.append(("Skip placement", g.OP_SKIP, "Keep your rings in hand and move"))
        elif phase == "movement":
            moves = g.legal_moves(state)
            targets = {}
            for r, c, d in moves:
                dname, dr, dc = g.DIRECTIONS[d]
                idx = g.OP_MOVE + 8 * (g.N * r + c) + d
                targets.setdefault((r + dr, c + dc), []).append((idx, f"Move {g.cell_label(r, c)} {dname}"))
                cx, cy = _center(r, c)
                norm = (dr * dr + dc * dc) ** 0.5
                ux, uy = dc / norm, dr / norm
                tip = (cx + ux * 29, cy + uy * 29)
                b1 = (cx + ux * 20 - uy * 6, cy + uy * 20 + ux * 6)
                b2 = (cx + ux * 20 + uy * 6, cy + uy * 20 - ux * 6)
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in (tip, b1, b2))
                out.append(f'<g data-op-index="{idx}" style="cursor:pointer">'
                           f'<title>Move {g.cell_label(r, c)} {dname}</title>'
                           f'<circle cx="{cx + ux * 24:.1f}" cy="{cy + uy * 24:.1f}" r="7" '
                           f'style="fill:rgba(255,255,255,0.01)"/>'
                           f'<polygon points="{pts}" style="fill:{col}"/></g>')
            for (tr, tc), opts in sorted(targets.items()):
                x, y = BX + tc * CELL, BY + tr * CELL
                cx, cy = _center(tr, tc)
                base = (f'<rect x="{x + 8}" y="{y + 8}" width="{CELL - 16}" height="{CELL - 16}" '
                        f'rx="8" style="fill:{LIGHT[p]};opacity:0.6"/>'
                        f'<circle cx="{cx}" cy="{cy}" r="5" style="fill:{col};opacity:0.5"/>')
                if len(opts) == 1:
                    out.append(f'<g data-op-index="{opts[0][0]}" style="cursor:pointer">'
                               f'<title>{escape(opts[0][1])}</title>{base}</g>')
                else:
                    menu = json.dumps([{"label": lab, "op_index": i} for i, lab in opts])
                    out.append(f"<g data-context='{escape(menu, quote=True)}' "
                               f'data-info="Several rings can reach {g.cell_label(tr, tc)}: '
                               f'right-click to choose, or use an arrow." style="cursor:pointer">'
                               f'<title>Right-click to choose which ring moves here</title>{base}</g>')
            note = "Click an arrow (or a shaded target cell) to move a ring."
        elif phase == "line_processing":
            for i in g.own_lines(state):
                (r1, c1), _, (r3, c3) = g.LINES[i]
                x1, y1 = _center(r1, c1)
                x3, y3 = _center(r3, c3)
                idx = g.OP_COLLAPSE + i
                out.append(f'<g data-op-index="{idx}" style="cursor:pointer">'
                           f'<title>Collapse line {g.line_label(i)}</title>'
                           f'<line x1="{x1}" y1="{y1}" x2="{x3}" y2="{y3}" style="stroke:#f1c40f;'
                           f'stroke-width:16;stroke-linecap:round;opacity:0.55"/></g>')
                buttons.append((f"Collapse {g.line_label(i)}", idx, ""))
            note = "Pick a line of three markers to collapse."
        elif phase == "territory_processing":
            for i, region in enumerate(g.claimable_regions(state)[:g.MAX_REGIONS]):
                idx = g.OP_CLAIM + i
                cells = "".join(
                    f'<rect x="{BX + c * CELL + 4}" y="{BY + r * CELL + 4}" width="{CELL - 8}" '
                    f'height="{CELL - 8}" rx="5" style="fill:{LIGHT[p]};stroke:{col};'
                    f'stroke-width:2;stroke-dasharray:5 3"/>' for r, c in region)
                out.append(f'<g data-op-index="{idx}" style="cursor:pointer">'
                           f'<title>Claim region {i + 1}</title>{cells}</g>')
                buttons.append((f"Claim region {i + 1}", idx, ""))
            note = "Click a walled-in region to claim it."

    # side panel
    sx = BX + g.N * CELL + 24
    out.append(f'<text x="{sx}" y="{BY + 8}" style="font-size:13px;fill:#555;font-weight:bold">'
               f'Phases of the turn</text>')
    for k, (key, lab) in enumerate(PHASE_LABELS):
        y = BY + 18 + k * 30
        active = (phase == key and not over)
        out.append(f'<rect x="{sx}" y="{y}" width="200" height="24" rx="5" '
                   f'style="fill:{col if active else "#eee"};stroke:#ccc"/>'
                   f'<text x="{sx + 10}" y="{y + 16}" style="font-size:12px;'
                   f'fill:{"#fff" if active else "#777"};font-weight:{"bold" if active else "normal"}">'
                   f'{escape(lab)}</text>')
    sc = state.scores()
    y0 = BY + 150
    for q in (0, 1):
        y = y0 + q * 52
        out.append(f'<rect x="{sx}" y="{y}" width="200" height="44" rx="6" '
                   f'style="fill:{LIGHT[q]};stroke:{COLORS[q] if (q == p and not over) else "none"};'
                   f'stroke-width:2"/>'
                   f'<text x="{sx + 10}" y="{y + 18}" style="font-size:14px;font-weight:bold;'
                   f'fill:{COLORS[q]}">{NAMES[q]}: {sc[q]} / {g.WIN_SCORE}</text>')
        for k in range(state.hand[q]):
            out.append(f'<circle cx="{sx + 16 + k * 20}" cy="{y + 32}" r="6" '
                       f'style="fill:#fff;stroke:{COLORS[q]};stroke-width:3"/>')
        if state.hand[q] == 0:
            out.append(f'<text x="{sx + 10}" y="{y + 37}" style="font-size:11px;fill:#777">'
                       f'no rings in hand</text>')
    y = y0 + 112
    if getattr(state, "last_move", ""):
        out.append(f'<text x="{sx}" y="{y}" style="font-size:11px;fill:#555">'
                   f'{escape(state.last_move)}</text>')
    y += 14
    for label, idx, title in buttons[:5]:
        out.append(_button(sx, y, 200, label, idx, col, title))
        y += 32
    if note:
        out.append(f'<text x="{BX}" y="{BY + g.N * CELL + 24}" style="font-size:13px;fill:#444">'
                   f'{escape(note)}</text>')
    elif not over and role_num not in (None, p):
        out.append(f'<text x="{BX}" y="{BY + g.N * CELL + 24}" style="font-size:13px;fill:#777">'
                   f'Waiting for {NAMES[p]} ({escape(phase.replace("_", " "))}).</text>')
    out.append("</svg></div>")
    return "".join(out)
