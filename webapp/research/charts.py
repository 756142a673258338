"""Chart data from the play-through rows, drawn by pygal as server-side SVG (and CSV)."""
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


def count_ticks(peak):
    """Whole-number y ticks from 0 up to ``peak`` or just past it: at least three."""
    top = max(int(math.ceil(peak)), 2)
    step = nice_width(top, bins=8)
    last = -(-top // step) * step
    return list(range(0, last + 1, step))


STYLE = dict(font_family='system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
             label_font_size=15, major_label_font_size=15, legend_font_size=15,
             title_font_size=17, tooltip_font_size=15, value_font_size=15,
             value_label_font_size=15, no_data_font_size=18,
             background="#ffffff", plot_background="#ffffff", foreground="#1b1f24",
             foreground_strong="#1b1f24", foreground_subtle="#5a6370", colors=PALETTE)


def svg_chart(title, columns, rows, axes, labels=None, width=900, height=460):
    """A stacked bar chart drawn by pygal as inline SVG: readable labels (15 px), axis
    titles, whole-number y ticks; ``labels`` turns x values (game slugs) into names."""
    import pygal
    from pygal.style import Style
    xs, series, values = stacked(columns, rows)
    if not xs:
        return Markup(f'<p class="muted">No data for “{escape(title)}” yet.</p>')
    peak = max(sum(values.get((x, s), 0) for s in series) for x in xs)
    chart = pygal.StackedBar(
        style=Style(**STYLE), width=width, height=height, js=[],
        disable_xml_declaration=True, x_title=axes[0], y_title=axes[1],
        x_label_rotation=-25 if len(xs) > 4 else 0, truncate_label=-1,
        truncate_legend=-1, show_legend=len(columns) == 3, legend_box_size=14,
        print_values=False, margin=16, spacing=12,
        y_labels=count_ticks(peak), show_minor_y_labels=True, classes=["chart"])
    chart.x_labels = [str((labels or {}).get(x, x)) for x in xs]
    for name in series:
        chart.add(str(name), [values.get((x, name), 0) or None for x in xs])
    return Markup(without_scripts(chart.render_tree()))


def without_scripts(tree):
    """The SVG text of pygal's tree less its <script> elements (pygal always adds its
    interactive config; our pages run no inline script)."""
    import xml.etree.ElementTree as ElementTree
    for parent in tree.iter():
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return ElementTree.tostring(tree, encoding="unicode")


AXES = {"outcomes": ("Game", "Play-throughs"), "moves": ("Moves", "Play-throughs"),
        "durations": ("Seconds", "Play-throughs"),
        "validation": ("Day (UTC)", "Play-throughs")}


def game_names(records):
    """{slug: name} of the games of ``records`` (chart labels say names, not slugs)."""
    version_ids = {r.session.game_version_id for r in records}
    if not version_ids:
        return {}
    return dict(Game.query.join(GameVersion).with_entities(Game.slug, Game.name)
                .filter(GameVersion.id.in_(version_ids)).all())
