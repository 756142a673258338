"""rq-dashboard (a maintained job monitor) mounted at /admin/rq, for admins only.

Made safe for our pages: its one inline script runs under a per-response CSP nonce
(our copy of its base.html, ``templates/rq_dashboard/base.html``); its templates
are compiled by underscore.js, so its pages alone also allow ``'unsafe-eval'``.
Every state-changing route must be a POST with our CSRF token (sent by its
jQuery calls as ``X-CSRFToken``); the package's own GET on "requeue all" is refused.
"""
from flask import abort, request
from flask_login import current_user

STATE_CHANGING = {"delete_job_view", "requeue_job_view", "requeue_all", "empty_queue",
                  "compact_queue"}
DASHBOARD_CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}' 'unsafe-eval'; "
                 "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                 "object-src 'none'; base-uri 'self'; frame-ancestors 'self'; "
                 "form-action 'self'")


def admins_only():
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403)
    endpoint = (request.endpoint or "").rpartition(".")[2]
    if endpoint in STATE_CHANGING and request.method != "POST":
        abort(405)


def dashboard_policy(response):
    """The dashboard's own Content Security Policy (set before the app's default)."""
    from flask import g
    if (request.blueprint or "") == "rq_dashboard" and getattr(g, "csp_nonce", None):
        response.headers["Content-Security-Policy"] = DASHBOARD_CSP.format(nonce=g.csp_nonce)
    return response


def mount(app, csrf):
    """Mount rq-dashboard when Redis is configured (its POSTs keep CSRF protection)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return False
    import rq_dashboard
    from rq_dashboard.web import setup_rq_connection
    bp = rq_dashboard.blueprint
    if admins_only not in bp.before_request_funcs.get(None, []):
        bp.before_request_funcs.setdefault(None, []).insert(0, admins_only)
    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", url)
    app.register_blueprint(bp, url_prefix="/admin/rq")
    app.after_request(dashboard_policy)
    setup_rq_connection(app)
    return True
