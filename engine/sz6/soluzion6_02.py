"""SOLUZION6 base module, as game files import it (``import soluzion6_02 as sz``).

This is the host's own implementation of the classes real problem
formulation files (PFFs) rely on.  It is deliberately permissive: every
attribute a game might leave out has a harmless default, and extra keyword
arguments are accepted and kept, so formulations written for other hosts
load unchanged.
"""

SOLUZION_VERSION = "6.02"


class SZ_Metadata:
    """Descriptive fields of a game; subclasses set them in ``__init__``."""

    name = "Unnamed game"
    brief_desc = ""
    soluzion_version = SOLUZION_VERSION
    problem_version = ""
    authors = ()
    creation_date = ""

    def __init__(self, **fields):
        for key, value in fields.items():
            setattr(self, key, value)


class SZ_Common_Data:
    """An empty holder games instantiate and never read."""

    def __init__(self, *args, **kwargs):
        self.__dict__.update(kwargs)


class SZ_Problem_Instance_Data:
    """Wraps a dict (at least ``initial_state``) in ``.data``."""

    def __init__(self, d=None, **kwargs):
        self.data = dict(d) if d else {}
        self.__dict__.update(kwargs)


class SZ_State:
    """Base class of game states; games subclass it with a copy constructor."""

    def __init__(self, old=None, **kwargs):
        if old is not None:
            self.__dict__.update(
                {k: v for k, v in old.__dict__.items() if k != "jit_transition"})
        self.__dict__.update(kwargs)


class SZ_Operator:
    """One move: a name, a precondition and a state transition.

    ``params`` is a list of parameter specs (or a callable of the state).
    ``bookkeeping`` (ours) marks a forced move with no decision in it;
    ``allow_undo`` lets undo leave a parallel phase.
    """

    def __init__(self, name, description="", precond_func=None,
                 state_xition_func=None, params=None, role=None, **extra):
        self.name = name
        self.description = description
        self.precond_func = precond_func if precond_func is not None else (lambda s: True)
        self.state_xition_func = state_xition_func
        self.params = params if params is not None else []
        self.role = role
        self.bookkeeping = bool(extra.pop("bookkeeping", False))
        self.allow_undo = bool(extra.pop("allow_undo", False))
        self.__dict__.update(extra)

    def is_applicable(self, s):
        try:
            return bool(self.precond_func(s))
        except Exception:
            return False

    def apply(self, s, args=None):
        if args is None:
            return self.state_xition_func(s)
        return self.state_xition_func(s, args)


class SZ_Operator_Set:
    """The ordered operator list; an operator's index is its identity."""

    def __init__(self, operators=None):
        self.operators = list(operators) if operators is not None else []


class SZ_Role:
    """A role players are seated in; a role named "Observer" only watches."""

    def __init__(self, name, description="", **extra):
        self.name = name
        self.description = description
        self.__dict__.update(extra)


class SZ_Roles_Spec:
    """The list of roles; may carry ``min_players_to_start``/``max_players``."""

    min_players_to_start = 1
    max_players = None

    def __init__(self, roles=None, **extra):
        self.roles = list(roles) if roles is not None else []
        self.__dict__.update(extra)


class SZ_Formulation:
    """Holds metadata, operators, roles and the instance data of a game."""

    metadata = None
    operators = None
    roles_spec = None
    common_data = None
    instance_data = None
    vis_module = None

    def __init__(self, **parts):
        self.__dict__.update(parts)

    def initialize_problem(self, config=None):
        """Return the initial state (from ``instance_data.data``)."""
        data = getattr(self.instance_data, "data", None) or {}
        return data.get("initial_state")
