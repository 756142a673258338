"""What a role may see of a state: its text view, its vis HTML, its operators."""
import html
import inspect
import logging
import weakref

from .params import ParamError, resolve_specs
from .rng import using

log = logging.getLogger(__name__)
VIS_KWARGS = ("role_num", "instance_data", "base_url")
# The portal's own addition, given only to a vis that names it: ``read_only`` says the
# state is drawn to be looked at, not played (a past step), so the vis can leave out its
# prompt to move and its move controls.
NAMED_ONLY = ("read_only",)


NO_VIEW = "(This game gives no description of its state.)"
NO_PICTURE = "(The game could not draw this state for you.)"


class NoRole(int):
    """The role number a game sees for a watcher when it has no observer role of its own.

    It is no role's number and too large to index a list of roles, hands or names
    (``-1`` would index the last role's hand), and it is not ``None``, which games
    commonly read as "whoever is to move"."""

    def __new__(cls):
        return super().__new__(cls, 2 ** 31 - 1)

    def __repr__(self):
        return "NO_ROLE"

    def __str__(self):
        return "Observer"


NO_ROLE = NoRole()


def watcher_role(roles):
    """The role number a game is given for a watcher (an observer's seat, an unseated
    viewer): the game's own observer role when it has one, else ``NO_ROLE``."""
    return next((r.num for r in roles if r.observer), NO_ROLE)


def _plain(text):
    return text if isinstance(text, str) else str(text)


def text_view(state, role):
    """``text_view_for_role(role)`` when the state has it, else ``str(state)`` when the
    game defines one, else a neutral notice (never a listing of the state's fields)."""
    view_fn = getattr(state, "text_view_for_role", None)
    try:
        if callable(view_fn):
            return _plain(view_fn(role))
        if type(state).__str__ is object.__str__:
            return NO_VIEW
        return _plain(state)
    except Exception as exc:
        log.info("text view raised: %r", exc)
        return f"(the game could not describe this state: {type(exc).__name__})"


def own_text_view(state, role):
    """The game's own view for ``role`` (``text_view_for_role``), else a neutral notice:
    what stands in for a vis that fails.  ``__str__`` is not used: beside a vis it is a
    developer's print-out, which often holds every role's secrets."""
    if not callable(getattr(state, "text_view_for_role", None)):
        return NO_PICTURE
    return text_view(state, role)


_declared = weakref.WeakKeyDictionary()     # render function -> its VIS_KWARGS


def vis_kwargs(render):
    """The subset of VIS_KWARGS that ``render`` declares (all, with **kwargs); read
    once per function (every view of every move asks), forgotten with its module."""
    try:
        return _declared[render]
    except (KeyError, TypeError):
        pass
    try:
        params = inspect.signature(render).parameters
    except (TypeError, ValueError):
        return ()
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        found = VIS_KWARGS + tuple(k for k in NAMED_ONLY if k in params)
    else:
        found = tuple(k for k in VIS_KWARGS + NAMED_ONLY if k in params)
    try:
        _declared[render] = found
    except TypeError:          # not weakly referenceable (a builtin, a C callable)
        pass
    return found


def render_vis(vis_module, state, role, instance_data=None, base_url="", read_only=False):
    """The vis HTML for ``role``, or None when there is no vis or it fails."""
    render = getattr(vis_module, "render_state", None) if vis_module else None
    if not callable(render):
        return None
    available = {"role_num": role, "instance_data": instance_data, "base_url": base_url,
                 "read_only": bool(read_only)}
    kwargs = {k: available[k] for k in vis_kwargs(render)}
    try:
        out = render(state, **kwargs)
    except Exception as exc:
        log.info("vis render raised: %r", exc)
        return None
    return out if isinstance(out, str) else None


def op_name(op, state):
    """An operator's display name; callable names are resolved on the state."""
    name = getattr(op, "name", "")
    if callable(name):
        try:
            name = name(state)
        except Exception:
            name = getattr(name, "__name__", "operator")
    return str(name)


def text_as_html(text):
    return f'<pre class="text-view">{html.escape(text)}</pre>'


class OperatorInfo:
    """An operator as one role sees it now."""

    __slots__ = ("index", "name", "description", "params", "applicable", "bookkeeping", "role")

    def __init__(self, **fields):
        for key in self.__slots__:
            setattr(self, key, fields.get(key))

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__slots__}


class RoleView:
    """Everything one role may see of the current state."""

    __slots__ = ("role", "text", "vis_html", "operators", "version")

    def __init__(self, role, text, vis_html, operators, version):
        self.role, self.text, self.vis_html = role, text, vis_html
        self.operators, self.version = operators, version

    @property
    def html(self):
        """The vis HTML, or the text view as escaped preformatted text."""
        return self.vis_html if self.vis_html is not None else text_as_html(self.text)


def operator_list(pt, role, state=None):
    """Operators of ``role`` (and role None) with their applicability now."""
    current = state is None or state is pt.state
    state = pt.state if state is None else state
    # Nothing is applicable after the end, whatever a game's preconditions say (a Tier 2
    # scene would still offer its moves).
    over = current and getattr(pt, "ended", None)
    applicable = set(pt.applicable(role, state)) if role is not None and not over else set()
    out = []
    with using(pt.view_rng, pt.game):
        for i, op in enumerate(pt.operators):
            op_role = getattr(op, "role", None)
            if op_role is not None and op_role != role:
                continue
            try:
                specs = resolve_specs(op, state)
            except ParamError:
                specs = []
            out.append(OperatorInfo(
                index=i, name=op_name(op, state), role=op_role,
                description=str(getattr(op, "description", "") or ""), params=specs,
                applicable=i in applicable, bookkeeping=bool(getattr(op, "bookkeeping", False))))
    return out


def has_vis(vis_module):
    return callable(getattr(vis_module, "render_state", None)) if vis_module else False


def role_view(pt, role, base_url="", state=None, read_only=False):
    """Text view, vis HTML and operators of ``role`` for the current state (or ``state``;
    ``read_only``: a past state, drawn to be looked at).

    ``role`` None is a watcher: the game is given ``watcher_role`` (its observer role, or
    ``NO_ROLE``), for the vis and the text view alike.  With a vis, the text (shown when
    the vis fails) is the game's own view for that role or a notice, never ``str``."""
    state = pt.state if state is None else state
    seen_as = watcher_role(pt.roles) if role is None else role
    with using(pt.view_rng, pt.game):
        if has_vis(pt.game.vis):
            text = own_text_view(state, seen_as)
            vis = render_vis(pt.game.vis, state, seen_as,
                             getattr(pt.formulation, "instance_data", None), base_url,
                             read_only)
        else:
            text, vis = text_view(state, seen_as), None
    return RoleView(role, text, vis, operator_list(pt, role, state), pt.version)
