"""Job pages in a real browser: the job monitor loads under our CSP with no console error,
Validate ends on the verdict, an export downloads by itself."""
import os

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.browser import chromium_available, launch_chromium
from tests.workers.conftest import (app, filled_session, redis_server, redis_url,  # noqa: F401
                                    run_jobs)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                       reason="/usr/bin/chromium missing (apt-get install chromium)"),
]
TIMEOUT = 15_000


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()


def page_for(browser, base, username, errors):
    page = browser.new_context(accept_downloads=True).new_page()
    page.set_default_timeout(TIMEOUT)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    return page


def test_the_job_monitor_loads_with_no_console_error(app, live_server, make_user, browser,
                                                     redis_url):
    import redis
    from rq import Queue
    queue = Queue("exports", connection=redis.Redis.from_url(redis_url))
    queue.enqueue("workers.exports.copy_playthrough_log", 1, 1, False, job_id="waiting")
    make_user("boss", kind="admin")
    errors = []
    page = page_for(browser, live_server, "boss", errors)
    page.goto(live_server + "/admin/")
    page.click(".admin-nav >> text=Job monitor")
    page.wait_for_url("**/admin/rq/**")
    page.locator("#queues tbody tr", has_text="exports").first.wait_for()
    page.click("#navbar-dashboard >> text=Workers")
    page.locator("#workers tbody tr").first.wait_for()
    page.goto(live_server + "/admin/rq/0/view/jobs/exports/queued/8/asc/1")
    page.locator("#jobs tr[data-job-id=waiting]").wait_for()
    page.click("#empty-btn")                       # a POST carrying our CSRF token
    page.click("#confirmation-modal-yes")
    page.locator("#jobs tr[data-job-id=waiting]").wait_for(state="detached")
    assert queue.count == 0
    assert errors == []
    # rq-dashboard hides its confirmation with Bootstrap, which ignores a hide asked
    # while the fade-in still runs (a fast answer): the dialog may stay up, as it would
    # for a person, who closes it with Escape.
    shown = page.locator("#confirmation-modal.show")
    try:
        shown.wait_for(state="detached", timeout=3000)
    except PlaywrightTimeout:
        page.keyboard.press("Escape")
        shown.wait_for(state="detached")
    page.click("#back-to-portal")
    page.wait_for_url(live_server + "/admin/")


def test_validate_ends_on_the_verdict_and_an_export_downloads_itself(
        app, live_server, browser, filled_session, run_jobs):
    key = filled_session(count=2, owner="prof")
    errors = []
    page = page_for(browser, live_server, "prof", errors)
    page.goto(live_server + "/my/sessions")
    page.click(f"tr[data-key='{key}'] button[data-action=validate]")
    page.wait_for_url("**/jobs/**")
    run_jobs()
    summary = page.locator("#verdict-summary")
    summary.wait_for()
    assert "All 2 play-throughs are canonical" in summary.text_content()
    assert page.locator("#verdict-table .report-link").count() == 2
    page.click("#job-back")
    page.wait_for_url(live_server + "/my/sessions")

    page.click(f"tr[data-key='{key}'] button[data-action=export]")
    page.wait_for_url("**/jobs/**")
    with page.expect_download() as download:
        run_jobs()
    assert download.value.suggested_filename.endswith(".zip")
    assert page.locator("#download-link").is_visible()          # the link stays
    page.reload()
    page.wait_for_selector("#download-link")
    assert page.locator("a[data-auto-download]").count() == 0   # once only
    assert errors == []
