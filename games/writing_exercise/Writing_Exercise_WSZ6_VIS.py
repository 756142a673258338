"""HTML view of the Writing Exercise: phase, word-count bar, draft, review."""
import html

MIN_WORDS = 50
OP_SUBMIT, OP_REVISE, OP_FINISH = 1, 2, 3

_BUTTON = ("display:inline-block;margin:4px 6px 0 0;padding:6px 14px;border-radius:6px;"
           "background:#2b6cb0;color:#fff;font-weight:600;cursor:pointer")


def _button(label, op_index):
    return f'<span data-op-index="{op_index}" style="{_BUTTON}">{html.escape(label)}</span>'


def render_state(state):
    words = getattr(state, "word_count", 0)
    phase = getattr(state, "phase", "drafting")
    pct = min(100, int(100 * words / MIN_WORDS)) if MIN_WORDS else 100
    bar_colour = "#38a169" if words >= MIN_WORDS else "#dd6b20"
    parts = ['<div style="font-family:Georgia,serif;max-width:720px;color:#1a202c">',
             '<div style="display:flex;justify-content:space-between;align-items:center">',
             f'<strong style="font-size:1.2em">Phase: {html.escape(phase)}</strong>',
             f'<span>Drafts saved: {int(getattr(state, "drafts_saved", 0))} &middot; '
             f'reviews: {int(getattr(state, "reviews", 0))}</span></div>',
             f'<div style="margin:8px 0">Word count: <strong>{words}</strong> '
             f'(at least {MIN_WORDS} to submit)</div>',
             '<div style="background:#e2e8f0;border-radius:4px;height:12px">'
             f'<div style="width:{pct}%;height:12px;border-radius:4px;'
             f'background:{bar_colour}"></div></div>']
    draft = getattr(state, "draft", "")
    parts.append('<div style="margin-top:12px;padding:12px;background:#fffdf5;'
                 'border:1px solid #e2d8b8;border-radius:6px;white-space:pre-wrap;'
                 'max-height:320px;overflow:auto">'
                 + (html.escape(draft) if draft else
                    '<em style="color:#718096">No draft yet: use "Write draft".</em>')
                 + '</div>')
    review = getattr(state, "review", [])
    if review:
        parts.append('<div style="margin-top:12px"><strong>Review checklist</strong>'
                     '<ul style="list-style:none;padding-left:0;margin:6px 0">')
        for ok, remark in review:
            mark, colour = ("&#10003;", "#2f855a") if ok else ("&#9675;", "#c05621")
            parts.append(f'<li style="margin:3px 0"><span style="color:{colour};'
                         f'font-weight:700">{mark}</span> {html.escape(str(remark))}</li>')
        parts.append('</ul></div>')
    if getattr(state, "finished", False):
        parts.append('<div style="margin-top:10px;padding:8px;background:#c6f6d5;'
                     f'border-radius:6px">{html.escape(state.goal_message())}</div>')
    else:
        buttons = []
        if state.can_submit():
            buttons.append(_button("Submit for review", OP_SUBMIT))
        if state.can_revise():
            buttons.append(_button("Revise", OP_REVISE))
        if state.can_finish():
            buttons.append(_button("Finish", OP_FINISH))
        if buttons:
            parts.append('<div style="margin-top:10px">' + "".join(buttons) + '</div>')
    parts.append('</div>')
    return "".join(parts)
