"""What some tests need from the machine, and what a run says when it lacks it.

A test asks by its marker (``browser``, ``sandbox``, ``postgresql``); the
PostgreSQL pass asks for ``POSTGRESQL`` when it starts its server. When the
tool is missing the test is skipped with the requirement's reason, and the
run ends with one loud ``SKIPPED:`` line per requirement (tests/conftest.py).
Under CI (``CI`` set; ``.ci/run`` installs every tool) a missing tool fails
the test instead: CI must not pass without running them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

import pytest

from tests.support.browser import CHROMIUM, chromium_available
from tests.support.postgres import MISSING as POSTGRES_MISSING, postgres_bindir

__all__ = ["Requirement", "REQUIREMENTS", "POSTGRESQL", "require"]

BWRAP = "/usr/bin/bwrap"


@dataclass(frozen=True)
class Requirement:
    """Tests that need a tool: what they are, their marker, how to tell the tool is there."""

    tests: str
    marker: str
    missing: str
    available: Callable[[], bool]

    @property
    def reason(self) -> str:
        return f"{self.tests} ({self.missing})"


BROWSER = Requirement("browser tests", "browser",
                      f"no {CHROMIUM}; install Debian's chromium package", chromium_available)
SANDBOX = Requirement("sandbox tests", "sandbox",
                      f"no {BWRAP}; install Debian's bubblewrap package",
                      lambda: os.access(BWRAP, os.X_OK))
POSTGRESQL = Requirement("PostgreSQL tests", "postgresql", POSTGRES_MISSING,
                         lambda: postgres_bindir() is not None)
REQUIREMENTS = (BROWSER, SANDBOX, POSTGRESQL)


def require(requirement: Requirement) -> None:
    """Skip the current test (fail it under CI) unless ``requirement``'s tool is there."""
    if requirement.available():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{requirement.reason}, and CI must run them")
    pytest.skip(requirement.reason)


def skipped_counts(skip_reports) -> dict:
    """How many of the skipped tests each requirement accounts for."""
    counts = {}
    for report in skip_reports:
        text = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
        for requirement in REQUIREMENTS:
            if requirement.reason in text:
                counts[requirement] = counts.get(requirement, 0) + 1
    return counts
