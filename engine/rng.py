"""Per-play-through random generators behind the global ``random`` module.

Games call ``random.randint`` and friends on the module's hidden global
instance.  To make every play-through replayable, and independent of all the
others live in the same process, the global instance is turned into a proxy:
its core methods delegate to the generator of the play-through whose code is
running (a context variable, so threads never see each other's generator).
Outside any play-through it behaves exactly like the original.
"""
import contextlib
import contextvars
import random as _random_module

current = contextvars.ContextVar("szportal_rng", default=None)
current_game = contextvars.ContextVar("szportal_game", default=None)


class _DispatchingRandom(_random_module.Random):
    """The global ``random`` instance, routed to the active play-through's RNG."""

    def random(self):
        rng = current.get()
        return rng.random() if rng is not None else super().random()

    def getrandbits(self, k):
        rng = current.get()
        return rng.getrandbits(k) if rng is not None else super().getrandbits(k)

    def seed(self, a=None, version=2):
        rng = current.get()
        if rng is not None:
            return rng.seed(a, version)
        return super().seed(a, version)

    def getstate(self):
        rng = current.get()
        return rng.getstate() if rng is not None else super().getstate()

    def setstate(self, state):
        rng = current.get()
        return rng.setstate(state) if rng is not None else super().setstate(state)

    def gauss(self, mu=0.0, sigma=1.0):
        rng = current.get()
        return rng.gauss(mu, sigma) if rng is not None else super().gauss(mu, sigma)


# Names of module-level functions bound to the global instance at import.
_BOUND = ("seed", "random", "uniform", "triangular", "randint", "choice",
          "randrange", "sample", "shuffle", "choices", "normalvariate",
          "lognormvariate", "expovariate", "vonmisesvariate", "gammavariate",
          "gauss", "betavariate", "paretovariate", "weibullvariate",
          "getstate", "setstate", "getrandbits", "randbytes", "binomialvariate")


def install():
    """Route the global ``random`` functions through the dispatcher (idempotent)."""
    inst = _random_module._inst
    if type(inst) is not _DispatchingRandom:
        inst.__class__ = _DispatchingRandom
    for name in _BOUND:
        if hasattr(inst, name):
            setattr(_random_module, name, getattr(inst, name))


@contextlib.contextmanager
def using(rng, game=None):
    """Run game code: ``rng`` behind global ``random``, ``game`` for bare-name imports."""
    token = current.set(rng)
    game_token = current_game.set(game) if game is not None else None
    try:
        yield rng
    finally:
        current.reset(token)
        if game_token is not None:
            current_game.reset(game_token)
            game.privatize_new_imports()


def new_generator(seed):
    """A private generator for one play-through."""
    return _random_module.Random(seed)


install()
