"""Launch Debian's Chromium (/usr/bin/chromium) through Playwright.

Playwright's own browser downloads are never used (no `playwright install`).
Independent of pytest::

    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page()
"""

from __future__ import annotations

import os

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium_available", "launch_chromium"]

CHROMIUM = "/usr/bin/chromium"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def launch_chromium(playwright, *, headless: bool = True, **kwargs):
    """Return a Playwright ``Browser`` running /usr/bin/chromium (sync or async
    API: for the async API, await the result)."""
    args = list(CHROMIUM_ARGS) + list(kwargs.pop("args", []))
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=headless, args=args, **kwargs
    )
