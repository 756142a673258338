"""HTML view of Rock-Paper-Scissors, rendered per role.

A player sees its own pending throw and, while it has not thrown, three
clickable Tier 1 buttons (``data-op-index``).  The opponent's pending throw is
never shown (only whether it has been made); past rounds are public.
"""
from html import escape

THROWS = ("rock", "paper", "scissors")


def _icon(what, size=48):
    """A small inline SVG picture of a throw (no emoji fonts needed)."""
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="{size}" '
            f'height="{size}" style="vertical-align:middle">')
    if what == "rock":
        body = ('<path d="M10 30 Q6 18 16 12 Q26 6 36 13 Q44 20 40 31 Q35 41 22 40 Q12 39 10 30 Z" '
                'style="fill:#8d8d8d;stroke:#4a4a4a;stroke-width:2"/>'
                '<path d="M18 18 Q24 15 29 19" style="fill:none;stroke:#b5b5b5;stroke-width:2"/>')
    elif what == "paper":
        body = ('<path d="M12 6 L32 6 L38 12 L38 42 L12 42 Z" '
                'style="fill:#fffef5;stroke:#555;stroke-width:2"/>'
                '<path d="M32 6 L32 12 L38 12" style="fill:none;stroke:#555;stroke-width:2"/>'
                '<path d="M17 19 H33 M17 25 H33 M17 31 H33" style="stroke:#9bb;stroke-width:2"/>')
    elif what == "scissors":
        body = ('<path d="M20 28 L40 6 M28 28 L8 6" style="stroke:#777;stroke-width:4;'
                'stroke-linecap:round"/>'
                '<circle cx="16" cy="36" r="7" style="fill:none;stroke:#d8452e;stroke-width:4"/>'
                '<circle cx="32" cy="36" r="7" style="fill:none;stroke:#d8452e;stroke-width:4"/>')
    elif what == "hidden":
        body = ('<rect x="8" y="8" width="32" height="32" rx="6" style="fill:#6b3fa0"/>'
                '<text x="24" y="32" style="font-size:22px;fill:#fff;text-anchor:middle;'
                'font-family:sans-serif;font-weight:bold">?</text>')
    else:  # waiting
        body = ('<circle cx="12" cy="24" r="4" style="fill:#bbb"/><circle cx="24" cy="24" r="4" '
                'style="fill:#bbb"/><circle cx="36" cy="24" r="4" style="fill:#bbb"/>')
    return head + body + "</svg>"
NAMES = ("Player A", "Player B")
COLORS = ("#2e6fd8", "#d8452e")


def _card(content, border, bg="#fff", extra=""):
    return (f'<div style="display:inline-block;vertical-align:top;width:150px;margin:6px;'
            f'padding:10px;border:3px solid {border};border-radius:12px;background:{bg};{extra}">'
            f'{content}</div>')


def render_state(state, role_num=None):
    me = role_num if role_num in (0, 1) else None
    over = state.is_goal()
    out = ['<div style="font-family:sans-serif;text-align:center;max-width:560px;margin:auto">']

    # scoreboard
    out.append('<div style="font-size:1.4em;font-weight:bold;margin:6px">'
               f'<span style="color:{COLORS[0]}">{NAMES[0]}{" (you)" if me == 0 else ""}</span> '
               f'{state.score[0]} &ndash; {state.score[1]} '
               f'<span style="color:{COLORS[1]}">{NAMES[1]}{" (you)" if me == 1 else ""}</span></div>')

    if over:
        out.append(f'<p style="font-size:1.2em;font-weight:bold;color:#6b3fa0">'
                   f'{escape(state.goal_message())}</p>')
    else:
        out.append(f'<p style="margin:4px;color:#444">Round {state.round_number()} '
                   '&middot; first to 2 wins</p>')
        # the two players' panels
        panels = []
        for r in (0, 1):
            chosen = state.choices[r]
            if r == me and chosen is not None:
                body = (f'<div>{_icon(chosen)}</div>'
                        f'<div>You chose <b>{chosen}</b></div>')
            elif r == me:
                body = (f'<div style="font-size:40px;line-height:48px">?</div>'
                        '<div><b>Your move</b></div>')
            elif chosen is not None:
                body = f'<div>{_icon("hidden")}</div><div>has chosen</div>'
            else:
                body = f'<div>{_icon("waiting")}</div><div>is choosing</div>'
            panels.append(_card(f'<div style="color:{COLORS[r]};font-weight:bold">{NAMES[r]}</div>'
                                + body, COLORS[r]))
        out.append("".join(panels))

        # buttons for the viewer if it still has to throw
        if me is not None and state.choices[me] is None:
            out.append('<div style="margin:8px">')
            for k, what in enumerate(THROWS):
                idx = 3 * me + k
                out.append(
                    f'<div data-op-index="{idx}" title="Throw {what}" '
                    'style="display:inline-block;margin:6px;padding:8px 14px;cursor:pointer;'
                    'border:2px solid #555;border-radius:10px;background:#f7f7f7;'
                    f'min-width:80px"><div>{_icon(what, 44)}</div>'
                    f'<div style="font-weight:bold">{what.capitalize()}</div></div>')
            out.append('</div>')
        elif me is not None:
            out.append(f'<p style="color:#555">Waiting for {NAMES[1 - me]}&hellip;</p>')

    # public history
    if state.history:
        out.append('<table style="margin:10px auto;border-collapse:collapse;font-size:0.95em">'
                   '<tr style="background:#eee"><th style="padding:4px 10px">Round</th>'
                   f'<th style="padding:4px 10px;color:{COLORS[0]}">A</th>'
                   f'<th style="padding:4px 10px;color:{COLORS[1]}">B</th>'
                   '<th style="padding:4px 10px">Result</th></tr>')
        for i, (a, b, w) in enumerate(state.history, 1):
            res = "tie" if w is None else f"{NAMES[w]} wins"
            out.append(f'<tr><td style="padding:3px 10px">{i}</td>'
                       f'<td style="padding:3px 10px">{_icon(a, 22)} {a}</td>'
                       f'<td style="padding:3px 10px">{_icon(b, 22)} {b}</td>'
                       f'<td style="padding:3px 10px">{escape(res)}</td></tr>')
        out.append('</table>')
    out.append('</div>')
    return "".join(out)
