"""Chart data from the play-through rows, drawn as server-side SVG (and CSV)."""
import csv
import io
import math

from markupsafe import Markup, escape

from ..models import Game, GameVersion, PlayThroughRecord, Session
from .queries import filtered_sessions
from .replays import validation_class

CHARTS = {
    "outcomes": "Outcomes per game",
    "moves": "Moves per play-through",
    "durations": "Play-through durations (seconds)",
    "validation": "Validation classes over time",
}
PALETTE = ("#1f5fbf", "#1e7b34", "#a35c00", "#b3261e", "#6b3fa0", "#00796b", "#5a6370",
           "#c2185b", "#455a64", "#8d6e63")


def records_for(filters):
    """Play-through rows of the sessions matching ``filters`` (sorting ignored)."""
    ids = filtered_sessions(filters).with_entities(Session.id).order_by(None)
    return (PlayThroughRecord.query.filter(PlayThroughRecord.session_id.in_(ids))
            .order_by(PlayThroughRecord.started_at).all())


def outcome_category(record):
    if record.status != "ended":
        return "in progress"
    if record.end_reason != "goal":
        return record.end_reason or "ended"
    results = set((record.outcome or {}).values())
    if "win" in results:
        return "won"
    if results == {"draw"}:
        return "draw"
    return "finished"


def game_slugs(records):
    version_ids = {r.session.game_version_id for r in records}
    rows = (Game.query.join(GameVersion).with_entities(GameVersion.id, Game.slug)
            .filter(GameVersion.id.in_(version_ids)).all()) if version_ids else []
    return dict(rows)


def nice_width(top, bins=10):
    if top <= bins:
        return 1
    raw = top / bins
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def histogram(values):
    """[(label, count)] with equal-width bins from 0."""
    if not values:
        return []
    width = nice_width(max(values) + 1)
    counts = {}
    for v in values:
        counts[int(v // width)] = counts.get(int(v // width), 0) + 1
    out = []
    for b in range(max(counts) + 1):
        low = b * width
        label = str(low) if width == 1 else f"{low}–{low + width - 1}"
        out.append((label, counts.get(b, 0)))
    return out


def chart_data(name, records):
    """(columns, rows) of one chart's data."""
    if name == "outcomes":
        slugs = game_slugs(records)
        counts = {}
        for r in records:
            key = (slugs.get(r.session.game_version_id, "?"), outcome_category(r))
            counts[key] = counts.get(key, 0) + 1
        return (["game", "outcome", "playthroughs"],
                [[g, c, n] for (g, c), n in sorted(counts.items())])
    if name == "moves":
        values = [r.steps for r in records if r.status == "ended"]
        return ["moves", "playthroughs"], [list(x) for x in histogram(values)]
    if name == "durations":
        values = [int((r.ended_at - r.started_at).total_seconds()) for r in records
                  if r.ended_at and r.started_at]
        return ["seconds", "playthroughs"], [list(x) for x in histogram(values)]
    if name == "validation":
        counts = {}
        for r in records:
            key = (r.started_at.date().isoformat(), validation_class(r))
            counts[key] = counts.get(key, 0) + 1
        return (["day", "class", "playthroughs"],
                [[d, c, n] for (d, c), n in sorted(counts.items())])
    raise KeyError(name)


def as_csv(columns, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def stacked(columns, rows):
    """(x labels, series names, {(x, series): value}) from 3-column or 2-column rows."""
    if len(columns) == 2:
        return [r[0] for r in rows], [columns[1]], {(r[0], columns[1]): r[1] for r in rows}
    xs = list(dict.fromkeys(r[0] for r in rows))
    series = sorted(dict.fromkeys(r[1] for r in rows))
    return xs, series, {(r[0], r[1]): r[2] for r in rows}


def short(label, limit=16):
    label = str(label)
    return label if len(label) <= limit else label[:limit - 1] + "…"


def svg_chart(title, columns, rows, width=640, height=330):
    """A stacked bar chart as inline SVG markup (no scripts, escaped labels)."""
    xs, series, values = stacked(columns, rows)
    if not xs:
        return Markup(f'<p class="muted">No data for “{escape(title)}” yet.</p>')
    left, bottom, top, legend = 40, 90, 10, 120
    plot_w, plot_h = width - left - legend, height - top - bottom
    peak = max(sum(values.get((x, s), 0) for s in series) for x in xs) or 1
    step = plot_w / len(xs)
    bar_w = min(60.0, max(2.0, step * 0.7))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} '
             f'{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
             'stroke="#5a6370"/>',
             f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" font-size="11">{peak}</text>',
             f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>']
    for i, x in enumerate(xs):
        cx, base = left + i * step + (step - bar_w) / 2, top + plot_h
        for j, s in enumerate(series):
            value = values.get((x, s), 0)
            if not value:
                continue
            h = plot_h * value / peak
            base -= h
            parts.append(f'<rect x="{cx:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(x)}: '
                         f'{escape(s)} {value}</title></rect>')
        parts.append(f'<text x="{cx + bar_w / 2:.1f}" y="{top + plot_h + 14}" font-size="11" '
                     f'text-anchor="end" transform="rotate(-35 {cx + bar_w / 2:.1f} '
                     f'{top + plot_h + 14})">{escape(short(x))}</text>')
    for j, s in enumerate(series):
        y = top + 14 * j
        parts.append(f'<rect x="{left + plot_w + 10}" y="{y}" width="10" height="10" '
                     f'fill="{PALETTE[j % len(PALETTE)]}"/><text x="{left + plot_w + 24}" '
                     f'y="{y + 9}" font-size="11">{escape(s)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
