"""Login throttling holds across web processes: two gunicorn workers count in one Redis."""
import re

import requests

from tests.support.redis_server import RedisProcess
from tests.support.server import WebServer, cli, portal_env

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def attempt(base, password):
    """One login attempt on a new connection (any of the two processes may answer)."""
    page = requests.get(base + "/auth/login", headers={"Connection": "close"}, timeout=10)
    token = CSRF.search(page.text).group(1)
    response = requests.post(base + "/auth/login", cookies=page.cookies, timeout=10,
                             allow_redirects=False, headers={"Connection": "close"},
                             data={"username": "admin", "password": password,
                                   "csrf_token": token})
    return response.status_code


def guesses(env, tmp_path, count=16):
    web = WebServer(env, tmp_path, workers=2).start()
    try:
        return [attempt(web.base, f"guess-{n}") for n in range(count)], \
            attempt(web.base, "the-right-one")
    finally:
        web.stop()


def test_two_web_processes_share_the_count(tmp_path):
    redis_server = RedisProcess(tmp_path).start()
    env = portal_env(tmp_path, redis_server.url, LOGIN_LIMITS_ACCOUNT="5/minute",
                     SZPORTAL_ADMIN_PASSWORD="the-right-one")
    try:
        cli(env, "init-db")
        cli(env, "seed")
        codes, right = guesses(env, tmp_path)
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
        assert right == 429
        # The control: counted in each process's memory, the same guesses get further,
        # so both processes did answer above.
        alone = dict(env, RATELIMIT_STORAGE_URI="memory://", LOGIN_LIMITS_ACCOUNT="4/minute")
        codes, _ = guesses(alone, tmp_path)
        assert codes.count(401) > 4, codes
    finally:
        redis_server.stop()
