"""Role-specific HTML visualization of Deduction Cards.

The hands are secret and live in the PFF module's globals, so the vis finds
that module through ``sys.modules[type(state).__module__]`` and reads only
the viewer's own hand (``_HANDS[role_num]``) and the private "shown" records
the viewer took part in.  Observers (and ``role_num=None``) see only the
public side.

Tier 1: clickable card tiles and buttons (``data-op-index``), card popups
(``data-info``) and a right-click menu on every notebook row
(``data-context``: about the card, and "Suggest"/"Accuse" when possible).
"""
import json
import sys
from html import escape

CAT_COLORS = {"suspect": "#7b4fa0", "weapon": "#46596b", "room": "#2e7d4f"}
CAT_ICONS = {"suspect": "\u265f", "weapon": "\u2694", "room": "\u2302"}


def _pff(state):
    mod = sys.modules.get(type(state).__module__)
    if mod is None or not hasattr(mod, "_HANDS"):
        import Deduction_Cards_SZ6 as mod   # the game folder is on sys.path
    return mod


def _attr(text):
    return escape(text, quote=True)


def _tile(g, card, op_index=None, info=None, note="", dim=False, title=None):
    cat = g.card_category(card)
    color = CAT_COLORS[cat]
    attrs = ""
    if op_index is not None:
        attrs += f' data-op-index="{op_index}"'
    if info:
        attrs += f' data-info="{_attr(info)}"'
    cursor = "pointer" if (op_index is not None or info) else "default"
    border = f"3px solid {color}" if op_index is not None else "1px solid #bbb"
    tip = f' title="{_attr(title)}"' if title else ""
    # The tile grows with its text (a phone's larger text, a long note) instead of
    # cutting it off; a word longer than the tile breaks.
    return (f'<div{attrs}{tip} style="display:inline-block;vertical-align:top;width:104px;'
            f'min-height:74px;margin:4px;border-radius:8px;border:{border};background:#fff;'
            f'box-shadow:0 1px 3px rgba(0,0,0,0.15);cursor:{cursor};overflow-wrap:anywhere;'
            f'padding-bottom:3px;opacity:{0.45 if dim else 1}">'
            f'<div style="background:{color};color:#fff;font-size:11px;padding:2px 6px;'
            f'border-radius:5px 5px 0 0">{CAT_ICONS[cat]} {cat}</div>'
            f'<div style="font-size:13px;font-weight:bold;padding:4px 6px 0 6px;color:#222">'
            f'{escape(card)}</div>'
            f'<div style="font-size:10px;color:#666;padding:0 6px">{escape(note)}</div></div>')


def _button(label, op_index, color="#7b4fa0", info=None):
    extra = f' data-info="{_attr(info)}"' if info else ""
    return (f'<span data-op-index="{op_index}"{extra} style="display:inline-block;margin:4px;'
            f'padding:7px 14px;border-radius:16px;background:{color};color:#fff;'
            f'font-size:13px;font-weight:bold;cursor:pointer">{escape(label)}</span>')


def _slots(g, cards, label):
    cells = []
    for i, cat in enumerate(g.CATEGORIES):
        name = cards[i] if i < len(cards) else "?"
        cells.append(f'<span style="display:inline-block;margin:2px 4px;padding:3px 10px;'
                     f'border-radius:10px;background:{CAT_COLORS[cat] if i < len(cards) else "#ddd"};'
                     f'color:{"#fff" if i < len(cards) else "#666"};font-size:13px">'
                     f'{escape(name)}</span>')
    return (f'<div style="margin:4px 0"><b style="font-size:13px">{escape(label)}</b> '
            + "".join(cells) + "</div>")


def render_state(state, role_num=None, instance_data=None, read_only=False):
    g = _pff(state)
    seated = role_num in state.active
    hand = list(g._HANDS.get(role_num, [])) if seated else []
    seen, showed = g.private_knowledge(state, role_num) if seated else ([], [])
    seen_by_card = {card: p for _, p, card in seen}
    over = state.is_goal()
    envelope = list(state.revealed or []) if over else []
    cur = state.current_role_num
    # read_only: a past state shown to look back at, so no choices to click
    my_turn = (not over) and not read_only and seated and role_num == cur

    out = ['<div style="font-family:sans-serif;max-width:760px;margin:auto;'
           'background:#faf7f0;border-radius:12px;padding:12px 16px;color:#222">']
    who = g.role_name(role_num) if seated else "Observer (public view)"
    out.append(f'<div style="font-size:20px;font-weight:bold">Deduction Cards '
               f'<span style="font-size:14px;font-weight:normal;color:#555">\u2014 {escape(who)}'
               f'</span></div>')

    # ---- status line ----
    if over:
        out.append(f'<div style="margin:8px 0;padding:10px;border-radius:8px;background:#fff3c4;'
                   f'font-size:15px">{escape(state.goal_message())}</div>')
        out.append('<div><b style="font-size:13px">The envelope:</b><br>'
                   + "".join(_tile(g, c, info=g.DESCRIPTIONS[c], note="in the envelope")
                             for c in envelope) + "</div>")
    else:
        status = (f"Round {state.round_no()} of {g.ROUNDS_CAP} \u00b7 "
                  f"{g.role_name(state.suggester)}'s turn")
        if state.phase == "respond":
            status += f" \u00b7 {g.role_name(cur)} must answer the suggestion"
        out.append(f'<div style="margin:6px 0;font-size:14px;color:#444">{escape(status)}</div>')
        if state.phase in g.PICK_PHASES[1:] or state.phase in ("respond", "decide"):
            out.append(_slots(g, state.suggestion, "Suggestion:"))
        if state.phase in g.ACCUSE_PHASES:
            out.append(_slots(g, state.accusation, "Accusation:"))

    # ---- action panel ----
    panel = []
    if my_turn:
        ph = state.phase
        if ph in g.PICK_PHASES:
            cat = g.PICK_PHASES.index(ph)
            panel.append(f'<div style="font-size:14px;margin-bottom:4px">Make a suggestion: '
                         f'choose a <b>{g.CATEGORIES[cat]}</b>.</div>')
            for k, card in enumerate(g.CATEGORY_CARDS[cat]):
                note = "in your hand" if card in hand else (
                    "shown to you" if card in seen_by_card else "")
                panel.append(_tile(g, card, op_index=g.OP_SUGGEST[cat] + k,
                                   info=g.DESCRIPTIONS[card], note=note,
                                   title=f"Suggest {card}"))
            if ph == "pick_suspect":
                panel.append("<div>" + _button(
                    "Accuse now (without suggesting)", g.OP_ACCUSE_NOW, "#a33",
                    "Skip the suggestion and name suspect, weapon and room. "
                    "A wrong accusation eliminates you.") + "</div>")
        elif ph == "respond":
            match = [c for c in state.suggestion if c in hand]
            if match:
                panel.append(f'<div style="font-size:14px">{escape(g.role_name(state.suggester))} '
                             f'suggests {escape(g.triple_text(state.suggestion))}. '
                             f'Choose a card to show (only they will see it):</div>')
                for card in match:
                    panel.append(_tile(g, card, op_index=g.OP_SHOW + g.CARDS.index(card),
                                       note="click to show", title=f"Show {card}"))
            else:
                panel.append('<div style="font-size:14px">You hold none of the suggested cards: '
                             '"Cannot show" is recorded for you.</div>')
        elif ph == "decide":
            ev = state.history[-1] if state.history else None
            if ev and ev["kind"] == "suggestion" and ev.get("shown_by") is not None:
                card = next((c for k, p, c in seen if k == ev["k"]), None)
                panel.append(f'<div style="font-size:14px">{escape(g.role_name(ev["shown_by"]))} '
                             f'secretly showed you{":" if card else " a card."}</div>')
                if card:
                    panel.append(_tile(g, card, info=g.DESCRIPTIONS[card],
                                       note="not in the envelope"))
            elif ev and ev["kind"] == "suggestion":
                panel.append('<div style="font-size:14px;font-weight:bold;color:#a33">'
                             'Nobody could show a card!</div>')
            panel.append("<div>"
                         + _button("Accuse with current suggestion", g.OP_ACCUSE_CURRENT, "#a33",
                                   "Claim the envelope holds exactly your suggestion. "
                                   "If you are wrong, you are eliminated.")
                         + _button("Make a different accusation", g.OP_ACCUSE_OTHER, "#a36a33")
                         + _button("End turn", g.OP_END_TURN, "#46596b")
                         + "</div>")
        elif ph in g.ACCUSE_PHASES:
            cat = g.ACCUSE_PHASES.index(ph)
            panel.append(f'<div style="font-size:14px;margin-bottom:4px;color:#a33">Accusation: '
                         f'choose a <b>{g.CATEGORIES[cat]}</b>.</div>')
            for k, card in enumerate(g.CATEGORY_CARDS[cat]):
                known = card in hand or card in seen_by_card
                panel.append(_tile(g, card, op_index=g.OP_ACCUSE_PICK[cat] + k,
                                   info=g.DESCRIPTIONS[card], dim=known,
                                   note="you know it is not in the envelope" if known else "",
                                   title=f"Accuse {card}"))
            if not state.cancel_used:
                panel.append("<div>" + _button("Cancel accusation", g.OP_CANCEL, "#46596b",
                                               "Withdraw (once per turn).") + "</div>")
    elif not over:
        what = {"respond": "answer the suggestion", "decide": "accuse or end the turn"}.get(
            state.phase, "make a suggestion" if state.phase in g.PICK_PHASES else "accuse")
        panel.append(f'<div style="font-size:14px;color:#666">Waiting for '
                     f'{escape(g.role_name(cur))} to {what}.</div>')
    if panel:
        out.append('<div style="margin:8px 0;padding:10px;border-radius:10px;background:#fff;'
                   'border:1px solid #e2dccb">' + "".join(panel) + "</div>")

    # ---- your hand ----
    if seated:
        tiles = "".join(_tile(g, c, info=g.DESCRIPTIONS[c] + " It is in your hand.",
                              note="your card") for c in hand)
        elim = (' <span style="color:#a33">(eliminated: you still show cards)</span>'
                if role_num in state.eliminated else "")
        out.append(f'<div data-section="hand" style="margin-top:8px"><b style="font-size:14px">'
                   f'Your hand</b>{elim}<br>{tiles or "(no cards)"}</div>')

    # ---- notebook ----
    cols = []
    for cat, cards in zip(g.CATEGORIES, g.CATEGORY_CARDS):
        rows = []
        for k, card in enumerate(cards):
            if card in envelope:
                mark, status = "\u2709", "In the envelope (the game is over)."
            elif card in hand:
                mark, status = "\u2714", "In your hand: not in the envelope."
            elif card in seen_by_card:
                mark, status = "\u25c9", (f"{g.role_name(seen_by_card[card])} showed it to "
                                              f"you: not in the envelope.")
            else:
                mark, status = "?", "You have not seen this card."
            info = f"{g.DESCRIPTIONS[card]} {status}"
            menu = [{"label": f"About {card}", "info": info}]
            if my_turn and state.phase == g.PICK_PHASES[g.CATEGORIES.index(cat)]:
                menu.append({"label": f"Suggest {card}",
                             "op_index": g.OP_SUGGEST[g.CATEGORIES.index(cat)] + k})
            if my_turn and state.phase == g.ACCUSE_PHASES[g.CATEGORIES.index(cat)]:
                menu.append({"label": f"Accuse {card}",
                             "op_index": g.OP_ACCUSE_PICK[g.CATEGORIES.index(cat)] + k})
            crossed = mark in ("\u2714", "\u25c9")
            rows.append(f"<div data-info=\"{_attr(info)}\" data-context='{_attr(json.dumps(menu))}' "
                        f'style="display:flex;justify-content:space-between;padding:3px 6px;'
                        f'border-bottom:1px solid #eee;font-size:13px;cursor:pointer;'
                        f'{"text-decoration:line-through;color:#999" if crossed else ""}">'
                        f'<span>{escape(card)}</span><span>{mark}</span></div>')
        cols.append(f'<div style="flex:1;min-width:150px;margin:4px;background:#fff;'
                    f'border-radius:8px;border:1px solid #e2dccb">'
                    f'<div style="background:{CAT_COLORS[cat]};color:#fff;padding:4px 8px;'
                    f'border-radius:8px 8px 0 0;font-size:13px">{CAT_ICONS[cat]} '
                    f'{cat.capitalize()}s</div>' + "".join(rows) + "</div>")
    out.append('<div style="margin-top:8px"><b style="font-size:14px">Notebook</b> '
               '<span style="font-size:11px;color:#777">(click a row for details, '
               'right-click for actions)</span>'
               '<div style="display:flex;flex-wrap:wrap">' + "".join(cols) + "</div></div>")

    # ---- public log (with the viewer's own private notes) ----
    if state.history:
        items = []
        mine = {k: f" (you saw: {c})" for k, _, c in seen}
        mine.update({k: f" (you showed: {c})" for k, _, c in showed})
        for e in state.history[-8:]:
            text = g.event_text(e) + (mine.get(e.get("k"), "") if e["kind"] == "suggestion" else "")
            items.append(f'<li style="margin:2px 0">{escape(text)}</li>')
        out.append('<div style="margin-top:8px;font-size:12px;color:#444"><b>Recent events</b>'
                   '<ul style="margin:4px 0 0 18px;padding:0">' + "".join(items) + "</ul></div>")
    out.append("</div>")
    return "".join(out)
