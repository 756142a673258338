"""Helpers for rule tests of the built-in games that use only the base module.

These tests load a game's PFF the way any SOLUZION6 host would, without the
engine, so a game's rules can be tested on their own.
"""
import importlib.util
import itertools
import pathlib
import random
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASE = ROOT / "engine" / "sz6"
_counter = itertools.count()


def load_pff(slug, filename=None):
    """Load games/<slug>'s PFF as a fresh module; return (module, formulation)."""
    folder = ROOT / "games" / slug
    if filename is None:
        filename = next(p.name for p in sorted(folder.glob("*_SZ6.py")))
    for p in (str(BASE), str(folder)):
        if p not in sys.path:
            sys.path.insert(0, p)
    name = f"_test_pff_{slug}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, folder / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    formulation = next(
        v for v in vars(module).values()
        if not isinstance(v, type) and hasattr(v, "metadata")
        and hasattr(v, "operators") and callable(getattr(v, "initialize_problem", None)))
    return module, formulation


def applicable(formulation, state, role=None):
    """Indexes of operators applicable in state (optionally of one role)."""
    out = []
    for i, op in enumerate(formulation.operators.operators):
        if role is not None and op.role is not None and op.role != role:
            continue
        try:
            if op.precond_func(state):
                out.append(i)
        except Exception:
            pass
    return out


@pytest.fixture
def pff():
    return load_pff


@pytest.fixture
def session_folder(tmp_path):
    return str(tmp_path)


@pytest.fixture
def seeded():
    random.seed(12345)
    yield random
