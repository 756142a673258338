"""Chat bubbles for Chat with a Model (all text escaped: it comes from players)."""
import html

OP_END = 1


def render_state(state):
    history = getattr(state, "history", [])
    parts = ['<div style="font-family:system-ui,sans-serif;max-width:640px;'
             'background:#f7fafc;border:1px solid #e2e8f0;border-radius:10px;padding:12px">',
             f'<div style="color:#4a5568;margin-bottom:8px">Exchanges: '
             f'{int(getattr(state, "exchanges", 0))} of 20</div>']
    for speaker, text in history:
        mine = speaker == "Student"
        align = "flex-end" if mine else "flex-start"
        colour = "#bee3f8" if mine else "#ffffff"
        parts.append(
            f'<div style="display:flex;justify-content:{align};margin:6px 0">'
            f'<div style="max-width:75%;background:{colour};border:1px solid #cbd5e0;'
            'border-radius:12px;padding:8px 12px;white-space:pre-wrap">'
            f'<div style="font-size:0.75em;color:#718096">{html.escape(str(speaker))}</div>'
            f'{html.escape(str(text))}</div></div>')
    if state.is_goal():
        parts.append('<div style="margin-top:8px;padding:6px;background:#c6f6d5;'
                     f'border-radius:6px">{html.escape(state.goal_message())}</div>')
    elif state.can_end():
        parts.append(f'<div style="margin-top:8px"><span data-op-index="{OP_END}" '
                     'style="padding:6px 12px;border-radius:6px;background:#c53030;'
                     'color:#fff;cursor:pointer">End conversation</span></div>')
    parts.append('</div>')
    return "".join(parts)
