"""SVG visualization of Tic-Tac-Toe with Tier 1 clickable cells.

Each empty cell carries ``data-op-index`` (operator index 3*r + c) when the
viewer may move; hovering it shows a faint preview of the mark.  The
winning line is highlighted.
"""
from html import escape

CELL = 100
PAD = 10
SIZE = 3 * CELL + 2 * PAD
MARKS = ("X", "O")
COLORS = {"X": "#1f5fbf", "O": "#c0392b"}


def _x_mark(cx, cy, color, opacity=1.0):
    d = 28
    return (f'<g style="stroke:{color};stroke-width:10;stroke-linecap:round;opacity:{opacity}">'
            f'<line x1="{cx - d}" y1="{cy - d}" x2="{cx + d}" y2="{cy + d}"/>'
            f'<line x1="{cx - d}" y1="{cy + d}" x2="{cx + d}" y2="{cy - d}"/></g>')


def _o_mark(cx, cy, color, opacity=1.0):
    return (f'<circle cx="{cx}" cy="{cy}" r="30" '
            f'style="fill:none;stroke:{color};stroke-width:10;opacity:{opacity}"/>')


def _mark(mark, cx, cy, opacity=1.0):
    if mark == "X":
        return _x_mark(cx, cy, COLORS["X"], opacity)
    return _o_mark(cx, cy, COLORS["O"], opacity)


def render_state(state, role_num=None, read_only=False):
    board = state.board
    winner = getattr(state, "winner", None)
    win_line = getattr(state, "win_line", None) or ()
    to_move = getattr(state, "whose_turn", getattr(state, "current_role_num", 0))
    full = all(cell != " " for row in board for cell in row)
    over = winner is not None or full
    # read_only: a past state shown to look back at, so no prompt and no clickable cells
    my_turn = (not over) and not read_only and (role_num is None or role_num == to_move)
    mark_to_move = MARKS[to_move] if to_move in (0, 1) else "X"

    parts = [f'<div style="font-family:sans-serif;text-align:center;max-width:{SIZE + 40}px;margin:auto">']
    parts.append(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
                 f'width="{SIZE}" height="{SIZE}" role="img" aria-label="Tic-tac-toe board" '
                 f'style="background:#fdfaf3;border-radius:12px;box-shadow:0 2px 8px rgba(0,0,0,0.15)">')

    # winning cells background
    for (r, c) in win_line:
        x, y = PAD + c * CELL, PAD + r * CELL
        parts.append(f'<rect x="{x + 4}" y="{y + 4}" width="{CELL - 8}" height="{CELL - 8}" rx="10" '
                     f'style="fill:#fff3b0"/>')

    # cells
    for r in range(3):
        for c in range(3):
            x, y = PAD + c * CELL, PAD + r * CELL
            cx, cy = x + CELL // 2, y + CELL // 2
            mark = board[r][c]
            if mark != " ":
                parts.append(_mark(mark, cx, cy))
            elif my_turn:
                idx = 3 * r + c
                label = escape(f"Place {mark_to_move} at ({r + 1},{c + 1})")
                hit = f"tttcell{r}{c}"  # no "-" or ".": SMIL would parse it as an offset
                parts.append(
                    f'<g data-op-index="{idx}" style="cursor:pointer">'
                    f'<title>{label}</title>'
                    f'<rect id="{hit}" x="{x + 4}" y="{y + 4}" width="{CELL - 8}" height="{CELL - 8}" '
                    f'rx="10" style="fill:#ffffff;fill-opacity:0.01;stroke:none">'
                    f'<set attributeName="fill" to="#dfeeff" begin="mouseover" end="mouseout"/>'
                    f'<set attributeName="fill-opacity" to="1" begin="mouseover" end="mouseout"/>'
                    f'</rect>'
                    f'<g style="opacity:0" pointer-events="none">'
                    f'{_mark(mark_to_move, cx, cy, 0.35)}'
                    f'<set attributeName="opacity" to="1" begin="{hit}.mouseover" end="{hit}.mouseout"/>'
                    f'</g></g>')

    # grid lines
    for i in (1, 2):
        p = PAD + i * CELL
        parts.append(f'<line x1="{p}" y1="{PAD + 6}" x2="{p}" y2="{SIZE - PAD - 6}" '
                     f'style="stroke:#444;stroke-width:4;stroke-linecap:round" pointer-events="none"/>')
        parts.append(f'<line x1="{PAD + 6}" y1="{p}" x2="{SIZE - PAD - 6}" y2="{p}" '
                     f'style="stroke:#444;stroke-width:4;stroke-linecap:round" pointer-events="none"/>')

    # winning stroke
    if win_line:
        (r1, c1), (r2, c2) = win_line[0], win_line[-1]
        x1, y1 = PAD + c1 * CELL + CELL // 2, PAD + r1 * CELL + CELL // 2
        x2, y2 = PAD + c2 * CELL + CELL // 2, PAD + r2 * CELL + CELL // 2
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
                     f'style="stroke:#f1c40f;stroke-width:12;stroke-linecap:round;opacity:0.85" '
                     f'pointer-events="none"/>')
    parts.append('</svg>')

    # status line
    if winner is not None:
        status = f"{MARKS[winner]} wins!"
        if role_num in (0, 1):
            status += " You won!" if role_num == winner else " Better luck next time."
    elif full:
        status = "Draw: the board is full."
    elif role_num == to_move and not read_only:
        status = f"Your turn: click an empty cell to place {mark_to_move}."
    else:
        status = f"{mark_to_move} to move."
    parts.append(f'<p style="font-size:1.1em;margin:8px 0;color:#333">{escape(status)}</p>')
    parts.append('</div>')
    return "".join(parts)
