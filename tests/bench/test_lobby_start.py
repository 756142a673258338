"""The lobby-start benchmark follows every page to the game on the real server, and
counts the ones that never get there."""
import pytest

from bench import loadlib, lobby_start


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    servers = loadlib.Portal(str(tmp_path_factory.mktemp("portal")), cores=None).start()
    yield servers
    servers.stop()


@pytest.mark.slow
def test_every_student_page_goes_from_the_lobby_to_the_game(portal):
    runs = lobby_start.measure(portal, students=4, repeats=1)
    run = runs[0]
    assert run["missed"] == 0 and not run["errors"], run
    # the push first, then the game page loaded, then its socket's snapshot
    assert 0 < run["nav"] <= run["pages"] <= run["live"] < 10, run
    assert 0 < run["post"] < 10 and run["cpu"] > 0, run
    line = lobby_start.summary(runs, 4, 2)
    assert line["missed"] == 0 and line["pages_ms_max"] == line["pages_ms_runs"][0]
    assert line["pages_ms_median"] == round(run["pages"] * 1000, 1)


@pytest.mark.slow
def test_a_start_no_socket_is_shown_counts_every_student_missed(portal):
    # Nobody seated: the server refuses the start, and the lobbies only get the lobby.
    runs = lobby_start.measure(portal, students=3, repeats=1, seated=0, timeout=1.5)
    assert runs[0]["missed"] == 3 and runs[0]["errors"] == {"no game in time"}, runs
    assert runs[0]["pages"] is None and runs[0]["nav"] is None
    line = lobby_start.summary(runs, 3, 0)
    assert line["missed"] == 3 and line["pages_ms_median"] is None
