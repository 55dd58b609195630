"""Two-factor log-in through the API: the password alone gets a challenge, not a token; the
challenge and a code from the app (computed here with pyotp, as an authenticator app would) get
the token; wrong codes are counted and locked out; a code works once, a recovery code once; the
challenge expires; turning it off or making new codes needs the password."""

from __future__ import annotations

import dataclasses
import time

import pyotp
import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from filmroll.accounts import totp, twofactor
from filmroll.accounts.models import RecoveryCode, SecondFactor, SecurityKey, User
from tests.support.personas import PASSWORD, Api, make_user

LOGIN = "/api/v1/accounts/login"
SECOND = "/api/v1/accounts/login/two_factor"


@pytest.fixture
def limits(settings):
    def set_limits(**values):
        settings.FILMROLL = dataclasses.replace(settings.FILMROLL, **values)

    return set_limits


def turn_on(api: Api) -> tuple[str, list[str]]:
    """Through the API, as filmroll's own app would: the secret and the recovery codes."""
    begun = api.post("/api/v1/users/self/two_factor/totp")
    assert begun.status_code == 200, begun.content
    secret = begun.json()["data"]["secret"]
    assert begun.json()["data"]["otpauth_uri"].startswith("otpauth://totp/filmroll:")
    confirmed = api.post_json(
        "/api/v1/users/self/two_factor/totp/confirm", {"code": pyotp.TOTP(secret).now()}
    )
    assert confirmed.status_code == 200, confirmed.content
    data = confirmed.json()["data"]
    assert data["enabled"] is True and data["methods"] == ["totp", "recovery_code"]
    assert len(data["recovery_codes"]) == 10
    return secret, data["recovery_codes"]


def password_step(username: str = "ana", ip: str = "192.0.2.1", password: str = PASSWORD):
    return Client(REMOTE_ADDR=ip).post(LOGIN, {"username": username, "password": password})


def second(challenge: str, code: str, ip: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=ip).post(SECOND, {"challenge": challenge, "code": code})


def challenge_for(username: str = "ana", ip: str = "192.0.2.1") -> str:
    answer = password_step(username, ip)
    assert answer.status_code == 200, answer.content
    data = answer.json()["data"]
    assert data["two_factor_required"] is True and "access_token" not in data
    assert data["methods"] == ["totp", "recovery_code"] and data["expires_in"] == 300
    return data["challenge"]


def next_code(secret: str) -> str:
    """The app's code of the next time step (accepted: clocks drift), unlike the current one."""
    return pyotp.TOTP(secret).at(time.time() + totp.STEP)


def test_the_password_alone_gets_a_challenge_and_no_token():
    ana, api = make_user("ana")
    turn_on(api)
    tokens_before = AccessToken.objects.filter(user=ana).count()
    challenge_for()
    assert AccessToken.objects.filter(user=ana).count() == tokens_before
    # Neither an empty code nor a challenge without a code is a way in.
    assert second(challenge_for(), "").status_code == 400
    assert Client().post(SECOND, {"code": "123456"}).status_code == 400
    forged = Client().post(SECOND, {"challenge": "eyJ1IjoxfQ:forged:sig", "code": "123456"})
    assert forged.status_code == 400
    assert AccessToken.objects.filter(user=ana).count() == tokens_before


def test_the_code_from_the_app_gets_the_token():
    ana, api = make_user("ana")
    secret, _ = turn_on(api)
    answer = second(challenge_for(), next_code(secret))
    assert answer.status_code == 200, answer.content
    token = answer.json()["data"]["access_token"]
    me = Api(Client(), token).get("/api/v1/users/self")
    assert me.status_code == 200 and me.json()["data"]["username"] == "ana"
    # Someone without the second factor still logs in with the password alone.
    make_user("bo")
    assert "access_token" in password_step("bo").json()["data"]


def test_a_code_works_once_even_within_its_window():
    _, api = make_user("ana")
    secret, _ = turn_on(api)
    code = next_code(secret)
    assert second(challenge_for(), code).status_code == 200
    again = second(challenge_for(), code)
    assert again.status_code == 400
    assert again.json()["meta"]["error_message"] == "the code is incorrect"
    # and an older code than the one used is refused too
    older = pyotp.TOTP(secret).at(time.time() - totp.STEP)
    assert second(challenge_for(), older).status_code == 400


def test_the_code_that_confirmed_the_app_cannot_log_in():
    _, api = make_user("ana")
    begun = api.post("/api/v1/users/self/two_factor/totp").json()["data"]
    code = pyotp.TOTP(begun["secret"]).now()
    confirmed = api.post_json("/api/v1/users/self/two_factor/totp/confirm", {"code": code})
    assert confirmed.status_code == 200
    assert second(challenge_for(), code).status_code == 400


def test_wrong_codes_are_counted_per_account_and_locked_out(limits):
    limits(two_factor_failures_per_hour=3)
    _, api = make_user("ana")
    secret, _ = turn_on(api)
    challenge = challenge_for()
    for n, ip in enumerate(("192.0.2.1", "192.0.2.2", "192.0.2.3")):  # from anywhere
        wrong = second(challenge, f"{n:06d}" if f"{n:06d}" != next_code(secret) else "999999", ip)
        assert wrong.status_code == 400, wrong.content
    # the account's second step is closed now, even to the right code from a new address
    locked = second(challenge, next_code(secret), "192.0.2.9")
    assert locked.status_code == 429
    assert "too many wrong codes" in locked.json()["meta"]["error_message"]
    # a fresh challenge (the password is right) does not reopen it
    assert (
        second(challenge_for(ip="192.0.2.10"), next_code(secret), "192.0.2.10").status_code == 429
    )


def test_second_step_tries_count_against_the_client_address(limits):
    limits(login_attempts_ip_per_hour=4)
    _, api = make_user("ana")
    secret, _ = turn_on(api)
    challenge = challenge_for(ip="198.51.100.7")  # one attempt from the address
    for code in ("000001", "000002"):
        assert second(challenge, code, "198.51.100.7").status_code == 400
    assert second(challenge, "000003", "198.51.100.7").status_code == 400  # the fourth
    assert second(challenge, next_code(secret), "198.51.100.7").status_code == 429
    assert second(challenge, next_code(secret), "198.51.100.8").status_code == 200


def test_a_recovery_code_works_once():
    ana, api = make_user("ana")
    _, codes = turn_on(api)
    stored = list(RecoveryCode.objects.filter(user=ana).values_list("digest", flat=True))
    assert all(code.replace("-", "") not in stored for code in codes)  # kept hashed only
    code = codes[3]
    answer = second(challenge_for(), code.upper().replace("-", " "))  # as typed off paper
    assert answer.status_code == 200, answer.content
    assert second(challenge_for(), code).status_code == 400
    status = api.get("/api/v1/users/self/two_factor").json()["data"]
    assert status["recovery_codes_left"] == 9
    assert second(challenge_for(), codes[4]).status_code == 200


def test_the_challenge_expires(monkeypatch):
    _, api = make_user("ana")
    secret, _ = turn_on(api)
    challenge = challenge_for()
    later = time.time() + twofactor.PENDING_SECONDS + 1
    monkeypatch.setattr(twofactor, "_now", lambda: later)
    monkeypatch.setattr(totp, "_now", lambda: later)
    answer = second(challenge, pyotp.TOTP(secret).at(later))
    assert answer.status_code == 400
    assert "expired" in answer.json()["meta"]["error_message"]


def test_a_password_change_ends_the_challenges():
    ana, api = make_user("ana")
    secret, _ = turn_on(api)
    challenge = challenge_for()
    ana.set_password("another long passphrase")
    ana.save()
    assert second(challenge, next_code(secret)).status_code == 400


def test_turning_off_and_new_recovery_codes_need_the_password():
    ana, api = make_user("ana")
    _, codes = turn_on(api)
    for path in ("/api/v1/users/self/two_factor/disable",
                 "/api/v1/users/self/two_factor/recovery_codes"):  # fmt: skip
        assert api.post_json(path, {}).status_code == 400
        wrong = api.post_json(path, {"password": "not the password"})
        assert wrong.status_code == 400
        assert wrong.json()["meta"]["error_message"] == "the password is incorrect"
    assert twofactor.enabled(ana) and RecoveryCode.objects.filter(user=ana).count() == 10
    fresh = api.post_json("/api/v1/users/self/two_factor/recovery_codes", {"password": PASSWORD})
    assert fresh.status_code == 200
    new_codes = fresh.json()["data"]["recovery_codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert second(challenge_for(), codes[0]).status_code == 400  # the old ones ended
    off = api.post_json("/api/v1/users/self/two_factor/disable", {"password": PASSWORD})
    assert off.status_code == 200 and off.json()["data"]["enabled"] is False
    assert not SecondFactor.objects.filter(user=ana).exists()
    assert not RecoveryCode.objects.filter(user=ana).exists()
    assert "access_token" in password_step().json()["data"]


def test_the_secret_is_sealed_at_rest():
    ana, api = make_user("ana")
    secret, _ = turn_on(api)
    row = SecondFactor.objects.get(user=ana)
    assert secret not in row.totp_secret and row.totp_secret and not row.pending_secret


def test_only_filmroll_s_own_apps_change_the_second_factor():
    ana, api = make_user("ana")
    # the token is another app's (one somebody registered), with every scope an app may have
    app = Application.objects.create(
        name="Printshop", user=ana, client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    )  # fmt: skip
    AccessToken.objects.filter(user=ana).update(application=app)
    assert api.post("/api/v1/users/self/two_factor/totp").status_code == 403
    assert api.get("/api/v1/users/self/two_factor").status_code == 403


def test_a_wrong_setup_code_turns_nothing_on():
    ana, api = make_user("ana")
    api.post("/api/v1/users/self/two_factor/totp")
    wrong = api.post_json("/api/v1/users/self/two_factor/totp/confirm", {"code": "12345"})
    assert wrong.status_code == 400
    assert not twofactor.enabled(User.objects.get(id=ana.id))
    assert "access_token" in password_step().json()["data"]


@pytest.mark.parametrize(
    "credential",
    [{}, {"id": "AAEC"}, {"id": "AAEC", "rawId": "AAEC", "type": "public-key", "response": "x"},
     {"id": "AAEC", "rawId": "AAEC", "type": "public-key",
      "response": {"clientDataJSON": "!!", "authenticatorData": "", "signature": ""}},
     "not json", ["AAEC"], 7],
)  # fmt: skip
def test_a_malformed_security_key_answer_is_a_wrong_answer(credential):
    ana, _ = make_user("ana")
    SecurityKey.objects.create(user=ana, name="Blue key", credential_id="AAEC", public_key=b"x")
    first = password_step().json()["data"]
    assert first["methods"] == ["security_key"]  # no recovery codes: made with the row alone
    assert first["security_key_options"]["allowCredentials"][0]["id"] == "AAEC"
    answer = Client().post(
        SECOND, {"challenge": first["challenge"], "credential": credential},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 400, answer.content
    assert answer.json()["meta"]["error_type"] in ("OAuthException", "APIInvalidParametersError")
