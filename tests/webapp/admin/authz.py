"""Harness of the authorization matrix: the six kinds of visitor, URLs for every rule, requests."""
from urllib.parse import urlsplit

from werkzeug.routing import BuildError, IntegerConverter

from webapp.extensions import db
from webapp.models import Game, Session, User
from webapp.sessions.seats import create_session

VISITORS = ("anonymous", "guest", "student", "researcher", "instructor", "admin")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
MISSING_ID = 987654
ENDPOINT_VALUES = {"static": {"filename": "css/app.css"}}


def make_world(app):
    """Accounts of every kind, sessions owned by the instructor, a target account.

    Returns the values URL rules are built with and the cookie of each visitor."""
    with app.app_context():
        users = {}
        for username, kind in (("student", "student"), ("researcher", "researcher"),
                               ("instructor", "instructor"), ("admin", "admin"),
                               ("target", "student")):
            user = User(username=username, display_name=username.title(), kind=kind,
                        perm_accounts=kind == "admin", perm_games=kind == "admin",
                        perm_research=kind in ("admin", "researcher"))
            user.set_password("pw")
            db.session.add(user)
            users[username] = user
        db.session.commit()
        version = Game.query.filter_by(slug="tic_tac_toe").one().current_version
        with app.test_request_context():
            sessions = [create_session(users["instructor"], version) for _ in range(4)]
        keys = [s.key for s in sessions]
        values = {"key": keys[0], "slug": "tic_tac_toe", "version": version.version_hash,
                  "filename": "missing.png", "user_id": users["target"].id,
                  "token": "st_missing_token", "record_id": MISSING_ID,
                  "playthrough_id": MISSING_ID, "note_id": MISSING_ID,
                  "token_id": MISSING_ID, "number": 1, "job_id": "no-such-job", "name": "none"}
        ids = {name: u.id for name, u in users.items()}
    return values, keys, ids


def guest_cookie(app, keys):
    """The cookie of a browser that joined the sessions ``keys`` as a guest."""
    client = app.test_client()
    for key in keys:
        client.post(f"/s/{key}/join", data={"display_name": "Gus"})
    with client.session_transaction() as cookie:
        return dict(cookie)


def start_game(app, key, owner_id):
    """The owner plays X against a bot playing O; X is to move, so the game waits."""
    client = client_for(app, "instructor", {"instructor": owner_id}, None)
    with app.app_context():
        seat_id = Session.query.filter_by(key=key).one().participants[0].id
    client.post(f"/s/{key}/seat", data={"participant_id": seat_id, "roles": 0})
    client.post(f"/s/{key}/bot", data={"role": 1, "strategy": "first"})
    client.post(f"/s/{key}/start")
    with app.app_context():
        assert Session.query.filter_by(key=key).one().status == "in_progress"


def client_for(app, visitor, ids, guest):
    """A fresh test client for one request (so logouts and joins never leak)."""
    client = app.test_client()
    with client.session_transaction() as cookie:
        if visitor == "guest":
            cookie.update(guest)
        elif visitor != "anonymous":
            with app.app_context():   # logging out ends all of an account's cookies
                cookie["_user_id"] = db.session.get(User, ids[visitor]).get_id()
            cookie["_fresh"] = True
    return client


def rule_url(app, rule, values):
    values = {**values, **ENDPOINT_VALUES.get(rule.endpoint, {})}
    with app.test_request_context():
        from flask import url_for
        try:
            args = {a: values[a] for a in rule.arguments}
            for name, converter in rule._converters.items():
                if isinstance(converter, IntegerConverter) and not isinstance(args[name], int):
                    args[name] = 1
            return url_for(rule.endpoint, **args)
        except (BuildError, KeyError) as exc:
            raise AssertionError(f"no test value for {rule.rule}: {exc}")


def route_keys(app):
    """'METHOD /rule' for every rule and method of the app."""
    keys = set()
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            keys.add(f"{method} {rule.rule}")
    return keys


def socket_answer(base, url, client):
    """'101' if the WebSocket opens and sends a snapshot, else the close code it got."""
    import websocket
    cookie = client.get_cookie("session")
    path = urlsplit(url).path
    ws = websocket.create_connection(base.replace("http://", "ws://") + path, origin=base,
                                     cookie=f"session={cookie.value}" if cookie else None,
                                     timeout=5)
    try:
        opcode, data = ws.recv_data(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return str(int.from_bytes(data[:2], "big"))
        return "101"
    finally:
        ws.close()
