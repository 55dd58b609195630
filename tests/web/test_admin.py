"""Staff in the admin: reports, removing a photo everywhere (as its owner deleting it), removing
a comment, deactivating an account."""

from __future__ import annotations

import pytest
from django.test import Client

from filmroll.accounts.models import User
from filmroll.moderation.models import Report
from tests.support.images import png_bytes, upload
from tests.support.personas import PASSWORD, make_user
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]


def staff() -> Client:
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    client = Client()
    client.force_login(root)
    return client


def test_a_reported_photo_is_removed_everywhere_from_the_admin():
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    bo_api.post(f"/api/v1/users/{ana.id}/relationship", {"action": "follow"})
    photo = upload(ana_api, png_bytes(), caption="#harbour at night").json()["data"]
    run_tasks()
    assert [m["id"] for m in bo_api.get("/api/v1/users/self/feed").json()["data"]] == [photo["id"]]
    browser = Client()
    browser.force_login(bo)
    browser.post(f"/p/{photo['shortcode']}/report", {"reason": "not theirs"})
    assert Report.objects.get().reason == "not theirs"

    admin = staff()
    listing = admin.get("/admin/moderation/report/")
    assert listing.status_code == 200 and photo["shortcode"] in listing.content.decode()
    found = admin.get("/admin/moderation/report/photos/", {"q": photo["shortcode"]})
    assert "#harbour at night" in found.content.decode()
    answer = admin.post("/admin/moderation/report/", {
        "action": "remove_photos", "_selected_action": [Report.objects.get().pk]})  # fmt: skip
    assert answer.status_code == 302
    run_tasks()
    assert bo_api.get(f"/api/v1/media/{photo['id']}").json()["meta"]["error_type"] == (
        "APINotFoundError"
    )
    assert bo_api.get("/api/v1/users/self/feed").json()["data"] == []
    assert bo_api.get("/api/v1/tags/harbour/media/recent").json()["data"] == []
    assert ana_api.get("/api/v1/users/self").json()["data"]["counts"]["media"] == 0
    assert Report.objects.get().resolution == "removed"


def test_staff_remove_a_comment_and_deactivate_an_account():
    _, ana_api = make_user("ana")
    _, bo_api = make_user("bo")
    photo = upload(ana_api, png_bytes()).json()["data"]
    said = bo_api.post(f"/api/v1/media/{photo['id']}/comments", {"text": "spam spam"}).json()[
        "data"
    ]
    admin = staff()
    page = f"/admin/moderation/report/photos/?q={photo['id']}"
    assert "spam spam" in admin.get(page).content.decode()
    admin.post(page, {"media_id": photo["id"], "comment_id": said["id"]})
    assert ana_api.get(f"/api/v1/media/{photo['id']}/comments").json()["data"] == []
    assert bo_api.get("/api/v1/users/self").status_code == 200
    bo = User.objects.get(username="bo")
    change = admin.post(f"/admin/accounts/user/{bo.pk}/change/", {
        "username": "bo", "email": "bo@example.com", "full_name": "Bo", "bio": "", "website": "",
        "is_active": ""})  # fmt: skip
    assert change.status_code == 302
    assert bo_api.get("/api/v1/users/self").status_code == 400  # at once, caches and all
