"""The red team's matrix, kept in the suite: every persona on every read surface of a photo,
after each graph transition, sees exactly what the visibility rule allows — never more.

The owner olive posts a photo with a #tag, a place and a comment. The personas are olive, her
follower fay, a stranger sam, bea whom olive blocked, and a logged-out visitor. The transitions
run in order (follow, private, request and approve, block, unblock, public, delete); after each,
every surface is read by every persona. A new read surface belongs in SURFACES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from filmroll.accounts.models import User
from filmroll.media import shortcodes
from tests.support.images import jpeg_bytes, upload
from tests.support.personas import Api, make_user
from tests.support.tasks import run_tasks

pytestmark = [  # committed transactions, so that queued tasks (the index, feeds) run
    pytest.mark.django_db(databases="__all__", transaction=True),
    pytest.mark.usefixtures("restores_install"),
]

TAG = "redteamtag"
LAT, LNG = "48.8584", "2.2945"


@dataclass
class Photo:
    id: str
    code: str
    owner: User


def _api_ids(api: Api, path: str, **params: str) -> set[str]:
    """The media IDs an API list answers with; none when it refuses."""
    response = api.get(path, **params)
    if response.status_code != 200:
        return set()
    data = response.json()["data"]
    return {item["id"] for item in data} if isinstance(data, list) else {data.get("id")}


def _api_has_comments(api: Api, photo: Photo) -> bool:
    response = api.get(f"/api/v1/media/{photo.id}/comments")
    return response.status_code == 200 and bool(response.json()["data"])


def _web_has(client: Client, path: str, photo: Photo) -> bool:
    response = client.get(path)
    return response.status_code == 200 and photo.code in response.content.decode()


# What each surface answers: does this reader see the photo there?
SURFACES: dict[str, Callable[[Api, Client, Photo], bool]] = {
    "api media": lambda api, web, p: p.id in _api_ids(api, f"/api/v1/media/{p.id}"),
    "api shortcode": lambda api, web, p: p.id in _api_ids(api, f"/api/v1/media/shortcode/{p.code}"),
    "api user media": lambda api, web, p: (
        p.id in _api_ids(api, f"/api/v1/users/{p.owner.id}/media/recent")
    ),
    "api tag media": lambda api, web, p: p.id in _api_ids(api, f"/api/v1/tags/{TAG}/media/recent"),
    "api search": lambda api, web, p: (
        p.id in _api_ids(api, "/api/v1/media/search", lat=LAT, lng=LNG)
    ),
    "api comments": lambda api, web, p: _api_has_comments(api, p),
    "api likes": lambda api, web, p: api.get(f"/api/v1/media/{p.id}/likes").status_code == 200,
    "web photo": lambda api, web, p: _web_has(web, f"/p/{p.code}/", p),
    "web profile": lambda api, web, p: _web_has(web, f"/{p.owner.username}/", p),
    "web tag": lambda api, web, p: _web_has(web, f"/explore/tags/{TAG}/", p),
}
# A logged-out API client without a token sees nothing there; only what it must never see is checked.
TOKEN_ONLY = {name for name in SURFACES if name.startswith("api ")}
# Tags, places and search list public photos only, for everyone (the owner too).
DISCOVERY = {"api tag media", "api search", "web tag"}


class Cast:
    def __init__(self) -> None:
        self.olive, self.olive_api = make_user("olive")
        self.fay, self.fay_api = make_user("fay")
        self.sam, self.sam_api = make_user("sam")
        self.bea, self.bea_api = make_user("bea")
        self.readers: dict[str, tuple[Api, Client]] = {"anon": (Api(Client()), Client())}
        for name in ("olive", "fay", "sam", "bea"):
            web = Client()
            web.force_login(getattr(self, name))
            self.readers[name] = (getattr(self, f"{name}_api"), web)

    def relate(self, api: Api, user: User, action: str) -> None:
        response = api.post(f"/api/v1/users/{user.id}/relationship", {"action": action})
        assert response.status_code == 200, response.content

    def set_private(self, private: bool) -> None:
        flag = "true" if private else "false"
        assert self.olive_api.post("/api/v1/users/self", {"is_private": flag}).status_code == 200


def _check(cast: Cast, photo: Photo, allowed: set[str], step: str) -> None:
    run_tasks()
    public = not User.objects.get(id=photo.owner.id).is_private
    wrong = []
    for reader, (api, web) in cast.readers.items():
        for surface, sees in SURFACES.items():
            expected = reader in allowed and (public or surface not in DISCOVERY)
            if reader == "anon" and surface in TOKEN_ONLY and expected:
                continue  # v1's rule for token-less clients, not the visibility rule
            if sees(api, web, photo) != expected:
                wrong.append(f"{reader} on {surface}: {'misses' if expected else 'sees'}")
    assert not wrong, f"after {step}: " + "; ".join(wrong)


def test_every_persona_on_every_surface_after_every_transition():
    cast = Cast()
    cast.relate(cast.olive_api, cast.bea, "block")
    posted = upload(cast.olive_api, jpeg_bytes(), caption=f"evening #{TAG}", lat=LAT, lng=LNG)
    assert posted.status_code == 201, posted.content
    media_id = posted.json()["data"]["id"]
    photo = Photo(media_id, shortcodes.encode(int(media_id)), cast.olive)
    cast.olive_api.post(f"/api/v1/media/{media_id}/comments", {"text": "my own words"})
    cast.olive_api.post(f"/api/v1/media/{media_id}/likes")
    everyone_but_blocked = {"olive", "fay", "sam", "anon"}

    _check(cast, photo, everyone_but_blocked, "posting in public")
    cast.relate(cast.fay_api, cast.olive, "follow")
    _check(cast, photo, everyone_but_blocked, "fay's follow")
    cast.set_private(True)
    _check(cast, photo, {"olive", "fay"}, "going private")
    cast.relate(cast.sam_api, cast.olive, "follow")  # a request now
    _check(cast, photo, {"olive", "fay"}, "sam's request")
    cast.relate(cast.olive_api, cast.sam, "approve")
    _check(cast, photo, {"olive", "fay", "sam"}, "approving sam")
    cast.relate(cast.olive_api, cast.fay, "block")
    _check(cast, photo, {"olive", "sam"}, "blocking fay")
    cast.relate(cast.olive_api, cast.fay, "unblock")
    _check(cast, photo, {"olive", "sam"}, "unblocking fay (her follow ended with the block)")
    cast.set_private(False)
    _check(cast, photo, everyone_but_blocked, "going public")
    cast.relate(cast.olive_api, cast.bea, "unblock")
    _check(cast, photo, everyone_but_blocked | {"bea"}, "unblocking bea")
    assert (
        cast.olive_api.client.delete(
            f"/api/v1/media/{media_id}", HTTP_AUTHORIZATION=f"Bearer {cast.olive_api.token}"
        ).status_code
        == 200
    )
    _check(cast, photo, set(), "deleting the photo")
