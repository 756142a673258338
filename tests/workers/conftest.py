"""Fixtures for job tests: a real Redis server, the app wired to it, a burst worker."""
import threading
import time

import pytest
import redis
from rq import Queue, SimpleWorker

from tests.support.redis_server import RedisProcess
from tests.webapp.conftest import (client, csrf_from, database_url, live_server,  # noqa: F401
                                   login, make_session, make_user, template_db, test_config)
from webapp import create_app
from webapp.extensions import db
from workers.app import set_app
from workers.cli import QUEUES

CLUSTER_THREADS = ("cluster-listen", "cluster-beat", "cluster-send")   # stop on close()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def app(tmp_path, database_url, redis_url):
    config = test_config(tmp_path, database_url)
    config.update(REDIS_URL=redis_url, CHECKPOINT_EVERY=2)
    app = create_app(config)
    set_app(app)
    yield app
    quiesce(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    set_app(None)


def quiesce(app, timeout=10):
    """Leave nothing of this test running into the next one.

    Every test's record ids start at 1 and its Redis is flushed before it starts, but
    the enqueue executor is process-wide and the app's runtime and cluster threads
    outlive the test unless stopped: a late enqueue (job ids
    ``checkpoint-<record>-<seq>``) or a heartbeat renewing the lease of play-through 1
    would land in the next test's Redis, and its job would run against that test's
    log, or its own start would find play-through 1 owned by this app.
    """
    from webapp.jobs.queue import _background
    runtime = app.extensions["live"]
    _background.submit(lambda: None).result(timeout=timeout)   # pending enqueues first
    runtime.close()            # play-throughs, leases and the cluster's threads
    _background.submit(lambda: None).result(timeout=timeout)   # any queued meanwhile
    deadline = time.monotonic() + timeout
    for thread in [app.extensions["checkpoints"]._thread] + [
            t for t in threading.enumerate() if t.name in CLUSTER_THREADS]:
        if thread is not None:
            thread.join(max(0.0, deadline - time.monotonic()))
            assert not thread.is_alive(), f"{thread.name} did not stop"
    app.extensions["rows"].close()            # rows handed to the writer are written


@pytest.fixture
def run_jobs(app, redis_url):
    """Run every queued job to the end in this process (an RQ SimpleWorker in burst mode)."""
    def run():
        from webapp.jobs.queue import _background
        _background.submit(lambda: None).result(timeout=10)   # pending enqueues first
        app.extensions["rows"].flush()                        # and their rows
        connection = redis.Redis.from_url(redis_url)
        queues = [Queue(q, connection=connection) for q in QUEUES]
        SimpleWorker(queues, connection=connection).work(burst=True)
        with app.app_context():
            db.session.expire_all()
    return run


@pytest.fixture
def filled_session(app):
    """A finished session with several bot play-throughs; returns its key."""
    def make(slug="tic_tac_toe", count=3, owner="teacher"):
        from bench.fixtures import fill_session
        with app.app_context():
            return fill_session(slug, count, owner_username=owner).key
    return make
