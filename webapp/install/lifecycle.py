"""A game's lifecycle: dev → beta → published → deprecated, each step recorded."""
from ..extensions import db
from ..models import GAME_STATUSES
from .models import GameStatusChange

NEXT = {"dev": "beta", "beta": "published", "published": "deprecated"}
BACK = {"beta": "dev", "published": "beta", "deprecated": "published"}
ACTION_NAMES = {"beta": "Move to beta", "published": "Publish", "deprecated": "Deprecate",
                "dev": "Back to development"}


class LifecycleError(Exception):
    """A status change that is not allowed."""


def allowed_moves(game):
    return [s for s in (NEXT.get(game.status), BACK.get(game.status)) if s]


def set_status(game, status, user):
    """Move the game one step forward or back and record when and by whom."""
    if status not in GAME_STATUSES:
        raise LifecycleError(f"Unknown status {status!r}.")
    if status not in allowed_moves(game):
        raise LifecycleError(f"A {game.status} game cannot become {status}.")
    db.session.add(GameStatusChange(game=game, from_status=game.status, to_status=status,
                                    user_id=user.id))
    game.status = status
    db.session.commit()


def history(game):
    return (GameStatusChange.query.filter_by(game_id=game.id)
            .order_by(GameStatusChange.changed_at, GameStatusChange.id).all())
