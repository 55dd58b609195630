"""Views for people in photos: a person's "Photos of you" tab, and a tagged person taking their
own tag off a photo or the photo off their tab. The owner tags people on upload and by edit
(api/media.py)."""

from django.http import JsonResponse

from filmroll.accounts import users
from filmroll.api import objects, pagination, scopes
from filmroll.api.envelope import endpoint, field, ok, viewer_id
from filmroll.api.graph import named_user
from filmroll.api.request import ApiRequest, PublicRequest
from filmroll.errors import NotAllowed
from filmroll.graph import visibility
from filmroll.media import people


@endpoint("GET", scope=scopes.OWN_OR_PUBLIC, public=True)
def tagged(request: PublicRequest, user_id: str) -> JsonResponse:
    """The photos a person is tagged in, newest photo first, each only if the viewer may see it
    and the person may too (the photo's rule: a private owner's, blocks either way)."""
    scopes.require(request, scopes.for_user(request, user_id))
    person = named_user(request, user_id)
    viewer = viewer_id(request)
    if not visibility.visible_people(viewer, [person]):
        raise NotAllowed("you cannot view this resource")
    count = pagination.count(request)
    before, after = pagination.bounds(request)
    shown, next_id = people.tab_page(viewer, person, before, count)
    shown, next_id = pagination.above(shown, next_id, after)
    return ok(
        objects.media_list(shown, viewer, request), pagination=pagination.links(request, next_id)
    )


@endpoint("POST", "DELETE", scope=scopes.FIRST_PARTY)
def in_photo_self(request: ApiRequest, media_id: str) -> JsonResponse:
    """DELETE: take your own tag off the photo. POST `hidden=true|false`: take the photo off
    your "Photos of you" tab (it stays tagged), or put it back."""
    if request.method == "DELETE":
        people.untag_self(request.api_user, media_id)
        return ok(None)
    hidden = users.parse_bool("hidden", field(request, "hidden"))
    people.hide(request.api_user, media_id, hidden)
    return ok({"hidden": hidden})
