"""Bearer-token authentication and JSON errors for the API."""
from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException

from ..research.tokens import user_for_secret
from . import bp

PUBLIC_ENDPOINTS = {"api.openapi", "api.signing_key"}


def error(status, code, message, headers=None):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.before_request
def require_token():
    """Every API call but the OpenAPI document needs ``Authorization: Bearer <token>``."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, secret = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return error(401, "unauthorized", "Send an API token: Authorization: Bearer <token> "
                     "(create one on /research/tokens).", {"WWW-Authenticate": "Bearer"})
    user = user_for_secret(secret.strip())
    if user is None:
        return error(401, "invalid_token", "This API token is unknown, revoked, or its owner "
                     "no longer has research access.",
                     {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    g.api_user = user
    return None


@bp.errorhandler(HTTPException)
def http_error(exc):
    return error(exc.code, exc.name.lower().replace(" ", "_"), exc.description)
