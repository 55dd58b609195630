import io
import json

import pytest
from django.test import Client
from PIL import Image

from filmroll.accounts.models import User
from filmroll.files import storage
from filmroll.sharding import ids
from tests.support.images import png_bytes
from tests.support.personas import PASSWORD, Api


def meta(response) -> dict:
    return response.json()["meta"]


def signup(api: Api, **overrides):
    fields = {
        "username": "dana",
        "password": PASSWORD,
        "email": "dana@example.com",
        "full_name": "Dana",
    }
    return api.post("/api/v1/accounts/signup", {**fields, **overrides})


def test_it_signs_up_and_answers_with_a_token_and_the_user(anon):
    response = signup(anon, username="Dana.K", full_name="Dana Kowalska ✨")
    assert response.status_code == 201
    body = response.json()
    assert body["meta"] == {"code": 201}
    user = body["data"]["user"]
    assert user["username"] == "dana.k"  # folded to lower case
    assert user["full_name"] == "Dana Kowalska ✨"
    assert isinstance(user["id"], str) and ids.parse(user["id"])
    assert user["counts"] == {"media": 0, "follows": 0, "followed_by": 0}
    assert user["is_private"] is False
    assert user["profile_picture"].startswith("http://testserver/")
    default_avatar = Client().get(user["profile_picture"].removeprefix("http://testserver"))
    assert default_avatar.status_code == 200
    assert set(user) == {
        "id",
        "username",
        "full_name",
        "profile_picture",
        "bio",
        "website",
        "is_private",
        "counts",
    }
    me = Api(Client(), body["data"]["access_token"]).get("/api/v1/users/self")
    assert me.json()["data"]["id"] == user["id"]


def test_it_accepts_a_json_body(anon):
    response = anon.post_json(
        "/api/v1/accounts/signup",
        {"username": "erin", "password": PASSWORD, "email": "erin@example.com"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"username": ""}, "username is required"),
        ({"username": "a" * 31}, "1 to 30"),
        ({"username": "no spaces"}, "1 to 30"),
        ({"username": "żaba"}, "1 to 30"),
        ({"username": "api"}, "reserved"),
        ({"password": "short"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"password": "dana.example"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"full_name": "x" * 65}, "full_name"),
    ],
)
def test_it_refuses_bad_sign_ups_with_a_clear_error(anon, overrides, says):
    response = signup(anon, **overrides)
    assert response.status_code == 400
    assert meta(response)["error_type"] == "APIInvalidParametersError"
    assert says in meta(response)["error_message"]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body", ['{"username": 5, "password": "x", "email": "e@x.io"}', "[1, 2]", "{not json", '"text"']
)
def test_it_refuses_wrong_types_and_malformed_json(anon, body):
    response = anon.post_json("/api/v1/accounts/signup", body)
    assert response.status_code == 400
    assert meta(response)["error_type"] == "APIInvalidParametersError"


def test_a_username_is_unique_ignoring_case(anon, alice):
    response = signup(anon, username="ALICE")
    assert response.status_code == 409
    assert "taken" in meta(response)["error_message"]


def test_it_logs_in_ignoring_the_case_of_the_username(anon, alice):
    response = anon.post("/api/v1/accounts/login", {"username": "Alice", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["data"]["user"]["username"] == "alice"
    token = response.json()["data"]["access_token"]
    assert Api(Client(), token).get("/api/v1/users/self").status_code == 200


def test_wrong_credentials_get_one_answer_whether_or_not_the_user_exists(anon, alice):
    wrong_password = anon.post(
        "/api/v1/accounts/login", {"username": "alice", "password": "nope nope nope"}
    )
    no_such_user = anon.post(
        "/api/v1/accounts/login", {"username": "zed", "password": "nope nope nope"}
    )
    assert wrong_password.status_code == no_such_user.status_code == 400
    assert wrong_password.json() == no_such_user.json()
    assert meta(wrong_password)["error_type"] == "OAuthException"


def test_it_takes_the_token_from_the_header_or_the_query(alice):
    user, api = alice
    assert (
        Client().get("/api/v1/users/self", {"access_token": api.token}).json()["data"]["username"]
        == "alice"
    )
    assert api.get("/api/v1/users/self").json()["data"]["id"] == str(user.id)


def test_it_refuses_a_missing_or_bad_token(anon):
    missing = anon.get("/api/v1/users/self")
    assert missing.status_code == 400 and meta(missing)["error_type"] == "OAuthParameterException"
    bad = Api(Client(), "not-a-token").get("/api/v1/users/self")
    assert bad.status_code == 400 and meta(bad)["error_type"] == "OAuthAccessTokenException"


def test_it_shows_another_user_and_refuses_an_unknown_one(alice, bob):
    bob_user, _ = bob
    _, api = alice
    shown = api.get(f"/api/v1/users/{bob_user.id}")
    assert shown.json()["data"]["username"] == "bob"
    assert api.get(f"/api/v1/users/{bob_user.id}.json").json()["data"]["username"] == "bob"
    for missing in [str(ids.make_id(ids.EPOCH_MS + 5, 1, 1)), "99999999999999999999999"]:
        response = api.get(f"/api/v1/users/{missing}")
        assert response.status_code == 400  # as v1 answered
        assert meta(response)["error_type"] == "APINotFoundError"
    by_name = api.get("/api/v1/users/bob")  # not an ID: no endpoint takes it
    assert by_name.status_code == 404 and meta(by_name)["error_type"] == "APINotFoundError"


def test_it_updates_the_profile(alice):
    user, api = alice
    response = api.post(
        "/api/v1/users/self",
        {
            "full_name": "Alice Ł.",
            "bio": "film & light",
            "website": "alice.example.com",
            "is_private": "true",
        },
    )
    data = response.json()["data"]
    assert (data["full_name"], data["bio"], data["website"], data["is_private"]) == (
        "Alice Ł.",
        "film & light",
        "https://alice.example.com",
        True,
    )
    user.refresh_from_db()
    assert user.is_private and user.website == "https://alice.example.com"


@pytest.mark.parametrize(
    "fields",
    [
        {"bio": "x" * 151},
        {"website": "javascript:alert(1)"},
        {"is_private": "maybe"},
        {"full_name": "nul\x00"},
    ],
)
def test_a_bad_profile_update_changes_nothing(alice, fields):
    user, api = alice
    response = api.post("/api/v1/users/self", {"full_name": "Changed", **fields})
    assert response.status_code == 400
    assert meta(response)["error_type"] == "APIInvalidParametersError"
    user.refresh_from_db()
    assert user.full_name == "Alice"


def test_an_avatar_is_stored_clean(alice):
    user, api = alice
    upload = io.BytesIO(png_bytes((400, 300), exif_gps=True))
    upload.name = "me.jpg"
    response = api.post("/api/v1/users/self", {"profile_picture": upload})
    picture = response.json()["data"]["profile_picture"]
    user.refresh_from_db()
    assert picture == storage.url(user.avatar_key, response.wsgi_request)
    image = Image.open(io.BytesIO(storage.read(user.avatar_key)))
    assert image.format == "JPEG" and image.size == (320, 320)
    assert not image.getexif()  # no EXIF at all, so no GPS position


def test_a_corrupt_avatar_is_refused_and_the_old_one_kept(alice):
    user, api = alice
    good = io.BytesIO(png_bytes())
    good.name = "a.png"
    api.post("/api/v1/users/self", {"profile_picture": good})
    user.refresh_from_db()
    before = user.avatar_key
    for payload in [b"<svg xmlns='http://www.w3.org/2000/svg'/>", png_bytes()[:60], b""]:
        bad = io.BytesIO(payload)
        bad.name = "evil.png"
        response = api.post("/api/v1/users/self", {"profile_picture": bad})
        assert response.status_code == 400, payload[:20]
        assert meta(response)["error_type"] == "APIInvalidParametersError"
    user.refresh_from_db()
    assert user.avatar_key == before


def test_a_huge_body_gets_an_envelope_error(anon, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = anon.post_json("/api/v1/accounts/signup", json.dumps({"username": "x" * 5000}))
    assert response.status_code == 413
    assert meta(response)["error_type"] == "APIRequestTooLargeError"


def test_unknown_paths_and_wrong_methods_get_envelope_errors(alice):
    _, api = alice
    for path in ["/api/v1/nope", "/api/v2/users/self", "/api/v1/users/self/nope/"]:
        response = api.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert meta(response)["code"] == 404
    wrong = Client().put("/api/v1/accounts/login")
    assert wrong.status_code == 405 and meta(wrong)["error_type"] == "APIMethodNotAllowed"


def test_logging_out_revokes_the_token(alice):
    _, api = alice
    assert api.post("/api/v1/accounts/logout").status_code == 200
    assert api.get("/api/v1/users/self").status_code == 400


def test_changing_the_password_ends_every_token(alice):
    user, api = alice
    other_device = Api(Client(), api.token)
    weak = api.post("/api/v1/accounts/password", {"old_password": PASSWORD, "new_password": "123"})
    assert weak.status_code == 400
    wrong = api.post(
        "/api/v1/accounts/password",
        {"old_password": "guess guess", "new_password": "another long passphrase"},
    )
    assert wrong.status_code == 400 and meta(wrong)["error_type"] == "OAuthException"
    changed = api.post(
        "/api/v1/accounts/password",
        {"old_password": PASSWORD, "new_password": "another long passphrase"},
    )
    assert changed.status_code == 200
    assert other_device.get("/api/v1/users/self").status_code == 400
    assert (
        Api(Client(), changed.json()["data"]["access_token"]).get("/api/v1/users/self").status_code
        == 200
    )
    user.refresh_from_db()
    assert user.check_password("another long passphrase")


def test_web_sessions_end_when_the_password_changes(alice):
    user, api = alice
    browser = Client()
    browser.force_login(user)
    assert browser.session.get("_auth_user_id") == str(user.id)
    api.post(
        "/api/v1/accounts/password",
        {"old_password": PASSWORD, "new_password": "another long passphrase"},
    )
    response = browser.get("/")
    assert response.wsgi_request.user.is_anonymous


def test_a_profile_change_shows_at_once_through_the_same_token(alice):
    _, api = alice
    assert api.get("/api/v1/users/self").json()["data"]["is_private"] is False  # now cached
    api.post("/api/v1/users/self", {"is_private": "true", "bio": "new"})
    shown = api.get("/api/v1/users/self").json()["data"]
    assert shown["is_private"] is True and shown["bio"] == "new"
    assert api.post("/api/v1/accounts/logout").status_code == 200
    assert api.get("/api/v1/users/self").status_code == 400  # revoked at once, cache or not
