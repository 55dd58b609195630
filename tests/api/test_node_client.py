"""A v1 client people already have, unchanged: the Node.js package instagram-node, installed
from npm into var/ by this test, driven against a live filmroll (`filmroll serve` over HTTPS
with a test certificate) with only its host, port and HTTPS agent set. Each call's result is
checked, and that none of them ever serves a private photo or one hidden by a block."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from oauth2_provider.models import Application

from filmroll.media import shortcodes
from tests.api.world import PIER, SECRET, build
from tests.support.locks import machine_lock
from tests.support.servers import live_filmroll
from tests.support.tasks import run_tasks

pytestmark = [
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install", "empty_index"),
]
PACKAGE = "instagram-node@0.5.8"  # the last release, as apps installed it
DRIVER = Path(__file__).with_name("v1_client.js")


def install_client() -> Path:
    """instagram-node under var/npm (once: later runs reuse it); its node_modules folder."""
    where = Path(settings.FILMROLL.data_dir).parent / "npm"
    modules = where / "node_modules"
    with machine_lock("npm"):  # `make test` runs its two runs at once, in one var/
        if not (modules / "instagram-node" / "package.json").exists():
            npm = shutil.which("npm")
            assert npm, "npm is missing: `make test-embedded` installs Debian's nodejs and npm"
            where.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [npm, "install", "--prefix", str(where), "--no-audit", "--no-fund",
                 "--no-save", PACKAGE],
                check=True, capture_output=True, timeout=300,
            )  # fmt: skip
    return modules


def drive(modules: Path, config: dict) -> dict:
    answer = subprocess.run(
        ["node", str(DRIVER)],
        env={**os.environ, "NODE_PATH": str(modules), "FILMROLL_V1": json.dumps(config)},
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)


def test_instagram_node_works_against_filmroll_unchanged(tmp_path, settings):
    modules = install_client()
    w = build()
    # the server checks the app's secret with Django's default hasher, not the tests' fast one
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    Application.objects.filter(pk=w.widget.pk).update(client_secret=make_password(SECRET))
    run_tasks()  # the index: the tag, the place, the area
    with live_filmroll(tmp_path) as (base, cert):
        got = drive(modules, {
            "base": base, "ca": str(cert), "token": w.bo_widget.token,
            "blocked_token": w.dee_api.token, "client_id": w.widget.client_id,
            "client_secret": SECRET, "ana": str(w.ana.id), "cy": str(w.cy.id),
            "photo": w.photo, "code": w.code, "hidden": w.hidden,
            "hidden_code": shortcodes.encode(int(w.hidden)), "place": w.place,
            "lat": PIER[0], "lng": PIER[1],
        })  # fmt: skip
    errors = {name: got[name].get("error") for name in got}

    def result(name: str):
        assert errors[name] is None, (name, errors[name])
        return got[name]["result"]

    assert result("user")["username"] == "ana" and result("user")["counts"]["media"] == 2
    assert [m["id"] for m in result("user_media_recent")] == [w.photo]
    assert [m["id"] for m in result("user_media_recent_next")] == [w.older]  # its own paging
    media = result("media")
    assert media["id"] == w.photo and media["filter"] == "Valencia"
    assert media["comments"]["count"] == 2 and media["comments"]["data"][0]["text"] == (
        "Lovely light!"
    )
    assert media["likes"]["data"][0]["username"] == "bo" and media["user_has_liked"] is True
    assert result("media_shortcode")["id"] == w.photo
    assert [c["text"] for c in result("media_comments")] == ["Lovely light!", "Thank you"]
    assert [u["username"] for u in result("media_likes")] == ["bo"]
    assert result("tag") == {"name": "sunset", "media_count": 2}
    assert [m["id"] for m in result("tag_media_recent")] == [w.photo, w.older]
    assert result("location")["name"] == "Pier 39"
    assert [m["id"] for m in result("location_media_recent")] == [w.photo, w.older]
    assert [m["id"] for m in result("media_search")] == [w.photo, w.older]
    assert [u["username"] for u in result("user_follows")] == ["ana"]
    assert result("user_relationship")["outgoing_status"] == "follows"
    assert errors["del_like"] is None and result("likes_after_del") == []
    assert errors["add_like"] is None
    assert [u["username"] for u in result("likes_after_add")] == ["bo"]
    assert errors["add_comment"] is None
    assert result("comments_after_add")[-1]["text"] == "Seen from node"  # the newest last
    for name in ("private_media", "private_like", "blocked_media", "app_private_media"):
        assert errors[name]["error_type"] == "APINotFoundError", (name, errors[name])
    assert errors["private_recent"]["error_type"] == "APINotAllowedError"
    assert result("app_user")["username"] == "ana"
    assert result("app_media")["user_has_liked"] is False  # the app alone: nobody looking
    assert errors["app_like"]["error_type"] == "OAuthParameterException"  # a write needs a user
    oembed = result("oembed")
    assert oembed["type"] == "rich" and oembed["media_id"] == w.photo
    assert f"{base}/p/{w.code}/embed/" in oembed["html"]
    assert result("oembed_private")["meta"]["error_type"] == "APINotFoundError"
