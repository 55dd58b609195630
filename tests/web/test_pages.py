"""The web pages without a browser: forms refuse bad input with a message, need a log-in and
a CSRF token, and redirect only within the site."""

from __future__ import annotations

from django.test import Client

from tests.support.images import png_bytes, upload
from tests.support.personas import PASSWORD, make_user


def logged_in(username: str) -> Client:
    make_user(username)
    browser = Client()
    assert (
        browser.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code
        == 302
    )
    return browser


def test_sign_up_explains_what_is_wrong_and_signs_in():
    browser = Client()
    make_user("ana")
    answer = browser.post("/accounts/signup/", {"username": "ana", "email": "a@example.com",
                                                 "password": "a fine long passphrase"})  # fmt: skip
    assert answer.status_code == 409 and "taken" in answer.content.decode()
    weak = browser.post("/accounts/signup/", {"username": "bea", "email": "b@example.com",
                                               "password": "password"})  # fmt: skip
    assert weak.status_code == 400
    made = browser.post("/accounts/signup/", {"username": "bea", "email": "b@example.com",
                                               "password": "a fine long passphrase"})  # fmt: skip
    assert made.status_code == 302 and made["Location"] == "/"
    assert "bea" in browser.get("/").content.decode()  # the header names who is signed in


def test_pages_that_change_things_need_a_log_in_and_csrf():
    anonymous = Client()
    assert anonymous.get("/upload/")["Location"].startswith("/accounts/login/?next=/upload/")
    assert anonymous.get("/activity/").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    make_user("ana")
    assert (
        strict.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code
        == 403
    )


def test_upload_refuses_a_bad_photo_and_posts_a_good_one():
    browser = logged_in("ana")
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = browser.post("/upload/", {"image": SimpleUploadedFile("x.jpg", b"not an image"),
                                    "caption": "broken"})  # fmt: skip
    assert bad.status_code == 400 and "broken" in bad.content.decode()  # the caption is kept
    good = browser.post("/upload/", {"image": SimpleUploadedFile("p.png", png_bytes(), "image/png"),
                                     "filter": "juno", "caption": "fine"})  # fmt: skip
    assert good.status_code == 302 and good["Location"].startswith("/p/")
    page = browser.get(good["Location"])
    assert page.status_code == 200 and 'alt="fine"' in page.content.decode()


def test_like_and_comment_forms_and_where_they_lead_back():
    _, ana_api = make_user("ana")
    code = upload(ana_api, png_bytes()).json()["data"]["shortcode"]
    browser = logged_in("bo")
    answer = browser.post(f"/p/{code}/like", {"next": "//evil.example/"})
    assert answer["Location"] == f"/p/{code}/"  # never off the site
    assert "1 like" in browser.get(f"/p/{code}/").content.decode()
    empty = browser.post(f"/p/{code}/comment", {"text": "   "})
    assert empty["Location"] == f"/p/{code}/"
    told = browser.get(empty["Location"]).content.decode()
    assert told.count('class="errors" role="alert"') == 1  # why, once, from the server
    assert 'class="errors"' not in browser.get(f"/p/{code}/").content.decode()  # shown once
    forged = browser.get(f"/p/{code}/", {"error": "Confirm your password at evil.example"})
    assert 'class="errors"' not in forged.content.decode()  # no words from a link shown
    browser.post(f"/p/{code}/comment", {"text": "nice <b>light</b>"})
    page = browser.get(f"/p/{code}/").content.decode()
    assert "nice &lt;b&gt;light&lt;/b&gt;" in page  # escaped, never markup
    assert browser.get("/p/AAAAAAAAAAA/").status_code == 404
    assert browser.get("/nobody-here/").status_code == 404


def test_pages_carry_a_content_security_policy():
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "img-src 'self' data:" in policy


def test_app_js_gets_the_changed_piece_of_the_page():
    _, ana_api = make_user("ana")
    code = upload(ana_api, png_bytes()).json()["data"]["shortcode"]
    browser = logged_in("bo")
    fetch = {"HTTP_X_REQUESTED_WITH": "fetch"}
    liked = browser.post(f"/p/{code}/like", **fetch).content.decode()
    assert liked.lstrip().startswith("<article") and "1 like" in liked and "<html" not in liked
    said = browser.post(f"/p/{code}/comment", {"text": "so good"}, **fetch).content.decode()
    assert said.lstrip().startswith("<article") and "so good" in said and "<html" not in said
    refused = browser.post(f"/p/{code}/comment", {"text": " "}, **fetch)
    assert refused.status_code == 400 and "text is required" in refused.content.decode()


def test_a_forgotten_password_is_reset_by_mail_and_ends_every_token(mailoutbox):
    import re

    _, ana_api = make_user("ana")
    browser = Client()
    asked = browser.post("/accounts/reset/", {"email": "ana@example.com"})
    assert asked.status_code == 302 and asked["Location"] == "/accounts/reset/sent/"
    (mail,) = mailoutbox
    assert mail.to == ["ana@example.com"] and "ana" in mail.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.body).group(1)
    form = browser.get(link, follow=True)  # Django moves the token out of the URL
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": "a brand new phrase",
                                                      "new_password2": "a brand new phrase"})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert ana_api.get("/api/v1/users/self").status_code == 400  # the old token ended
    assert (
        Client()
        .post("/accounts/login/", {"username": "ana", "password": "a brand new phrase"})
        .status_code
        == 302
    )
    again = Client().get(link, follow=True)
    assert "used already or has expired" in again.content.decode()
    Client().post("/accounts/reset/", {"email": "nobody@example.com"})
    assert len(mailoutbox) == 1  # no mail for an unknown address, and the same answer


def test_a_form_too_large_gets_a_page_that_says_so(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    browser = logged_in("ana")
    answer = browser.post("/accounts/login/", {"username": "ana", "password": "x" * 5000})
    assert answer.status_code == 413
    assert "too large" in answer.content.decode()
    assert (
        "<!doctype html>" in answer.content.decode().lower()
    )  # the site's page (drawn before sessions are read)
