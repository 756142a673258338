"""Which version of a game a new session plays: the one publishing rule.

A game's first version is live at once.  A new version of a game stays in
development, used only by debug play and by the account that installed it,
until a game admin promotes it (``install.lifecycle.promote``, logged in the
game's history).  Sessions keep the version they started with.
"""
from ..install.models import GameInstall


def installed_version(user, version):
    """Did ``user`` install this exact version?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return GameInstall.query.filter_by(user_id=user.id,
                                       game_version_id=version.id).first() is not None


def version_for(user, game, debug=False):
    """The version a new session of ``game`` started by ``user`` plays."""
    newest, live = game.current_version, game.live_version
    if newest is None or live is None or newest is live:
        return live or newest
    if debug or installed_version(user, newest):
        return newest
    return live
