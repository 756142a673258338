"""The admin dashboard: counts, live sessions (polled), recent installs, job links."""
from flask import render_template

from . import bp, overview
from .guards import admin_required


@bp.route("/")
@admin_required()
def dashboard():
    """Counts, live sessions, recent installs and links to the job monitor."""
    from flask import current_app

    from ..games import sandbox_config
    config = sandbox_config(current_app._get_current_object())
    return render_template("admin/dashboard.html", counts=overview.counts(),
                           rows=overview.live_sessions(),
                           installs=overview.recent_installs(),
                           sandbox=config.describe(), sandbox_on=config.enabled)


@bp.route("/live")
@admin_required()
def live_sessions():
    """The live-sessions region alone (the dashboard polls it every 3 s)."""
    return render_template("admin/partials/_live_sessions.html",
                           rows=overview.live_sessions())
