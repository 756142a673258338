"""Several web processes sharing live sessions through Redis.

Each live play-through is owned by one process: the one holding its Redis
lease ``sz:lease:<record id>`` (a TTL, renewed every second) and, on the data
folder, an exclusive ``flock`` of the play-through's ``owner.lock``.  The lock
is the fence: a process that died released it, a live one never loses it, so
two processes can never both write one log even while Redis is away.

Channels (Redis pub/sub, JSON messages):

- ``sz:p:<proc>``: messages for one process: socket messages and presence
  changes forwarded to the owner, owner calls (pause, end, ...) with a reply
  list, frames for one remote socket.
- ``sz:s:<key>``: one session, followed by every process that has a socket of
  it or owns it: rendered pushes (texts per participant and owner flag), the
  sockets each process holds, "the play-through changed" notices.

Without Redis (no ``REDIS_URL``, or Redis down) a process works alone: it owns
whatever it opens, and nothing is published.
"""
import concurrent.futures
import json
import logging
import os
import queue
import threading
import time
import uuid

import redis

from .cluster_presence import PresenceTables, RemoteClient, client_key  # noqa: F401
from .ownership import RELEASE, RENEW, REPLACE

log = logging.getLogger(__name__)

class Cluster(PresenceTables):
    """This process's link to the others: leases, forwarding, fan-out, presence."""

    BEAT = 1.0

    def __init__(self, app, handler):
        self.app = app
        self.handler = handler      # called with (message) for work this process must do
        self.proc = uuid.uuid4().hex[:12]
        self.url = app.config.get("REDIS_URL") or ""
        self.enabled = bool(self.url) and app.config.get("LIVE_CLUSTER", True)
        self.lease_ms = int(float(app.config.get("LIVE_LEASE_SECONDS", 5)) * 1000)
        self._lock = threading.RLock()
        self._redis = None
        self._pubsub_thread = None
        self._beat_thread = None
        self._started_pid = None
        self._channels = set()           # session keys followed
        self._dirty_subs = threading.Event()
        self._confirmed = set()          # channels whose subscription Redis confirmed
        self._subscribed_cond = threading.Condition()
        self._remote = {}                # key -> {proc: [(pid, is_owner, client id)]}
        self._leases = {}                # record id -> key (leases held)
        self._outbox = queue.Queue()
        self._sender = None
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=8,
                                                           thread_name_prefix="cluster")
        self.up = False
        self._stopped = threading.Event()

    def stop(self):
        """Stop this process's threads and give up its leases and presence (an app
        that is discarded, e.g. between tests; a dying process needs none of it)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._started_pid != os.getpid():
            return
        with self._lock:
            leases, keys = list(self._leases), list(self._channels)
            self._leases.clear()

        def clean(r):
            pipe = r.pipeline()
            for record_id in leases:
                pipe.eval(RELEASE, 1, f"sz:lease:{record_id}", self.proc)
            for key in keys:
                pipe.hdel(f"sz:presence:{key}", self.proc)
            pipe.delete(f"sz:alive:{self.proc}")
            pipe.execute()
        self._call(clean)
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- connection and threads ------------------------------------------------------

    def redis(self):
        if not self.enabled or self._stopped.is_set():
            return None
        self._ensure_started()
        if self._redis is None:
            self._redis = redis.Redis.from_url(self.url, socket_timeout=2,
                                               socket_connect_timeout=1,
                                               health_check_interval=10)
        return self._redis

    def _ensure_started(self):
        """Threads start in the process that uses them (gunicorn forks after import)."""
        if self._started_pid == os.getpid():
            return
        with self._lock:
            if self._started_pid == os.getpid():
                return
            self._started_pid = os.getpid()
            self._redis = None
            for target, name in ((self._listen, "cluster-listen"), (self._beat, "cluster-beat"),
                                 (self._send_loop, "cluster-send")):
                thread = threading.Thread(target=target, daemon=True, name=name)
                thread.start()

    def _call(self, fn, default=None):
        """Run ``fn(redis)``; ``default`` when Redis is off or unreachable."""
        client = self.redis()
        if client is None:
            return default
        try:
            return fn(client)
        except redis.RedisError as exc:
            if self.up:
                log.warning("cluster: Redis unreachable (%s); working alone", type(exc).__name__)
            self.up = False
            return default

    # -- leases ----------------------------------------------------------------------

    def holder(self, record_id):
        found = self._call(lambda r: r.get(f"sz:lease:{record_id}"))
        return found.decode() if found else None

    def take_lease(self, record_id, key, dead_holder=None):
        """Hold the lease of ``record_id`` (free, ours, or held by ``dead_holder``)."""
        if not self.enabled:
            return True
        result = self._call(lambda r: r.eval(REPLACE, 1, f"sz:lease:{record_id}", self.proc,
                                             self.lease_ms, dead_holder or self.proc))
        if result is None:      # Redis is away: the owner lock alone fences the log
            with self._lock:
                self._leases[record_id] = key
            return True
        if result:
            with self._lock:
                self._leases[record_id] = key
            self.follow(key)
        return bool(result)

    def drop_lease(self, record_id):
        with self._lock:
            self._leases.pop(record_id, None)
        self._call(lambda r: r.eval(RELEASE, 1, f"sz:lease:{record_id}", self.proc))

    # -- messages ----------------------------------------------------------------------

    def send_to(self, proc, message):
        """Publish to one process now; the number of receivers (0: it is gone)."""
        data = json.dumps(message)
        return self._call(lambda r: r.publish(f"sz:p:{proc}", data), default=0) or 0

    def publish(self, key, message):
        """Publish to a session's channel, in order, off the caller's path."""
        if self.enabled:
            self._ensure_started()
            self._outbox.put((f"sz:s:{key}", json.dumps(message)))

    def deliver(self, proc, client_id, text):
        if self.enabled:
            self._ensure_started()
            self._outbox.put((f"sz:p:{proc}", json.dumps(
                {"op": "deliver", "client": client_id, "text": text})))

    def _send_loop(self):
        while not self._stopped.is_set():
            try:
                channel, data = self._outbox.get(timeout=0.5)
            except queue.Empty:
                continue
            self._call(lambda r: r.publish(channel, data))

    def call_owner(self, proc, name, key, timeout=10.0, **kwargs):
        """Run the owner call ``name`` in process ``proc``; its reply, or None if it is gone."""
        reply = f"sz:reply:{uuid.uuid4().hex}"
        sent = self.send_to(proc, {"op": "call", "name": name, "key": key, "kwargs": kwargs,
                                   "reply": reply})
        if not sent:
            return None
        found = self._call(lambda r: r.blpop([reply], timeout=timeout))
        if not found:
            return {"error": "The server running this game did not answer; try again."}
        return json.loads(found[1])

    def reply(self, reply, value):
        data = json.dumps(value)
        self._call(lambda r: r.pipeline().rpush(reply, data).expire(reply, 60).execute())

    # -- presence ----------------------------------------------------------------------

    def follow(self, key):
        """Listen to a session's channel (and learn which sockets other processes hold)."""
        if not self.enabled:
            return
        with self._lock:
            if key in self._channels:
                return
            self._channels.add(key)
        self._dirty_subs.set()
        found = self._call(lambda r: r.hgetall(f"sz:presence:{key}"))
        if found is None:       # Redis is away
            return
        self._load_presence(key, found)
        # Pushes asked for from now on must reach this process: wait (briefly) until
        # the listener's subscription is confirmed.
        with self._subscribed_cond:
            self._subscribed_cond.wait_for(lambda: f"sz:s:{key}" in self._confirmed,
                                           timeout=1.0)

    def unfollow(self, key):
        with self._lock:
            if key not in self._channels or key in self._leases.values():
                return
            self._channels.discard(key)
            self._remote.pop(key, None)
        self._dirty_subs.set()

    # -- threads -----------------------------------------------------------------------

    def _beat(self):
        """Heartbeat, lease renewal, and forgetting the sockets of processes that died."""
        checked = 0.0
        while not self._stopped.is_set():
            client = self.redis()
            if client is None:
                return
            try:
                pipe = client.pipeline()
                pipe.set(f"sz:alive:{self.proc}", 1, px=int(self.BEAT * 3000))
                with self._lock:
                    leases = dict(self._leases)
                for record_id in leases:
                    pipe.eval(RENEW, 1, f"sz:lease:{record_id}", self.proc, self.lease_ms)
                results = pipe.execute()
                if not self.up:
                    log.info("cluster: Redis reachable; process %s", self.proc)
                    self.up = True
                    self._dirty_subs.set()
                for record_id, renewed in zip(leases, results[1:]):
                    # Lost by Redis (restarted): ours again, fenced by the owner lock.
                    if not renewed and not client.set(f"sz:lease:{record_id}", self.proc,
                                                      px=self.lease_ms, nx=True):
                        log.warning("cluster: lease of play-through %s taken by another "
                                    "process; letting it go", record_id)
                        self._pool.submit(self.handler, {"op": "lost", "record": record_id,
                                                         "key": leases[record_id]})
                for key in set(leases.values()) - self._channels:
                    self.follow(key)     # leased while Redis was away
                if time.monotonic() - checked > 2 * self.BEAT:
                    checked = time.monotonic()
                    self._forget_dead(client)
                    self._refresh_presence(client)
            except redis.RedisError:
                self.up = False
            except Exception:
                log.exception("cluster heartbeat failed")
            self._stopped.wait(self.BEAT)

    def _listen(self):
        """Receive this process's and the followed sessions' messages (reconnecting)."""
        while not self._stopped.is_set():
            pubsub = None
            try:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=1,
                                              health_check_interval=10)
                pubsub = client.pubsub()
                pubsub.subscribe(f"sz:p:{self.proc}")
                subscribed = set()
                with self._subscribed_cond:
                    self._confirmed.clear()
                while not self._stopped.is_set():
                    if self._dirty_subs.is_set():
                        self._dirty_subs.clear()
                        with self._lock:
                            wanted = {f"sz:s:{k}" for k in self._channels}
                        if wanted - subscribed:
                            pubsub.subscribe(*(wanted - subscribed))
                        if subscribed - wanted:
                            pubsub.unsubscribe(*(subscribed - wanted))
                        subscribed = wanted
                    message = pubsub.get_message(timeout=0.2)
                    if message is None:
                        continue
                    if message["type"] == "message":
                        self._dispatch(message["channel"].decode(), message["data"])
                    elif message["type"] in ("subscribe", "unsubscribe"):
                        with self._subscribed_cond:
                            channel = message["channel"].decode()
                            if message["type"] == "subscribe":
                                self._confirmed.add(channel)
                            else:
                                self._confirmed.discard(channel)
                            self._subscribed_cond.notify_all()
            except Exception as exc:
                if not isinstance(exc, redis.RedisError):
                    log.exception("cluster listener failed")
                time.sleep(0.5)
                self._dirty_subs.set()
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass

    def _dispatch(self, channel, data):
        try:
            message = json.loads(data)
        except ValueError:
            return
        if channel.startswith("sz:s:"):
            message["key"] = channel[5:]
            if message.get("from") == self.proc:
                return
            if message.get("type") == "presence":
                self.set_remote(message["key"], message["from"], message.get("clients", []))
                return
            if message.get("type") in ("push", "reload"):
                self.handler(message)        # in order, in this thread
                return
        elif message.get("op") == "deliver":
            self.handler(message)
            return
        self._pool.submit(self._guarded, message)

    def _guarded(self, message):
        try:
            self.handler(message)
        except Exception:
            log.exception("cluster message %s failed", message.get("op") or message.get("type"))
