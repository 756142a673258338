"""The API tokens page: create (secret shown once), list, regenerate, revoke."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .access import research_required
from .tokens import TokenError, create_token, own_token, regenerate, revoke, tokens_of


def tokens_page(secret=None, named=None, status=200):
    response = make_response(render_template("research/tokens.html", secret=secret,
                                             tokens=tokens_of(current_user), named=named), status)
    response.headers["Cache-Control"] = "no-store"   # a secret may be on this page
    return response


@bp.route("/tokens", methods=["GET", "POST"])
@research_required
def tokens():
    """List my API tokens; POST creates one and shows its secret this once."""
    if request.method == "GET":
        return tokens_page()
    try:
        row, secret = create_token(current_user, request.form.get("name"))
    except TokenError as exc:
        flash(str(exc), "error")
        return tokens_page(status=400)
    return tokens_page(secret, row.name)


def my_token(token_id):
    row = own_token(current_user, token_id)
    if row is None:
        abort(404)
    return row


@bp.route("/tokens/<int:token_id>/regenerate", methods=["POST"])
@research_required
def regenerate_token(token_id):
    """Replace a token's secret: the old one stops working, the new one is shown once."""
    row = my_token(token_id)
    try:
        secret = regenerate(row)
    except TokenError as exc:
        flash(str(exc), "error")
        return redirect(url_for("research.tokens"))
    return tokens_page(secret, row.name)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@research_required
def revoke_token(token_id):
    """Revoke a token: requests with it are refused from now on."""
    row = my_token(token_id)
    revoke(row)
    flash(f"Token “{row.name}” revoked.", "ok")
    return redirect(url_for("research.tokens"))
