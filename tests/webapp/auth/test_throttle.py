"""Login attempts are throttled per account and per address, with growing waits, and a
browser that logged in before is never shut out by someone else's guessing."""
import statistics
import time

from .conftest import log_in


def test_the_right_password_after_many_wrong_ones_is_refused(app, make_user, client_from):
    make_user("boss", kind="admin", password="right-password")
    attacker = client_from("10.0.0.66")
    codes = [log_in(attacker, "boss", f"guess-{n}").status_code for n in range(8)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    response = log_in(attacker, "boss", "right-password")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many login attempts" in response.get_data(as_text=True)
    assert attacker.get("/admin/").status_code == 302          # still not logged in


def test_the_waits_grow_with_the_attempts(app, make_user, client_from, limits):
    limits(account="2/2 seconds;3/1 minute")
    make_user("ann", password="right-password")
    client = client_from()
    assert [log_in(client, "ann", "x").status_code for _ in range(3)] == [401, 401, 429]
    first_wait = int(log_in(client, "ann", "x").headers["Retry-After"])
    time.sleep(2.1)
    assert log_in(client, "ann", "x").status_code == 401      # the short window has passed
    response = log_in(client, "ann", "right-password")
    assert response.status_code == 429                        # the long one has not
    assert int(response.headers["Retry-After"]) > first_wait


def test_a_browser_that_logged_in_before_is_not_shut_out(app, make_user, client_from):
    make_user("boss", kind="admin", password="right-password")
    own = client_from("10.0.0.5")
    assert log_in(own, "boss", "right-password").status_code == 302
    own.post("/auth/logout", data={"csrf_token": _token(own)})
    attacker = client_from("10.0.0.5")                         # even from the same address
    for n in range(20):
        log_in(attacker, "boss", f"guess-{n}")
    assert log_in(attacker, "boss", "right-password").status_code == 429
    assert log_in(own, "boss", "right-password").status_code == 302
    assert own.get("/admin/").status_code == 200


def test_a_known_browser_still_has_a_limit_of_its_own(app, make_user, client_from, limits):
    limits(device="3/minute")
    make_user("ann", password="right-password")
    own = client_from()
    assert log_in(own, "ann", "right-password").status_code == 302
    codes = [log_in(own, "ann", "wrong").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_one_address_guessing_many_accounts_is_throttled(app, client_from, limits):
    limits(address="4/minute")
    sprayer, other = client_from("10.0.0.66"), client_from("10.0.0.7")
    codes = [log_in(sprayer, f"user{n}", "password1").status_code for n in range(6)]
    assert codes == [401] * 4 + [429] * 2
    assert log_in(other, "user9", "password1").status_code == 401


def test_unknown_usernames_take_as_long_as_real_ones(app, make_user, client_from, limits):
    limits(account="1000/minute", address="1000/minute")
    make_user("real", password="right-password")
    client = client_from()
    log_in(client, "warm-up", "x")

    def timed(username):
        start = time.perf_counter()
        assert log_in(client, username, "wrong-password").status_code == 401
        return time.perf_counter() - start
    real = statistics.median(timed("real") for _ in range(7))
    unknown = statistics.median(timed(f"nobody{n}") for n in range(7))
    assert unknown > 0.6 * real, (real, unknown)


def test_a_deactivated_account_takes_as_long_as_an_active_one(app, make_user, client_from,
                                                              limits):
    from webapp.extensions import db
    from webapp.models import User
    limits(account="1000/minute", address="1000/minute")
    make_user("real", password="right-password")
    gone = make_user("gone", password="right-password")
    with app.app_context():
        db.session.get(User, gone).active = False
        db.session.commit()
    client = client_from()

    def timed(username):
        start = time.perf_counter()
        assert log_in(client, username, "right-password" if username == "gone"
                      else "wrong").status_code == 401
        return time.perf_counter() - start
    real = statistics.median(timed("real") for _ in range(7))
    deactivated = statistics.median(timed("gone") for _ in range(7))
    assert deactivated > 0.6 * real, (real, deactivated)


def _token(client):
    from ..conftest import csrf_from
    return csrf_from(client.get("/").get_data(as_text=True))


def test_without_redis_logins_go_on_counted_in_the_process(app, make_user, client_from,
                                                           limits):
    from tests.support.redis_server import free_port
    app.config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{free_port()}/0"   # nobody
    limits(account="2/minute")
    make_user("ann", password="right-password")
    client = client_from()
    assert log_in(client, "ann", "right-password").status_code == 302
    assert [log_in(client_from(), "ann", "x").status_code for _ in range(2)] == [401, 429]
