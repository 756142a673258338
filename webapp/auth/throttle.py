"""Login throttling: per account, per address, and per known browser, counted in Redis.

Every login attempt is counted (atomically, a moving window per limit) under
the address it came from and the account it names.  Each limit is a stack of
windows (``5/minute;10/10 minutes;...``), so the wait grows with the number
of attempts: seconds at first, then minutes, then an hour.  Counting every
attempt, not only the failed ones, keeps parallel guesses from slipping in
between a check and its count.

Nobody can shut an account's owner out with it: a browser that logged in to
the account before carries a signed device cookie, and its attempts are
counted under that cookie alone (with its own, smaller limit), never under
the address or the account an attacker is hammering.

The counters live in Redis (``REDIS_URL``), so every web process sees the same
ones; without Redis, or while it is unreachable, each process counts alone.
"""
import logging
import secrets
import time

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)
DEVICE_COOKIE = "sz_device"
DEVICE_MAX_AGE = 365 * 24 * 3600
# A lecture hall behind one NAT address logs in at once: the address limit is generous,
# each account's own limit is what stops guessing.
DEFAULT_LIMITS = {
    "LOGIN_LIMITS_ACCOUNT": "5/minute;10/10 minutes;20/hour;50/day",
    "LOGIN_LIMITS_ADDRESS": "200/minute;2000/hour",
    "LOGIN_LIMITS_DEVICE": "10/minute;30/hour",
}


class Throttle:
    """The login counters of one app (``app.extensions["login_throttle"]``)."""

    def __init__(self, app):
        self.limits = {name: parse_many(app.config.get(name) or default)
                       for name, default in DEFAULT_LIMITS.items()}
        uri = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL")
        self.fallback = MovingWindowRateLimiter(storage_from_string("memory://"))
        self.shared = None
        if uri and not uri.startswith("memory"):
            self.shared = MovingWindowRateLimiter(storage_from_string(
                uri, socket_timeout=2, socket_connect_timeout=2))

    def _hit(self, limit, *key):
        """Count one attempt; False if the limit was already reached."""
        if self.shared is not None:
            try:
                return self.shared.hit(limit, "login", *key)
            except Exception as exc:  # Redis away: count in this process meanwhile
                log.warning("login throttle: Redis unreachable (%s); counting locally", exc)
        return self.fallback.hit(limit, "login", *key)

    def _wait(self, limit, *key):
        for limiter in (self.shared, self.fallback):
            if limiter is None:
                continue
            try:
                reset = limiter.get_window_stats(limit, "login", *key).reset_time
                return max(1, int(reset - time.time() + 0.999))
            except Exception:
                continue
        return 60

    def rules(self, username, address, device):
        if device:
            return [(limit, ("device", device)) for limit in self.limits["LOGIN_LIMITS_DEVICE"]]
        rules = [(limit, ("address", address or "?"))
                 for limit in self.limits["LOGIN_LIMITS_ADDRESS"]]
        if username:          # an empty name guesses nothing
            rules += [(limit, ("account", username))
                      for limit in self.limits["LOGIN_LIMITS_ACCOUNT"]]
        return rules

    def attempt(self, username, address, device=None):
        """Count a login attempt; returns None if it may go on, else seconds to wait."""
        for limit, key in self.rules(username, address, device):
            if not self._hit(limit, *key):
                return self._wait(limit, *key)
        return None


def normal_username(username):
    return (username or "").strip().lower()[:64]


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="login-device")


def known_device(username):
    """The id of this browser's device cookie if it logged in to ``username`` before."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != normal_username(username):
        return None
    return str(data.get("n") or "") or None


def remember_device(response, username):
    """Mark this browser as one that logged in to ``username`` (after a right password)."""
    if known_device(username):
        return response
    value = _serializer().dumps({"u": normal_username(username),
                                 "n": secrets.token_urlsafe(12)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, httponly=True,
                        samesite="Lax", path="/auth/",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def login_attempt(username):
    """Count this request's attempt to log in to ``username``; None or seconds to wait."""
    throttle = current_app.extensions["login_throttle"]
    return throttle.attempt(normal_username(username), request.remote_addr,
                            known_device(username))
