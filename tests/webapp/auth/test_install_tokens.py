"""A staged upload belongs to the account that uploaded it: no other instructor can see,
confirm or discard it."""
import io
import pathlib

from webapp.models import Game

from ..admin.conftest import post_form
from ..admin.zips import game_zip, tic_tac_toe_files
from .conftest import log_in


def staged_by(client):
    archive = game_zip("ttt_mine", tic_tac_toe_files("Mine"))
    response = post_form(client, "/admin/games/install", "/admin/games/install",
                         {"archive": (io.BytesIO(archive), "ttt_mine.zip")},
                         content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_another_instructor_cannot_use_my_install_token(app, make_user):
    make_user("ann", kind="instructor")
    make_user("bob", kind="instructor")
    ann, bob = app.test_client(), app.test_client()
    log_in(ann, "ann")
    log_in(bob, "bob")
    review = staged_by(ann)
    assert bob.get(review).status_code == 404
    confirm = post_form(bob, "/admin/games/install", review + "/confirm")
    cancel = post_form(bob, "/admin/games/install", review + "/cancel")
    assert cancel.status_code == 404
    with app.app_context():
        assert Game.query.filter_by(slug="ttt_mine").first() is None
    assert confirm.status_code == 302
    staging = pathlib.Path(app.config["DATA_DIR"]) / "install_staging"
    assert len(list(staging.iterdir())) == 1                    # still waiting for Ann
    assert ann.get(review).status_code == 200
    post_form(ann, review, review + "/confirm", {"install_as": "new-version"})
    with app.app_context():
        assert Game.query.filter_by(slug="ttt_mine").one().name == "Mine"
