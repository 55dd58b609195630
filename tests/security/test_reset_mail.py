"""Password-reset mail is limited per e-mail address (the red team sent one address 15 mails in
50 ms) and per client address, the same way whether or not an account has the address."""

from __future__ import annotations

from django.test import Client

from tests.support.personas import make_user

RESET = "/accounts/reset/"


def ask(email: str, ip: str):
    return Client(REMOTE_ADDR=ip).post(RESET, {"email": email})


def test_reset_mail_is_limited_per_address(limits, mailoutbox):
    limits(reset_mails_per_hour=3)
    make_user("ana")
    make_user("bo")
    for n in range(3):  # from different clients: the victim's inbox is what is protected
        assert ask("ana@example.com", f"198.51.100.{n}").status_code == 302
    assert len(mailoutbox) == 3
    refused = ask("ANA@example.com", "198.51.100.9")
    assert refused.status_code == 429
    assert "too many password-reset requests" in refused.content.decode()
    assert len(mailoutbox) == 3
    # An address no account has is counted the same way: the answers tell nothing.
    answers = [ask("nobody@example.com", f"198.51.100.{n}").status_code for n in range(4)]
    assert answers == [302, 302, 302, 429] and len(mailoutbox) == 3
    assert ask("bo@example.com", "198.51.100.1").status_code == 302
    assert len(mailoutbox) == 4


def test_reset_mail_is_limited_per_client(limits, mailoutbox):
    limits(reset_mails_ip_per_hour=4)
    for n in range(5):
        make_user(f"user{n}")
    for n in range(4):
        assert ask(f"user{n}@example.com", "203.0.113.7").status_code == 302
    assert ask("user4@example.com", "203.0.113.7").status_code == 429
    assert len(mailoutbox) == 4
    assert ask("user4@example.com", "203.0.113.8").status_code == 302
    assert len(mailoutbox) == 5


def test_behind_a_trusted_proxy_the_real_client_is_counted(limits, mailoutbox):
    limits(reset_mails_ip_per_hour=1, trusted_proxies=("10.0.0.0/8",))
    make_user("ana")
    make_user("bo")

    def via(forwarded: str, email: str):
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).post(
            RESET, {"email": email}
        )

    assert via("198.51.100.1", "ana@example.com").status_code == 302
    assert via("6.6.6.6, 198.51.100.1", "bo@example.com").status_code == 429  # forged left entry
    assert via("198.51.100.2", "bo@example.com").status_code == 302
