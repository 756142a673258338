"""The app's Jinja environment: a template's globals read without exceptions.

Jinja gives every template a ``ChainMap`` of its own globals (almost always none)
over the environment's, and copies it into a fresh context on every render
(``dict(globals)``). ``ChainMap.__getitem__`` tries each map in turn and catches the
``KeyError`` of every map without the name, so each render raised and caught one
exception per global (~20 µs of the ~30 µs a context costs); the live path renders
dozens of partials a move.  ``Globals`` finds a name by membership instead.
"""
from collections import ChainMap

from flask.templating import Environment


class Globals(ChainMap):
    """A ``ChainMap`` whose lookups test membership instead of catching ``KeyError``."""

    def __getitem__(self, key):
        for mapping in self.maps:
            if key in mapping:
                return mapping[key]
        return self.__missing__(key)

    def get(self, key, default=None):
        for mapping in self.maps:
            if key in mapping:
                return mapping[key]
        return default


class PortalEnvironment(Environment):
    """Flask's environment with ``Globals`` for each template's globals."""

    def make_globals(self, d):
        return Globals({} if d is None else d, self.globals)
