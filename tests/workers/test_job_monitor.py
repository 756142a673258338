"""The job monitor (rq-dashboard at /admin/rq): admins only, every state-changing route a
POST with our CSRF token, its inline script allowed by a nonce and nothing else."""
import re

import pytest
from rq import Queue

import redis
from tests.webapp.conftest import csrf_from


@pytest.fixture
def admin(app, client, make_user, login):
    make_user("boss", kind="admin")
    login("boss")
    return client


def queued_job(redis_url):
    queue = Queue("exports", connection=redis.Redis.from_url(redis_url))
    queue.enqueue("workers.exports.copy_playthrough_log", 1, 1, False, job_id="waiting")
    return queue


def test_state_changes_need_post_and_our_csrf_token(app, admin, redis_url):
    app.config["WTF_CSRF_ENABLED"] = True
    queue = queued_job(redis_url)
    assert admin.get("/admin/rq/requeue/failed").status_code == 405
    foreign = admin.post("/admin/rq/queue/exports/queued/empty",
                         headers={"Origin": "http://evil.test"})
    assert foreign.status_code == 400 and queue.count == 1
    for route in ("/admin/rq/job/waiting/delete", "/admin/rq/job/waiting/requeue",
                  "/admin/rq/requeue/exports", "/admin/rq/queue/exports/compact"):
        assert admin.post(route).status_code == 400, route
    assert queue.count == 1
    token = csrf_from(admin.get("/admin/").get_data(as_text=True))
    done = admin.post("/admin/rq/queue/exports/queued/empty", headers={"X-CSRFToken": token})
    assert done.status_code == 200 and queue.count == 0


def test_its_pages_carry_a_nonce_for_their_one_inline_script(app, admin):
    page = admin.get("/admin/rq/")
    policy = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"text/template\")([^>]*)>", html)
    assert scripts and all(f'nonce="{nonce}"' in attrs for attrs in scripts)
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert 'id="back-to-portal"' in html
    other = admin.get("/admin/rq/").headers["Content-Security-Policy"]
    assert nonce not in other                                   # a new one every time
    assert "nonce" not in admin.get("/admin/").headers["Content-Security-Policy"]
