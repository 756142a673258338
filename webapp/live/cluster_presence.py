"""Which sockets the other processes hold, per session (the cluster's presence tables).

Each process announces the sockets it holds of a session (``sz:presence:<key>``, a
hash per process, plus a message on the session channel); a process whose
heartbeat lapsed has its sockets dropped by the others.
"""
import json

class RemoteClient:
    """A socket held by another process, as the owner sees it."""

    def __init__(self, cluster, proc, client_id, participant_id, is_owner, page=None):
        self.cluster, self.proc, self.client_id = cluster, proc, client_id
        self.participant_id, self.is_owner, self.page = participant_id, is_owner, page
        self.alive = True

    def send(self, text):
        self.cluster.deliver(self.proc, self.client_id, text)
        return True

    def allow_message(self):
        return True      # the process holding the socket rate-limits it


def client_key(participant_id, is_owner):
    return f"{participant_id}:{int(bool(is_owner))}"


class PresenceTables:
    """The presence half of ``cluster.Cluster``."""

    def _load_presence(self, key, found):
        """Replace what is known of other processes' sockets of ``key`` (from the hash)."""
        table = {}
        for proc, data in found.items():
            proc = proc.decode()
            if proc != self.proc:
                table[proc] = [tuple(c) for c in json.loads(data)]
        with self._lock:
            if key in self._channels:
                self._remote[key] = table

    def _refresh_presence(self, client):
        """Re-read every followed session's sockets (a presence message published while
        this process was (re)subscribing would otherwise be missed)."""
        with self._lock:
            keys = sorted(self._channels)
        if not keys:
            return
        pipe = client.pipeline()
        for key in keys:
            pipe.hgetall(f"sz:presence:{key}")
        for key, found in zip(keys, pipe.execute()):
            self._load_presence(key, found)

    def announce(self, key, clients):
        """Tell the others which sockets of session ``key`` this process holds (now)."""
        if not self.enabled:
            return
        self.follow(key)
        data = json.dumps([list(c) for c in clients])

        def write(r):
            pipe = r.pipeline()
            pipe.set(f"sz:alive:{self.proc}", 1, px=int(self.BEAT * 3000))
            if clients:
                pipe.hset(f"sz:presence:{key}", self.proc, data)
                pipe.expire(f"sz:presence:{key}", 86400)
            else:
                pipe.hdel(f"sz:presence:{key}", self.proc)
            pipe.publish(f"sz:s:{key}", json.dumps(
                {"type": "presence", "from": self.proc, "clients": json.loads(data)}))
            pipe.execute()
        self._call(write)

    def remote_clients(self, key):
        """RemoteClient for every socket of session ``key`` held by another process
        (kept up to date for followed sessions, read from Redis for the others)."""
        table = self._remote.get(key)
        if table is None and self.enabled and key not in self._channels:
            found = self._call(lambda r: r.hgetall(f"sz:presence:{key}")) or {}
            table = {proc.decode(): [tuple(c) for c in json.loads(data)]
                     for proc, data in found.items() if proc.decode() != self.proc}
        if not table:
            return []
        return [RemoteClient(self, proc, c[2], c[0], c[1], *c[3:4])
                for proc, clients in list(table.items()) for c in clients]

    def set_remote(self, key, proc, clients):
        with self._lock:
            if key in self._channels and proc != self.proc:
                self._remote.setdefault(key, {})[proc] = [tuple(c) for c in clients]

    def _forget_dead(self, client):
        with self._lock:
            procs = {p for table in self._remote.values() for p in table}
        if not procs:
            return
        procs = sorted(procs)
        alive = client.pipeline()
        for proc in procs:
            alive.exists(f"sz:alive:{proc}")
        dead = {p for p, ok in zip(procs, alive.execute()) if not ok}
        if not dead:
            return
        changed = []
        with self._lock:
            for key, table in self._remote.items():
                if dead & set(table):
                    for proc in dead:
                        table.pop(proc, None)
                    changed.append(key)
        for key in changed:
            for proc in dead:
                client.hdel(f"sz:presence:{key}", proc)
            self._pool.submit(self.handler, {"op": "sockets_gone", "key": key})
