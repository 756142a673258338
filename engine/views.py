"""What a role may see of a state: its text view, its vis HTML, its operators."""
import html
import inspect
import logging
import weakref

from .params import ParamError, resolve_specs
from .rng import using

log = logging.getLogger(__name__)
VIS_KWARGS = ("role_num", "instance_data", "base_url")


def _plain(text):
    return text if isinstance(text, str) else str(text)


def text_view(state, role):
    """``text_view_for_role(role)`` when the state has it, else ``str(state)``."""
    view_fn = getattr(state, "text_view_for_role", None)
    try:
        if callable(view_fn):
            return _plain(view_fn(role))
        if type(state).__str__ is object.__str__:
            return _attribute_listing(state)
        return _plain(state)
    except Exception as exc:
        log.info("text view raised: %r", exc)
        return f"(the game could not describe this state: {type(exc).__name__})"


def _attribute_listing(state):
    """A readable view of a state that defines no ``__str__``."""
    fields = {k: v for k, v in sorted(getattr(state, "__dict__", {}).items())
              if not k.startswith("_") and k != "jit_transition"}
    return "\n".join(f"{k}: {v!r}" for k, v in fields.items()) or type(state).__name__


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
        found = VIS_KWARGS
    else:
        found = tuple(k for k in VIS_KWARGS if k in params)
    try:
        _declared[render] = found
    except TypeError:          # not weakly referenceable (a builtin, a C callable)
        pass
    return found


def render_vis(vis_module, state, role, instance_data=None, base_url=""):
    """The vis HTML for ``role``, or None when there is no vis or it fails."""
    render = getattr(vis_module, "render_state", None) if vis_module else None
    if not callable(render):
        return None
    available = {"role_num": role, "instance_data": instance_data, "base_url": base_url}
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
    state = pt.state if state is None else state
    applicable = set(pt.applicable(role, state)) if role is not None else set()
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


def role_view(pt, role, base_url="", state=None):
    """Text view, vis HTML and operators of ``role`` for the current state."""
    state = pt.state if state is None else state
    with using(pt.view_rng, pt.game):
        text = text_view(state, role)
        vis = render_vis(pt.game.vis, state, role,
                         getattr(pt.formulation, "instance_data", None), base_url)
    return RoleView(role, text, vis, operator_list(pt, role, state), pt.version)
