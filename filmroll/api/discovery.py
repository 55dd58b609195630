"""Views for tags, locations, geo search, popular and people search: thin, the logic is in
filmroll.discovery. Reads of public content may be made by an app with its client_id alone."""

from django.http import JsonResponse

from filmroll.api import objects, pagination, scopes
from filmroll.api.envelope import endpoint, field, ok, viewer_id
from filmroll.api.request import ApiRequest, PublicRequest
from filmroll.discovery import people, popular, search
from filmroll.errors import NotFound
from filmroll.places import geo, places
from filmroll.realtime import subscriptions


def _media_page(request: PublicRequest, found: tuple[list, int | None], floor: int | None,
                cursor: str = "max_id", newest: str | None = None) -> JsonResponse:  # fmt: skip
    """A page of media cut to what is newer than `floor`; `newest` names the pagination key
    that carries the newest ID shown (v1's `min_tag_id`, for polling a tag)."""
    page, next_id = pagination.above(found[0], found[1], floor)
    links = pagination.links(request, next_id, cursor)
    if newest and page:
        links[newest] = str(page[0].id)
    return ok(objects.media_list(page, viewer_id(request), request), pagination=links)


@endpoint("GET", scope=scopes.PUBLIC, public=True)
def tag(request: PublicRequest, name: str) -> JsonResponse:
    return ok(search.tag(name))


@endpoint("GET", scope=scopes.PUBLIC, public=True)
def tag_recent(request: PublicRequest, name: str) -> JsonResponse:
    before, after = pagination.bounds(request, "max_tag_id", "min_tag_id")
    found = search.tag_media(viewer_id(request), name, before, pagination.count(request))
    return _media_page(request, found, after, "max_tag_id", newest="min_tag_id")


@endpoint("GET", scope=scopes.PUBLIC, public=True)
def tag_search(request: PublicRequest) -> JsonResponse:
    return ok(search.search_tags(request.GET.get("q"), pagination.count(request, default=50)))


@endpoint("POST", scope=scopes.FIRST_PARTY)
def location_create(request: ApiRequest) -> JsonResponse:
    place = places.check(
        field(request, "name"),
        field(request, "lat"),
        field(request, "lng"),
        field(request, "address"),
    )
    return ok(places.get(places.create(request.api_user.id, place)), status=201)


@endpoint("GET", scope=scopes.PUBLIC, public=True)
def location(request: PublicRequest, location_id: str) -> JsonResponse:
    return ok(places.get(location_id))


@endpoint("GET", scope=scopes.PUBLIC, public=True)
def location_recent(request: PublicRequest, location_id: str) -> JsonResponse:
    place = places.get(location_id)
    before, after = pagination.bounds(request)
    found = search.location_media(
        viewer_id(request), int(place["id"]), before, pagination.count(request)
    )
    return _media_page(request, found, after)


@endpoint("GET", scope=scopes.PUBLIC, public=True)
def location_search(request: PublicRequest) -> JsonResponse:
    count = pagination.count(request)
    if request.GET.get("lat") in (None, "") and request.GET.get("lng") in (None, ""):
        # a search by name draws no circle, yet a distance given must be one (as documented)
        geo.check_distance(request.GET.get("distance"))
        return ok(search.places_named(request.GET.get("q"), count))
    point, metres = search.point_and_distance(
        request.GET.get("lat"), request.GET.get("lng"), request.GET.get("distance")
    )
    return ok(search.places_near(point, metres, count))


@endpoint("GET", scope=scopes.PUBLIC, public=True)
def media_search(request: PublicRequest) -> JsonResponse:
    point, metres = search.point_and_distance(
        request.GET.get("lat"), request.GET.get("lng"), request.GET.get("distance")
    )
    window = (
        pagination.timestamp(request, "min_timestamp"),
        pagination.timestamp(request, "max_timestamp"),
    )
    found = search.media_near(
        viewer_id(request),
        point,
        metres,
        window,
        pagination.cursor(request),
        pagination.count(request),
    )
    return _media_page(request, found, pagination.cursor(request, "min_id"))


@endpoint("GET", scope=scopes.PUBLIC, public=True)
def geography_recent(request: PublicRequest, geo_id: str) -> JsonResponse:
    """Photos posted in the area of a geography subscription; only the app that made the
    subscription may read it (by its client_id, or a token it issued)."""
    app = request.app or (request.token.application if request.token is not None else None)
    area = subscriptions.geography(app, geo_id) if app is not None else None
    if area is None:
        raise NotFound("no such geography")
    lat, lng, radius = area
    found = search.media_near(
        viewer_id(request),
        (lat, lng),
        radius,
        (None, None),
        pagination.cursor(request),
        pagination.count(request),
    )
    return _media_page(request, found, pagination.cursor(request, "min_id"))


@endpoint("GET", scope=scopes.PUBLIC, public=True)
def media_popular(request: PublicRequest) -> JsonResponse:
    viewer = viewer_id(request)
    shown = popular.page(viewer, pagination.count(request, default=50, most=100))
    return ok(objects.media_list(shown, viewer, request))


@endpoint("GET", scope=scopes.PUBLIC)
def user_search(request: ApiRequest) -> JsonResponse:
    found = people.search(
        request.api_user.id, request.GET.get("q"), pagination.count(request, default=50)
    )
    return ok([objects.user_small(u, request) for u in found])
