"""The sockets of this process, per session, and pushes to every socket of a session.

A push goes through ``broadcast``: sent to this process's sockets, and published on
the session's channel for the sockets other processes hold (``cluster``).  Sockets
are admitted within limits per participant and per client address.
"""
import collections
import socket
import threading



class Connections:
    """The sockets half of the registry (``registry.Runtime``)."""

    def _init_connections(self):
        self._announce_lock = threading.Lock()
        self._clients = collections.defaultdict(list)
        self._by_id = {}
        self._admitted = {}           # client id -> (participant id, address)

    def admit(self, key, client, address):
        """None if ``client`` may open a socket, else why not: a participant has at most
        WS_MAX_PER_PARTICIPANT sockets and an address WS_MAX_PER_ADDRESS in this process."""
        per_person = int(self.app.config.get("WS_MAX_PER_PARTICIPANT", 6))
        per_address = int(self.app.config.get("WS_MAX_PER_ADDRESS", 400))
        with self._lock:
            mine = sum(1 for c in self._admitted.values()
                       if c[0] == client.participant_id)
            if mine >= per_person:
                return (f"This seat already has {mine} open windows (at most {per_person}); "
                        "close one and reload this page.")
            here = sum(1 for c in self._admitted.values() if c[1] == address)
            if here >= per_address:
                return ("Too many open game windows from your network right now "
                        f"(at most {per_address}); try again later.")
            self._admitted[client.id] = (client.participant_id, address)
        return None

    def unadmit(self, client):
        with self._lock:
            self._admitted.pop(client.id, None)

    def add_client(self, key, client):
        with self._lock:
            self._clients[key].append(client)
            self._by_id[client.id] = client
        self._announce(key)

    def remove_client(self, key, client):
        with self._lock:
            if client in self._clients.get(key, []):
                self._clients[key].remove(client)
            self._by_id.pop(client.id, None)
            if not self._clients.get(key):
                self._clients.pop(key, None)
        self._announce(key)
        if not self._clients.get(key):
            self.cluster.unfollow(key)

    def _announce(self, key):
        # One at a time: the list written last must be the newest.
        with self._announce_lock:
            self.cluster.announce(key, [(c.participant_id, c.is_owner, c.id, c.page)
                                        for c in self.clients_of(key)])

    def close_sockets(self):
        """Close every socket held here (the server is stopping): pages see the
        connection drop and reconnect by themselves (1012: service restart)."""
        with self._lock:
            clients = [c for found in self._clients.values() for c in found]
        for client in clients:
            client.alive = False
            for close in (lambda: client.ws.close(1012, "the server is restarting"),
                          lambda: client.ws.sock.shutdown(socket.SHUT_RDWR)):
                try:
                    close()
                except Exception:
                    pass
        return len(clients)

    def client(self, client_id):
        return self._by_id.get(client_id)

    def clients_of(self, key):
        # Lock-free read: copying a list and a dict lookup are atomic in CPython, and
        # every push and message reads this (writers still take the lock).
        return list(self._clients.get(key, ()))

    def connected_ids(self, key):
        """Participants with an open socket of the session, in any process."""
        found = {c.participant_id for c in self.clients_of(key) if c.alive}
        found.update(c.participant_id for c in self.cluster.remote_clients(key))
        return found

    def broadcast(self, key, render):
        """Send ``render(client)`` to every socket of the session (None skips one);
        the sockets of other processes get theirs through the session's channel."""
        for client in self.clients_of(key):
            text = render(client)
            if text and not client.send(text):
                self.remove_client(key, client)
        remote = self.cluster.remote_clients(key)
        if remote:
            # One text per distinct text (most sockets of a variant share theirs), and
            # the socket ids of the holding process saying which is whose.
            texts, found, index = [], {}, {}
            for client in remote:
                text = render(client)
                if not text:
                    continue
                if text not in found:
                    found[text] = len(texts)
                    texts.append(text)
                index[client.client_id] = found[text]
            if texts:
                self.cluster.publish(key, {"type": "push", "from": self.cluster.proc,
                                           "texts": texts, "index": index})

    def deliver_push(self, key, texts, index):
        """Texts another process rendered for this process's sockets of ``key``."""
        for client in self.clients_of(key):
            found = index.get(client.id)
            if found is not None and not client.send(texts[found]):
                self.remove_client(key, client)
