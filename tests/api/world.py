"""A small world for the v1 fidelity tests, as a v1 client meets it: ana posts public photos at a
place with a tag, bo follows her, likes and comments; cy is private and has a photo and a
request from bo; dee is blocked by ana. A third-party app ("Widget") holds a token of bo's
with every scope an app can have, and reads public content with its client_id alone."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from filmroll.accounts.models import User
from filmroll.graph import relationships
from filmroll.media import comments, likes, photos, pipeline, shortcodes
from filmroll.media.samples import paint
from filmroll.places import places
from filmroll.sharding import ids
from tests.support.personas import Api, make_user

RENDERED = pipeline.render(paint(random.Random(5), 120, 90), "valencia")
APP_SCOPES = "basic public_content comments relationships likes follower_list"
SECRET = "widget-secret-0123456789"
PIER = (37.8087, -122.4098)


@dataclass
class World:
    ana: User
    bo: User
    cy: User
    dee: User
    ana_api: Api
    bo_api: Api  # filmroll's own app (every scope)
    cy_api: Api
    dee_api: Api
    widget: Application
    bo_widget: Api  # bo's token for the Widget app
    place: str
    photo: str  # ana's newer photo: at the pier, #sunset, liked and commented by bo
    older: str  # ana's older photo, also at the pier with #sunset
    hidden: str  # cy's photo (private account)
    comment: str  # bo's comment on `photo`

    @property
    def code(self) -> str:
        return shortcodes.encode(int(self.photo))

    def anonymous(self) -> Client:
        return Client()


def post(user: User, caption: str, place: str | None = None) -> str:
    location = (int(place), *PIER) if place else (None, None, None)
    return str(photos.publish(user.id, RENDERED, "valencia", caption, location))


def app_token(user: User, app: Application, scope: str = APP_SCOPES) -> Api:
    raw = f"widget-{user.username}"
    AccessToken.objects.create(user=user, application=app, token=raw, scope=scope,
                               expires=timezone.now() + timedelta(hours=1))  # fmt: skip
    return Api(Client(), raw)


def build() -> World:
    ana, ana_api = make_user("ana")
    bo, bo_api = make_user("bo")
    cy, cy_api = make_user("cy", private=True)
    dee, dee_api = make_user("dee")
    ana.full_name, bo.full_name = "Ana Lima", "Bo Berg"
    ana.save(update_fields=["full_name"])
    bo.save(update_fields=["full_name"])
    widget = Application.objects.create(
        name="Widget", user=dee, client_id="widget-client", client_secret=SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://widget.example/cb",
    )  # fmt: skip
    place = str(places.create(ana.id, places.check("Pier 39", *PIER, "Beach St")))
    older = post(ana, "Morning at the pier #sunset", place)
    photo = post(ana, "Evening at the pier #sunset", place)
    hidden = post(cy, "Just for friends #sunset")
    relationships.act(bo, ana, "follow")
    relationships.act(bo, cy, "follow")  # a request: cy is private
    relationships.act(ana, dee, "block")
    likes.like(bo, photo)
    made = comments.add(bo, photo, "Lovely light!")
    comments.add(ana, photo, "Thank you")
    return World(ana, bo, cy, dee, ana_api, bo_api, cy_api, dee_api, widget,
                 app_token(bo, widget), place, photo, older, hidden, str(made.id))  # fmt: skip


def missing_media() -> str:
    """A well-formed media ID that names nothing."""
    return str(ids.make_id(ids.EPOCH_MS + 5, 1, 1))
