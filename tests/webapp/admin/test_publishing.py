"""The publishing rule: a new version of a published game stays in development (debug
play and its author) until a game admin promotes it; sessions keep their version."""
import pytest

from webapp.install.models import GameStatusChange
from webapp.models import Game, Session

from .conftest import post_form
from .test_install import upload
from .zips import game_zip, tic_tac_toe_files

RULE = "A new version of a game stays in development too"


@pytest.fixture
def admin(make_admin, logged_in):
    make_admin("boss")
    return logged_in("boss")


def version_of(app, key):
    with app.app_context():
        return Session.query.filter_by(key=key).one().game_version.version_hash


def start(client, slug="tic_tac_toe", debug=False):
    url = f"/s/debug/{slug}" if debug else f"/games/{slug}/start"
    response = post_form(client, f"/games/{slug}", url)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].split("/s/")[1].split("/")[0]


def test_a_new_version_waits_for_promotion(app, admin, make_session, make_user, logged_in):
    old_key = make_session("tic_tac_toe")
    old = version_of(app, old_key)
    files = tic_tac_toe_files("Tic-Tac-Toe")
    files["README.md"] = b"A second version."
    review = upload(admin, game_zip("tic_tac_toe", files)).headers["Location"]
    assert "stays in development" in admin.get(review).get_data(as_text=True)
    post_form(admin, review, review + "/confirm", {"install_as": "new-version"})
    with app.app_context():
        game = Game.query.filter_by(slug="tic_tac_toe").one()
        new = game.current_version.version_hash
        assert new != old and game.live_version.version_hash == old
    make_user("other", kind="instructor")
    assert version_of(app, start(logged_in("other"))) == old
    assert version_of(app, start(admin)) == new                    # its author
    assert version_of(app, start(admin, debug=True)) == new        # debug play
    listing = admin.get("/admin/games/").get_data(as_text=True)
    assert f'data-promote="{new}"' in listing and RULE in listing
    response = post_form(admin, "/admin/games/", f"/admin/games/tic_tac_toe/versions/{new}/promote")
    assert response.status_code == 302
    with app.app_context():
        change = GameStatusChange.query.filter(GameStatusChange.version_id.isnot(None)).one()
        assert change.user.username == "boss" and "promoted" in change.note
        assert change.version.version_hash == new
    assert version_of(app, start(logged_in("other"))) == new
    assert version_of(app, old_key) == old                          # sessions keep theirs
    assert f"version {new[:12]} promoted" in admin.get("/admin/games/").get_data(as_text=True)


def test_only_game_admins_promote(app, admin, make_user, logged_in):
    files = tic_tac_toe_files("Tic-Tac-Toe")
    files["README.md"] = b"Another version."
    review = upload(admin, game_zip("tic_tac_toe", files)).headers["Location"]
    post_form(admin, review, review + "/confirm", {"install_as": "new-version"})
    with app.app_context():
        new = Game.query.filter_by(slug="tic_tac_toe").one().current_version.version_hash
    make_user("teach", kind="instructor")
    teacher = logged_in("teach")
    url = f"/admin/games/tic_tac_toe/versions/{new}/promote"
    assert post_form(teacher, "/games/", url).status_code == 403
    with app.app_context():
        assert Game.query.filter_by(slug="tic_tac_toe").one().live_version.version_hash != new


def test_the_rule_is_stated_where_games_are_installed(app, make_user, logged_in):
    make_user("teach", kind="instructor")
    teacher = logged_in("teach")
    assert RULE in teacher.get("/games/").get_data(as_text=True)
    assert RULE in teacher.get("/admin/games/install").get_data(as_text=True)


def test_the_console_installs_a_new_version_waiting_unless_told_to_promote(
        app, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from webapp.cli import main as cli_main
    for name, value in (("INSTANCE_PATH", app.instance_path), ("SECRET_KEY", "test-secret"),
                        ("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"]),
                        ("DATA_DIR", app.config["DATA_DIR"])):
        monkeypatch.setenv(name, value)
    versions = []
    for n, extra in enumerate(([], ["--promote"])):
        files = tic_tac_toe_files("Tic-Tac-Toe")
        files["README.md"] = f"Console version {n}.".encode()
        archive = tmp_path / f"ttt{n}.zip"
        archive.write_bytes(game_zip("tic_tac_toe", files))
        result = CliRunner().invoke(cli_main, ["games", "install", str(archive), "--yes",
                                               "--as", "new-version", *extra])
        assert result.exit_code == 0, result.output
        versions.append(result.output)
    assert "in development until promoted" in versions[0] and ", live)" in versions[1]
    with app.app_context():
        game = Game.query.filter_by(slug="tic_tac_toe").one()
        assert game.live_version is game.current_version and len(game.versions) == 3
        assert len(game.pending_versions) == 0
        change = GameStatusChange.query.filter(GameStatusChange.version_id.isnot(None)).one()
        assert change.user is None and change.version is game.current_version
