"""Charts page (SVG drawn by pygal on the server) and each chart's data as CSV."""
from flask import Response, abort, flash, redirect, render_template, request, url_for

from . import bp
from .access import research_required
from .charts import AXES, CHARTS, as_csv, chart_data, game_names, records_for, svg_chart
from .queries import FilterError, filter_choices, parse_filters


def chart_filters():
    args = {k: request.args[k] for k in ("game", "status", "owner", "validation", "from", "to")
            if request.args.get(k)}
    return args, parse_filters(args)


@bp.route("/charts")
@research_required
def charts():
    """Outcomes, moves, durations and validation classes, for the filtered sessions."""
    try:
        args, filters = chart_filters()
    except FilterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("research.charts"))
    records = records_for(filters)
    names = game_names(records)
    drawn = [(name, title, svg_chart(title, *chart_data(name, records), AXES[name],
                                     labels=names if name == "outcomes" else None))
             for name, title in CHARTS.items()]
    return render_template("research/charts.html", charts=drawn, query=args,
                           filters=filters, count=len(records), **filter_choices())


@bp.route("/charts/<name>.csv")
@research_required
def chart_csv(name):
    """One chart's data as CSV."""
    if name not in CHARTS:
        abort(404)
    try:
        _, filters = chart_filters()
    except FilterError as exc:
        return Response(str(exc) + "\n", status=400, mimetype="text/plain")
    body = as_csv(*chart_data(name, records_for(filters)))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"'})
