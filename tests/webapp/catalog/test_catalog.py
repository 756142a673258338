"""The catalog: a picture per game, player counts, search and filters; a game page with
versions, recent sessions and outcomes; game admins edit what the catalog says."""
import re

from tests.webapp.admin.conftest import logged_in, make_admin, post_form  # noqa: F401
from tests.webapp.admin.zips import tic_tac_toe_files
from webapp.catalog.seeding import install_game
from webapp.config import REPO_DIR
from webapp.install.models import GameMetadataVersion, GameStatusChange
from webapp.models import Game

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001c0a9e3a40000000049454e44ae426082")


def game_folder(tmp_path, slug, extra_meta="", files=None):
    folder = tmp_path / slug
    folder.mkdir()
    for name, data in tic_tac_toe_files(slug.replace("_", " ").title()).items():
        if name.endswith("_SZ6.py") and extra_meta:
            data = data.replace(b'        self.brief_desc = (',
                                extra_meta.encode() + b'\n        self.brief_desc = (', 1)
        (folder / name).write_bytes(data)
    for name, data in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def install(app, folder):
    with app.app_context():
        install_game(folder)


def test_each_game_has_a_picture(app, client, tmp_path):
    install(app, game_folder(tmp_path, "declared_pic", '        self.thumbnail = "art/cover.png"',
                             {"a_first.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                              "art/cover.png": PNG}))
    install(app, game_folder(tmp_path, "folder_pic", files={"pics/b.svg": b"<svg/>",
                                                            "pics/a.png": PNG}))
    with app.app_context():
        install_game(REPO_DIR / "games" / "picture_tour")
    declared = client.get("/games/declared_pic/picture")
    assert declared.status_code == 200 and declared.data == PNG
    assert client.get("/games/folder_pic/picture").data == PNG                 # first image
    assert client.get("/games/picture_tour/picture").data == (
        REPO_DIR / "games/picture_tour/Picture_Tour_images/castle.svg").read_bytes()
    generated = client.get("/games/tic_tac_toe/picture")
    assert generated.mimetype == "image/svg+xml" and b">TT</text>" in generated.data
    listing = client.get("/games/").get_data(as_text=True)
    assert 'src="/games/tic_tac_toe/picture"' in listing


def test_player_counts_search_and_filters(app, client):
    page = client.get("/games/").get_data(as_text=True)
    assert re.search(r'data-slug="tic_tac_toe".*?2–30 players', page, re.S)
    found = client.get("/games/?q=guess").get_data(as_text=True)
    assert "Guess My Age" in found and "Tic-Tac-Toe" not in found
    assert "1 of 4 games" in found
    two = client.get("/games/?players=2").get_data(as_text=True)
    many = client.get("/games/?players=50").get_data(as_text=True)
    assert "Tic-Tac-Toe" in two and 'data-slug="deduction_cards"' not in two
    assert "Tic-Tac-Toe" not in many
    assert client.get("/games/?players=lots").status_code == 302
    assert "No game matches" in client.get("/games/?q=chess").get_data(as_text=True)


def test_the_game_page_has_versions_recent_sessions_and_outcomes(app, make_admin, logged_in,
                                                                  make_user):
    from bench.fixtures import fill_session
    with app.app_context():
        fill_session("tic_tac_toe", 3, owner_username="prof")
    make_admin("boss")
    page = logged_in("boss").get("/games/tic_tac_toe").get_data(as_text=True)
    assert 'id="game-versions"' in page and 'data-state="live"' in page
    sessions = page.split('id="recent-sessions"')[1].split("</section>")[0]
    assert "Bench owner" in sessions and sessions.count("<tr>") == 2      # head + 1 session
    stats = page.split('id="game-stats"')[1].split("</section>")[0]
    assert "1 session, 3 play-throughs" in stats
    assert re.search(r"<strong>\d+</strong> (won|draw)", stats)
    make_user("stu")
    student_page = logged_in("stu").get("/games/tic_tac_toe").get_data(as_text=True)
    assert "recent-sessions" not in student_page and "game-versions" not in student_page


def test_game_admins_edit_name_description_and_players(app, make_admin, logged_in, make_user):
    make_admin("boss")
    admin = logged_in("boss")
    form = {"name": "Noughts and Crosses", "brief_desc": "Three in a row wins.",
            "min_players": "2", "max_players": "4"}
    response = post_form(admin, "/games/tic_tac_toe", "/games/tic_tac_toe/edit", form)
    assert response.status_code == 302
    page = admin.get("/games/tic_tac_toe").get_data(as_text=True)
    assert "Noughts and Crosses" in page and "2–4 players" in page
    with app.app_context():
        game = Game.query.filter_by(slug="tic_tac_toe").one()
        rows = GameMetadataVersion.query.filter_by(game_id=game.id).order_by(
            GameMetadataVersion.number).all()
        assert [(r.number, r.source) for r in rows][-1] == (2, "edit")
        assert rows[-1].user.username == "boss" and game.game_metadata["max_players"] == 4
        note = GameStatusChange.query.filter_by(game_id=game.id).one().note
        assert note == "metadata version 2: name, description, most players edited"
    assert "metadata version 2" in admin.get("/admin/games/").get_data(as_text=True)
    bad = post_form(admin, "/games/tic_tac_toe", "/games/tic_tac_toe/edit",
                    {**form, "min_players": "5"})
    assert "cannot be fewer" in admin.get(bad.headers["Location"]).get_data(as_text=True)
    make_user("teach", kind="instructor")
    assert post_form(logged_in("teach"), "/games/", "/games/tic_tac_toe/edit",
                     form).status_code == 403


def test_the_user_page_lists_their_sessions(app, make_admin, logged_in, make_session,
                                            client, make_user):
    key = make_session("tic_tac_toe", username="teacher")
    make_user("ann")
    ann = logged_in("ann")
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      ann.get(f"/s/{key}").get_data(as_text=True)).group(1)
    ann.post(f"/s/{key}/join", data={"csrf_token": token})
    make_admin("boss")
    admin = logged_in("boss")
    with app.app_context():
        from webapp.models import User
        teacher_id = User.query.filter_by(username="teacher").one().id
        ann_id = User.query.filter_by(username="ann").one().id
    teacher_page = admin.get(f"/admin/users/{teacher_id}").get_data(as_text=True)
    assert f'data-key="{key}"' in teacher_page.split('id="sessions-started"')[1]
    ann_page = admin.get(f"/admin/users/{ann_id}").get_data(as_text=True)
    assert f'data-key="{key}"' in ann_page.split('id="sessions-joined"')[1]
    assert f'href="/admin/users/{ann_id}"' in admin.get("/admin/accounts/").get_data(
        as_text=True)
    assert ann.get(f"/admin/users/{ann_id}").status_code == 403


def test_copy_buttons_beside_the_invite_link_and_join_code(app, client, make_session):
    key = make_session("tic_tac_toe")
    lobby = client.get(f"/s/{key}/lobby").get_data(as_text=True)
    with app.app_context():
        from webapp.models import Session
        code = Session.query.filter_by(key=key).one().join_code
    assert f'data-copy="{code}"' in lobby and re.search(rf'data-copy="http://[^"]+/s/{key}"',
                                                        lobby)
    mine = client.get("/my/sessions").get_data(as_text=True)
    assert f'data-copy="{code}"' in mine
