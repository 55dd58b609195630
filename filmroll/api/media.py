"""Views for /api/v1/media/*: thin, the logic is in filmroll.media."""

from typing import Any

from django.http import HttpRequest, JsonResponse

from filmroll import objcache
from filmroll.api import objects, scopes
from filmroll.api.envelope import Raw, endpoint, field, field_list, ok, upload, uploads, viewer_id
from filmroll.api.request import ApiRequest, PublicRequest, signed_in
from filmroll.errors import Invalid, NotFound
from filmroll.media import albums, edits, filters, people, photos, saved, shortcodes
from filmroll.sharing import shares


@endpoint("POST", scope=scopes.FIRST_PARTY)
def post(request: ApiRequest) -> JsonResponse:
    album = uploads(request, "image[]", albums.MAX_PHOTOS)  # an album's photos, the cover first
    data = upload(request, "image")
    if album and data is not None:
        raise Invalid("send either image (one photo) or image[] (an album), not both")
    if data is None and not album:
        raise Invalid("image is required: send the photo as a multipart file field named image")
    share_to = shares.accounts_for(request.api_user.id, field(request, "share_to"))
    given = people.parse(field(request, people.FIELD))  # checked before the photo is made
    tagged = people.check(request.api_user, given) if given else []
    media_id = _post_album(request, album) if album else _post_photo(request, data or b"")
    if tagged:
        people.tag(request.api_user, media_id, tagged)
    shares.share(media_id, share_to)
    media, _ = photos.visible(request.api_user.id, media_id)
    return ok(objects.media(media, viewer_id(request), request), status=201)


def _post_album(request: ApiRequest, album: list[bytes]) -> int:
    """`filter[]` and `alt_text[]` parallel to `image[]`; a photo without its own `filter[]`
    takes `filter` (all of them, when `filter[]` is not sent), the cover without its own
    `alt_text[]` takes `alt_text`."""
    return albums.post(
        request.api_user,
        album,
        filter_names=albums.per_photo(
            field_list(request, "filter[]"), len(album), "filter[]", field(request, "filter")
        ),
        alt_texts=field_list(request, "alt_text[]") or [field(request, "alt_text")],
        **_post_fields(request),
    )


def _post_photo(request: ApiRequest, data: bytes) -> int:
    return photos.post(
        request.api_user,
        data,
        filter_name=field(request, "filter"),
        alt_text=field(request, "alt_text"),
        **_post_fields(request),
    )


def _post_fields(request: ApiRequest) -> dict[str, Any]:
    """The fields a photo and an album are posted with alike."""
    return {
        "caption": field(request, "caption"),
        "lat": field(request, "lat"),
        "lng": field(request, "lng"),
        "location_id": field(request, "location_id"),
        "sensitive": field(request, "sensitive"),
        "spoiler_text": field(request, "spoiler_text"),
        "tools": {name: field(request, name) for name in edits.FIELDS},
    }


@endpoint(
    "GET",
    "POST",
    "DELETE",
    scope={"GET": scopes.OWN_OR_PUBLIC, "POST": scopes.FIRST_PARTY, "DELETE": scopes.FIRST_PARTY},
    public=True,
    kept_token=True,
)
def detail(request: PublicRequest, media_id: str) -> JsonResponse:
    if request.method == "DELETE":
        photos.delete(signed_in(request), media_id)
        return ok(None)
    if request.method == "POST":  # edit: caption, alt text, content warning, place, people
        fields = {k: field(request, k) for k in EDITABLE}
        # checked before anything changes; None: the people stay as they are
        tagged = people.for_edit(signed_in(request), media_id, field(request, people.FIELD))
        edited = photos.edit(
            signed_in(request), media_id, {k: v for k, v in fields.items() if v is not None}
        )
        if tagged is not None:  # the owner's (photos.edit checked): anyone left out is untagged
            people.tag(signed_in(request), edited.id, tagged)
            edited, _ = photos.visible(viewer_id(request), edited.id)
        return ok(objects.media(edited, viewer_id(request), request))
    return _shown(request, media_id)


EDITABLE = ("caption", "alt_text", "sensitive", "spoiler_text", "location", "location_id", "lat",
            "lng")  # fmt: skip


def _shown(request: PublicRequest, media_id: int | str) -> JsonResponse:
    """A photo the viewer may see; one the viewer may not see answers exactly as a missing one
    (docs/api.md, "Private or missing")."""
    with objcache.remembering():  # what it reads, in two multi-gets (photos.visible)
        media, _ = photos.visible(viewer_id(request), media_id)
        scopes.require(request, scopes.for_user(request, media.user_id))
        return ok(Raw(objects.media_json(media, viewer_id(request), request)))


@endpoint("POST", "DELETE", scope=scopes.LIKES)
def media_saved(request: ApiRequest, media_id: str) -> JsonResponse:
    """Save a photo to the private "Saved" list, or take it off (media/saved.py): the `likes`
    scope, the one an app asks for to act on photos for its user."""
    if request.method == "DELETE":
        saved.unsave(request.api_user, media_id)
    else:
        saved.save(request.api_user, media_id)
    return ok(None)


@endpoint("GET", scope=scopes.OWN_OR_PUBLIC, public=True)
def by_shortcode(request: PublicRequest, code: str) -> JsonResponse:
    try:
        media_id = shortcodes.decode(code)
    except ValueError:
        raise NotFound("no such media") from None
    return _shown(request, media_id)


@endpoint("GET", auth=False)
def filter_list(request: HttpRequest) -> JsonResponse:
    return ok(
        [
            {
                "name": name,
                "label": recipe.label,
                "preview_url": request.build_absolute_uri(f"/media/filters/{name}.jpg"),
            }
            for name, recipe in filters.FILTERS.items()
        ]
    )
