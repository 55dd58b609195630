"""Two-factor log-in in a real browser (Chromium through Playwright): an authenticator app
turned on in settings (the key read off the page, the code computed as the app would), then
the log-in asks for the code, before the feed and before an app's consent page; a security key
(Chromium's virtual authenticator, through the DevTools protocol) registered in settings and
then used to log in. WebAuthn needs a secure context: the live server is http://localhost, which
is one, and the relying party is the page's host. No page may log a console error (a script
refused by the Content-Security-Policy would)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pyotp
import pytest
from django.test import Client

from filmroll.accounts import securitykeys, totp, twofactor
from filmroll.accounts.models import SecurityKey
from tests.api.test_oauth import REDIRECT, register_app, web_login
from tests.support.browser import shot
from tests.support.personas import PASSWORD, make_user
from tests.web.test_design import axe_source, run_axe

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]


class Tabs:
    def __init__(self, browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.errors: list[str] = []

    def open(self, user=None):
        context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": self.base}])
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page


@pytest.fixture
def tabs(browser, live_server):
    seen = Tabs(browser, live_server.url)
    yield seen
    assert seen.errors == []


def accessible(page) -> None:
    """No serious or critical axe-core finding, in the light and the dark theme."""
    problems = []
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        problems += run_axe(page, axe_source())
    page.emulate_media(color_scheme="light")
    assert problems == [], problems


# navigator.credentials.get() with options as JSON, its credential as JSON (base64url)
ASSERT = """async (options) => {
  const bytes = (t) => Uint8Array.from(atob(t.replace(/-/g, "+").replace(/_/g, "/")
                                            + "===".slice((t.length + 3) % 4)), c => c.charCodeAt(0));
  const text = (b) => btoa(String.fromCharCode(...new Uint8Array(b)))
                        .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const publicKey = {...options, challenge: bytes(options.challenge),
                     allowCredentials: options.allowCredentials.map(c => ({...c, id: bytes(c.id)}))};
  const c = await navigator.credentials.get({publicKey});
  return {id: c.id, rawId: text(c.rawId), type: c.type, clientExtensionResults: {},
          response: {clientDataJSON: text(c.response.clientDataJSON),
                     authenticatorData: text(c.response.authenticatorData),
                     signature: text(c.response.signature),
                     userHandle: c.response.userHandle ? text(c.response.userHandle) : null}};
}"""


def next_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(time.time() + totp.STEP)


def log_out(page) -> None:
    page.locator("footer").get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def password_step(page, base: str, username: str = "ana") -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/accounts/login/two-factor/")


def test_turn_on_an_authenticator_app_then_log_in_with_its_code(tabs):
    ana, _ = make_user("ana")
    page = tabs.open(ana)
    page.goto(tabs.base + "/settings/")
    page.get_by_role("link", name="Two-factor log-in").click()
    page.get_by_role("button", name="Set up an authenticator app").click()
    assert page.locator(".qr svg").count() == 1
    accessible(page)
    shot(page, "two-factor-setup")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    page.locator("#recovery-codes").wait_for()
    assert page.locator("#recovery-codes code").count() == 10
    assert page.get_by_text("On: log-ins ask for a code").is_visible()
    accessible(page)
    shot(page, "two-factor-on")

    log_out(page)
    page.goto(tabs.base + "/accounts/login/")
    password_step(page, tabs.base)
    page.goto(tabs.base + "/settings/")  # not logged in yet: settings send to the log-in
    assert page.url.startswith(tabs.base + "/accounts/login/?next=")
    page.goto(tabs.base + "/accounts/login/")
    password_step(page, tabs.base)
    accessible(page)
    shot(page, "two-factor-log-in")
    page.get_by_label(re.compile("Code from your authenticator app")).fill("000000")
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("alert").inner_text() == "The code is incorrect."
    tabs.errors.clear()  # the 400 of the wrong code is the page's answer, not a script error
    page.get_by_label(re.compile("Code from your authenticator app")).fill(next_code(secret))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(tabs.base + "/")
    assert page.locator("footer", has_text="Signed in as ana").count() == 1


def test_the_consent_page_waits_for_the_second_factor(tabs):
    make_user("dev")
    ana, _ = make_user("ana")
    client_id, _ = register_app(web_login("dev"))
    secret = totp.begin(ana)
    totp.confirm(ana, pyotp.TOTP(secret).now())
    query = urlencode({"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
                       "scope": "basic", "state": "xyz"})  # fmt: skip
    page = tabs.open()
    reached: list[str] = []

    def app(route):  # the app at its redirect URI
        reached.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="the app")

    page.route(re.compile(r"^https://app\.example/.*"), app)
    page.goto(f"{tabs.base}/oauth/authorize/?{query}")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    password_step(page, tabs.base)
    page.goto(f"{tabs.base}/oauth/authorize/?{query}")  # skipping the second page: no consent
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    assert page.get_by_role("button", name="Authorize").count() == 0
    password_step(page, tabs.base)
    page.get_by_label(re.compile("Code from your authenticator app")).fill(next_code(secret))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/oauth/authorize/\?"))
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(REDIRECT) + r"\?code="))
    assert len(reached) == 1 and "state=xyz" in reached[0]


def test_register_a_security_key_then_log_in_with_it(tabs):
    ana, _ = make_user("ana")
    page = tabs.open(ana)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                     "hasUserVerification": True, "isUserVerified": True}},
    )["authenticatorId"]  # fmt: skip
    page.goto(tabs.base + "/settings/two-factor/")
    page.get_by_label("Name of the key").fill("Laptop")
    page.get_by_role("button", name="Add a security key or passkey").click()
    page.wait_for_url(re.compile(r"/settings/two-factor/\?saved=1"))
    assert page.locator("#recovery-codes code").count() == 10
    assert page.locator("ul.keys li", has_text="Laptop").count() == 1
    (key,) = SecurityKey.objects.filter(user=ana)
    assert key.name == "Laptop" and twofactor.enabled(ana)
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert stored["credentials"][0]["rpId"] == "localhost"

    log_out(page)
    page.goto(tabs.base + "/accounts/login/")
    password_step(page, tabs.base)
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(tabs.base + "/")
    assert page.locator("footer", has_text="Signed in as ana").count() == 1
    key.refresh_from_db()
    assert key.last_used is not None

    # The API's second step takes the same key: the challenge's options go to
    # navigator.credentials.get() (here in the page, as an app's web view would) and its
    # credential, with the challenge, gets the token.
    first = page.request.post(
        tabs.base + "/api/v1/accounts/login", form={"username": "ana", "password": PASSWORD}
    ).json()["data"]
    assert first["two_factor_required"] and "security_key" in first["methods"]
    credential = page.evaluate(ASSERT, first["security_key_options"])
    token = page.request.post(
        tabs.base + "/api/v1/accounts/login/two_factor",
        data={"challenge": first["challenge"], "credential": credential},
    )
    assert token.status == 200, token.text()
    assert token.json()["data"]["user"]["username"] == "ana"
    # the same answer again: its challenge was signed once, the key's counter has moved on
    again = page.request.post(
        tabs.base + "/api/v1/accounts/login/two_factor",
        data={"challenge": first["challenge"], "credential": credential},
    )
    assert again.status == 400

    # A key of another account (here: a new virtual authenticator, no credential) gets nowhere.
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                     "hasUserVerification": True, "isUserVerified": True,
                     "automaticPresenceSimulation": True}},
    )  # fmt: skip
    log_out(page)
    page.goto(tabs.base + "/accounts/login/")
    password_step(page, tabs.base)
    page.get_by_role("button", name="Use a security key").click()
    page.locator("#two-factor-error:not([hidden])").wait_for()
    assert page.url == tabs.base + "/accounts/login/two-factor/"
    assert securitykeys.listed(ana) == [key]
