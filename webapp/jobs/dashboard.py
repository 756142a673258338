"""rq-dashboard (a maintained job monitor) mounted at /admin/rq, for admins only."""
from flask import abort
from flask_login import current_user


def admins_only():
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403)


def mount(app, csrf):
    """Mount rq-dashboard when Redis is configured; its AJAX actions carry no CSRF
    token, so they are exempted and rely on the admin login and SameSite cookies."""
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
    csrf.exempt(bp)
    setup_rq_connection(app)
    return True
