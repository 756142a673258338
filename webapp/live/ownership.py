"""Who owns a live play-through: an exclusive ``flock`` on its ``owner.lock`` in the
data folder (the fence: the kernel releases it when a process dies, a live owner
never loses it), and the Redis lease scripts (a TTL, renewed every second)."""
import fcntl
import os

RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
REPLACE = """
local held = redis.call('get', KEYS[1])
if held == false or held == ARGV[3] then
  redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2])
  return 1
end
return 0
"""
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class OwnerLock:
    """An exclusive, non-blocking ``flock`` on a play-through's ``owner.lock``."""

    def __init__(self, folder):
        self.path = os.path.join(str(folder), "owner.lock")
        self._fd = None

    def acquire(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self):
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None
