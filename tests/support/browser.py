"""The web app in a real browser: Debian's Chromium driven by Playwright (the `browser`
fixture), people signing up in it, and screenshots for a reviewer under var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
SHOTS = settings.FILMROLL.data_dir / "screenshots"


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (scripts/test-services)")
    # Playwright's sync API keeps an event loop in this thread; the test's own database calls
    # (reading results, running tasks) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


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
