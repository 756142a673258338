"""The lobby as plain functions: create, join, seat, add bots, check the minimum."""
from ..auth.identity import remember_seat
from ..extensions import db
from ..models import BOT_STRATEGIES, Participant, Session, clean_display_name


class LobbyError(Exception):
    """A lobby change that is not allowed; the message is for people."""


def create_session(owner, game_version):
    """A new session in its lobby, with the owner as an unseated participant."""
    game_session = Session(owner=owner, game_version=game_version,
                           join_code=Session.new_join_code(), status="lobby")
    db.session.add(game_session)
    join_session(game_session, owner.display_name, user=owner)
    return game_session


def join_session(game_session, display_name, user=None, guest_id=None):
    """Add a person (account or guest) to a session; stores the seat token in the cookie."""
    name = clean_display_name(display_name)
    if not name:
        raise LobbyError("Please enter a name.")
    cap = game_session.game.game_metadata.get("max_players")
    people = [p for p in game_session.participants if p.kind != "bot"]
    if cap and len(people) >= int(cap) + 1:   # the owner does not count as a player
        raise LobbyError("This session is full.")
    participant = Participant(session=game_session, display_name=name, roles=[],
                              user_id=user.id if user else None, guest_id=guest_id,
                              kind="human" if user else "guest")
    token = participant.issue_token()
    db.session.add(participant)
    db.session.commit()
    remember_seat(game_session.key, token)
    return participant


def role_numbers(game_session):
    return {r["num"]: r for r in game_session.game.roles}


def player_roles(game_session):
    """Numbers of the roles that are not observers."""
    return [n for n, r in role_numbers(game_session).items() if not r["observer"]]


def set_roles(game_session, participant, roles):
    """Seat a participant in the given roles (empty = unseated)."""
    require_lobby(game_session)
    known = role_numbers(game_session)
    wanted = sorted({int(r) for r in roles})
    if any(r not in known for r in wanted):
        raise LobbyError("That role does not exist in this game.")
    participant.roles = wanted
    db.session.commit()


def add_bot(game_session, role, strategy):
    """Seat a bot in a role."""
    require_lobby(game_session)
    if strategy not in BOT_STRATEGIES:
        raise LobbyError(f"Unknown bot strategy {strategy!r}.")
    if int(role) not in player_roles(game_session):
        raise LobbyError("Bots can only play a player role.")
    bot = Participant(session=game_session, display_name=bot_name(game_session, strategy, [role]),
                      kind="bot", bot_strategy=strategy, roles=[int(role)], connected=True)
    db.session.add(bot)
    db.session.commit()
    return bot


def bot_name(game_session, strategy, roles):
    """A bot's display name: its strategy and the roles it plays now."""
    known = role_numbers(game_session)
    names = ", ".join(known[int(r)]["name"] for r in roles if int(r) in known)
    return clean_display_name(f"Bot ({strategy}) {names}")


def remove_participant(game_session, participant):
    """Remove a bot, or unseat a person (people keep their place in the session)."""
    require_lobby(game_session)
    if participant.kind == "bot":
        db.session.delete(participant)
    else:
        participant.roles = []
    db.session.commit()


def filled_roles(game_session):
    """Player roles with at least one participant seated."""
    players = set(player_roles(game_session))
    return sorted({r for p in game_session.participants for r in p.roles if r in players})


def minimum_status(game_session):
    """(filled player roles, minimum needed, met?)."""
    needed = int(game_session.game.game_metadata.get("min_players", 1) or 1)
    filled = len(filled_roles(game_session))
    return filled, needed, filled >= needed


def require_lobby(game_session):
    if game_session.status != "lobby":
        raise LobbyError("The session has already started; seats are fixed.")
