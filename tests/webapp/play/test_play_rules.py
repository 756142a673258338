"""Game-page rules over real sockets: perspectives, undo, rematch, lobby options, debug."""
import pathlib

from webapp.models import PlayThroughRecord, Session

from ..players import Player
from ..test_live import live_pt, move, play_setup, seat, setup_game
from .support import events, install, make_admin, session_row, wait_until

TTT_X_WINS = [(0, 4), (1, 0), (0, 1), (1, 2), (0, 7)]   # (role, op): X takes the middle column


def play_moves(pt, by_role, moves):
    for role, op in moves:
        version = pt.version
        move(by_role[role], pt, role, op)
        by_role[role].wait_version(version + 1)


def test_owner_may_view_a_role_but_a_student_observer_never_sees_hidden_choices(app, live_server):
    owner, (ann, bob, olly), key = play_setup(app, live_server, "rock_paper_scissors",
                                              [("Ann", [0]), ("Bob", [1]), ("Olly", [2])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 2)                       # Ann secretly throws scissors
    ann.wait_version(2)
    secret = "You chose <b>scissors</b>"
    as_ann = owner.http.get(f"{live_server}/s/{key}/play?as=0").text
    assert secret in as_ann and 'selected>Player A' in as_ann
    assert "you cannot move for this role" in as_ann          # viewing is not playing
    owner.wait_for(lambda t: secret in t)                      # the socket follows the choice
    for url in (f"/s/{key}/play?as=0", f"/s/{key}/play"):      # a student cannot switch
        assert secret not in olly.http.get(live_server + url).text
    assert all(secret not in t for t in olly.received + bob.received)
    public = owner.http.get(f"{live_server}/s/{key}/play?as=observer").text
    assert secret not in public and "You are watching." in public
    for p in (owner, ann, bob, olly):
        p.close()


def test_undo_button_follows_the_rules_and_the_owner_may_undo_any_move(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 4)
    assert 'id="undo-button"' in ann.wait_version(2)
    assert 'id="undo-button"' not in bob.wait_version(2)
    assert 'id="owner-undo"' in owner.wait_version(2)
    move(bob, pt, 1, 0)
    assert 'id="undo-button"' not in ann.wait_version(3)   # someone else has moved since
    ann.send(action="undo", role=0)
    assert "only undo your own last move" in ann.flash()
    owner.send(action="undo", role="")                      # the owner takes back Bob's move
    owner.wait_for(lambda t: "Teacher took back a move." in t)
    assert pt.k == 1
    undo = events(pt, "undo")[-1]
    with app.app_context():
        teacher = next(p.pseudonym for p in Session.query.filter_by(key=key).one().participants
                       if p.display_name == "Teacher")
    assert undo["owner"] is True and undo["actor"]["participant"] == teacher and undo["k"] == 1
    for p in (owner, ann, bob):
        p.close()


def test_no_undo_out_of_a_parallel_phase(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "rock_paper_scissors",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 0)
    assert 'id="undo-button"' not in ann.wait_version(2)
    ann.send(action="undo", role=0)
    assert "simultaneous phase cannot be undone" in ann.flash()
    assert pt.k == 1
    for p in (owner, ann, bob):
        p.close()


def test_rematch_keeps_the_seats_rotates_roles_and_takes_everyone_along(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    early = owner.post(f"/s/{key}/rematch", {}, csrf_from=f"/s/{key}/play",
                       headers={"HX-Request": "true"})
    assert "only after the play-through has ended" in early.text
    play_moves(pt, {0: ann, 1: bob}, TTT_X_WINS)
    assert pt.ended == "goal"
    response = owner.post(f"/s/{key}/rematch", {"rotate": "1"}, csrf_from=f"/s/{key}/play")
    assert response.ok
    for p in (owner, ann, bob):
        p.wait_for(lambda t: 'data-playthrough="2"' in t)
    with app.app_context():
        records = PlayThroughRecord.query.order_by(PlayThroughRecord.number).all()
        assert [(r.number, r.status) for r in records] == [(1, "ended"), (2, "in_progress")]
        game_session = Session.query.filter_by(key=key).one()
        assert game_session.status == "in_progress"
        roles = {p.display_name: p.roles for p in game_session.participants}
        assert roles == {"Teacher": [], "Ann": [1], "Bob": [0]}
    new = live_pt(app, key)
    assert new is not pt and new.k == 0
    assert "Your turn" in bob.http.get(f"{live_server}/s/{key}/play").text   # Bob is X now
    assert "play-through 2" in ann.http.get(f"{live_server}/s/{key}/play").text
    for p in (owner, ann, bob):
        p.close()


def test_lobby_options_choose_the_active_roles_passed_to_the_game(app, live_server):
    names = [("Ann", [0]), ("Bob", [1]), ("Cy", [2]), ("Dee", [3])]
    owner, players, key = setup_game(app, live_server, "deduction_cards", names)
    lobby = owner.http.get(f"{live_server}/s/{key}/lobby").text
    assert 'id="role-options"' in lobby
    owner.post(f"/s/{key}/options", {"active_roles": [0, 1]}, csrf_from=f"/s/{key}/lobby")
    refused = owner.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby",
                         headers={"HX-Request": "true"})
    assert "At least 3 roles must play" in refused.text
    assert session_row(app, key).status == "lobby"
    owner.post(f"/s/{key}/options", {"active_roles": [0, 1, 3]}, csrf_from=f"/s/{key}/lobby")
    assert owner.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby").ok
    pt = live_pt(app, key)
    assert events(pt, "playthrough_started")[0]["config"]["active_roles"] == [0, 1, 3]
    for role in (0, 1, 3):                                   # Cy's role was not dealt in
        assert "Your hand:" in pt.view(role).text and "(no cards)" not in pt.view(role).text
    assert "Your hand:" not in pt.view(2).text
    for p in [owner] + players:
        p.close()


def test_debug_play_seats_the_author_everywhere_and_purge_deletes_it(app, live_server):
    install(app, "writing_exercise", None)
    make_admin(app)
    setup_game(app, live_server, "tic_tac_toe", [])              # creates "teacher"
    teacher = Player(live_server).login("teacher")
    refused = teacher.post("/s/debug/deduction_cards", {}, csrf_from="/games/deduction_cards")
    assert refused.status_code == 403                            # not the teacher's game
    admin = Player(live_server).login("admin")
    page = admin.http.get(f"{live_server}/games/deduction_cards").text
    assert 'id="debug-play"' in page
    response = admin.post("/s/debug/deduction_cards", {}, csrf_from="/games/deduction_cards")
    key = response.url.split("/s/")[1].split("/")[0]
    row = session_row(app, key)
    with app.app_context():
        game_session = Session.query.filter_by(key=key).one()
        assert game_session.debug
        assert game_session.participants[0].roles == [0, 1, 2, 3, 4, 5]
    assert "Debug session" in response.text
    assert teacher.post("/s/debug/purge", {}, csrf_from="/").status_code == 403
    assert admin.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby").ok
    folder = (pathlib.Path(app.config["DATA_DIR"]) / "gdm" / "deduction_cards" / "sessions"
              / str(row.id))
    assert folder.exists()
    done = admin.post("/s/debug/purge", {}, csrf_from="/")
    assert "Deleted 1 debug session" in done.text
    with app.app_context():
        assert Session.query.filter_by(key=key).first() is None
        assert PlayThroughRecord.query.filter_by(session_id=row.id).count() == 0
    assert not folder.exists()
    assert app.extensions["live"].live(key) is None
