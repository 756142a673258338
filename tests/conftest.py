"""Run-wide test set-up: the database option, tools some tests need, a loud summary."""
import pytest

from tests.support.databases import add_option, databases, empty_database_url  # noqa: F401
from tests.support.requirements import REQUIREMENTS, require, skipped_counts


def pytest_addoption(parser):
    add_option(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before the test's fixtures: a module's browser fixture would launch Chromium.
    for requirement in REQUIREMENTS:
        if item.get_closest_marker(requirement.marker) is not None:
            require(requirement)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session):
    """After pytest's own summary, one line per missing tool, so that a run without
    it cannot look complete."""
    result = yield
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for requirement, count in skipped_counts(reporter.stats.get("skipped", [])).items():
            tests = "test" if count == 1 else "tests"
            reporter.write_line(f"SKIPPED: {requirement.reason}: {count} {tests}",
                                red=True, bold=True)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test on PostgreSQL shows the end of the server's own log beside it (a
    dropped connection says why only there)."""
    report = yield
    databases = getattr(item, "funcargs", {}).get("databases")
    if report.failed and getattr(databases, "kind", None) == "postgresql":
        report.sections.append(("PostgreSQL server log (end)", databases.server.log_tail()))
    return report
