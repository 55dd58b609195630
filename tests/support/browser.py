"""The web app in a real browser: Debian's Chromium driven by Playwright (the `browser`
fixture), people signing up in it, and screenshots for a reviewer under var/screenshots/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
# `make test-embedded` gives each of its worker processes a data directory of its own and names
# the run's one screenshot folder in SCREENSHOTS_DIR.
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or settings.FILMROLL.data_dir / "screenshots")


@pytest.fixture(scope="module")
def _chromium():
    """One Chromium for a test module, started when its first browser test asks (starting one
    per test cost a second or more each); `browser` hands each test fresh contexts of it."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (scripts/test-services)")
    # Playwright's sync API keeps an event loop in this thread; the test's own database calls
    # (reading results, running tasks) are still plain synchronous code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:

            def launch():
                return playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu",
                          "--disable-background-networking"],
                )  # fmt: skip

            running = [launch()]

            def current():
                if not running[0].is_connected():  # it crashed in a test before: a new one
                    running[0] = launch()
                return running[0]

            yield current
            if running[0].is_connected():
                running[0].close()


@pytest.fixture
def browser(_chromium):
    """Chromium, for this test alone: a context (cookies, storage, cache) is made by the test
    and every context it made is closed after it, as when a browser of its own was closed."""
    launched = _chromium()
    yield launched
    if launched.is_connected():
        for context in launched.contexts:
            context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_up(browser, base: str, username: str):
    page = browser.new_context(viewport={"width": 420, "height": 900}).new_page()
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("E-mail").fill(f"{username}@example.com")
    page.get_by_label("Full name").fill(username.title())
    page.get_by_label("Password").fill("a fine long passphrase")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{base}/")
    return page
