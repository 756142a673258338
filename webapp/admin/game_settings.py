"""Per-game settings of game processes, for game admins: environment variables (an API
key for a game that calls a model), network access, time allowed per move."""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Game
from . import bp
from .guards import admin_required

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
RESERVED = {"PYTHONHASHSEED", "PYTHONPATH", "PATH", "HOME", "LANG", "LD_PRELOAD",
            "LD_LIBRARY_PATH", "PYTHONDONTWRITEBYTECODE"}
MAX_SECONDS = 600


class SettingsError(Exception):
    """A settings form that cannot be saved; the message is for people."""


def parse_env(text):
    """``NAME=value`` lines (blank lines and # comments skipped) as a dict."""
    env = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not NAME_RE.match(name):
            raise SettingsError(f"Line {number}: write NAME=value (a name of letters, "
                                "digits and _).")
        if name in RESERVED:
            raise SettingsError(f"Line {number}: {name} is set by the portal itself.")
        if len(value) > 4096:
            raise SettingsError(f"Line {number}: the value is too long (at most 4096).")
        env[name] = value
    if len(env) > 50:
        raise SettingsError("At most 50 variables.")
    return env


def parse_settings(form, old):
    env_text = form.get("env", "")
    env = parse_env(env_text)
    for name, value in env.items():       # a masked value left as shown keeps the old one
        if value == masked(old.get("env", {}).get(name)):
            env[name] = old["env"][name]
    try:
        seconds = float(form.get("move_seconds") or 10)
    except ValueError:
        raise SettingsError("The time per move must be a number of seconds.") from None
    if not 1 <= seconds <= MAX_SECONDS:
        raise SettingsError(f"The time per move must be between 1 and {MAX_SECONDS} s.")
    return {"env": env, "network": form.get("network") == "on", "move_seconds": seconds}


def masked(value):
    if not value:
        return value
    return value[:2] + "•" * 6 if len(value) > 4 else "•" * 6


@bp.route("/games/<slug>/settings", methods=["GET", "POST"])
@admin_required("perm_games")
def game_settings(slug):
    """The game's process settings (the install check uses them too)."""
    game = Game.query.filter_by(slug=slug).first_or_404()
    old = dict(game.settings or {})
    error = None
    if request.method == "POST":
        try:
            game.settings = parse_settings(request.form, old)
            db.session.commit()
            from ..games import remember_settings
            remember_settings(slug, game.settings)
            flash(f"Settings of {game.name} saved by {current_user.display_name}; game "
                  "processes started from now on use them.", "info")
            return redirect(url_for("admin.game_settings", slug=slug))
        except SettingsError as exc:
            error = str(exc)
    env_text = "\n".join(f"{k}={masked(v)}" for k, v in (old.get("env") or {}).items())
    return render_template("admin/game_settings.html", game=game, error=error,
                           env_text=env_text, network=bool(old.get("network")),
                           move_seconds=old.get("move_seconds") or 10,
                           sandbox_network=_network_possible())


def _network_possible():
    from flask import current_app

    from ..games import sandbox_config
    config = sandbox_config(current_app._get_current_object())
    return not config.enabled or bool(config.slirp)
