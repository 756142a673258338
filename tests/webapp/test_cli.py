"""The szportal command: init-db runs the migrations, seed adds accounts and games."""
import shutil

from click.testing import CliRunner

from webapp import create_app
from webapp.cli import main
from webapp.config import REPO_DIR
from webapp.models import Game, GameVersion, User


def test_init_db_and_seed(tmp_path, monkeypatch, empty_database_url):
    games = tmp_path / "games"
    shutil.copytree(REPO_DIR / "games" / "tic_tac_toe", games / "tic_tac_toe")
    (games / "not_a_game").mkdir()
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("GAMES_DIR", str(games))
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["init-db"]).exit_code == 0
    result = runner.invoke(main, ["seed"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["seed"]).exit_code == 0        # seeding twice is harmless
    secret = tmp_path / "instance" / "secret_key"
    assert secret.stat().st_mode & 0o777 == 0o600
    app = create_app()
    with app.app_context():
        assert {u.username for u in User.query} == {"admin", "instructor", "researcher",
                                                    "student"}
        game = Game.query.one()
        assert (game.slug, game.status, GameVersion.query.count()) == ("tic_tac_toe",
                                                                      "published", 1)
        assert User.query.filter_by(username="student").one().check_password("student-demo")
