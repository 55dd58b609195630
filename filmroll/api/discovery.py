"""Views for tags, locations, geo search, popular and people search: thin, the logic is in
filmroll.discovery."""

from django.http import HttpRequest, JsonResponse

from filmroll.api import objects, pagination, scopes
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import ApiRequest
from filmroll.discovery import people, popular, search
from filmroll.errors import Invalid
from filmroll.places import places


def _timestamp(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise Invalid(f"{name} must be a Unix time in whole seconds")
    value = int(raw)
    if not 0 <= value < 2**34:
        raise Invalid(f"{name} is out of range")
    return value


def _media_page(
    request: HttpRequest, found: tuple[list, int | None], cursor: str = "max_id"
) -> JsonResponse:
    page, next_id = pagination.above(
        *found, pagination.cursor(request, cursor.replace("max", "min"))
    )
    return ok(
        objects.media_list(page, request), pagination=pagination.links(request, next_id, cursor)
    )


@endpoint("GET", scope=scopes.PUBLIC)
def tag(request: ApiRequest, name: str) -> JsonResponse:
    return ok(search.tag(name))


@endpoint("GET", scope=scopes.PUBLIC)
def tag_recent(request: ApiRequest, name: str) -> JsonResponse:
    found = search.tag_media(
        request.api_user.id,
        name,
        pagination.cursor(request, "max_tag_id"),
        pagination.count(request),
    )
    return _media_page(request, found, "max_tag_id")


@endpoint("GET", scope=scopes.PUBLIC)
def tag_search(request: ApiRequest) -> JsonResponse:
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


@endpoint("GET", scope=scopes.PUBLIC)
def location(request: ApiRequest, location_id: str) -> JsonResponse:
    return ok(places.get(location_id))


@endpoint("GET", scope=scopes.PUBLIC)
def location_recent(request: ApiRequest, location_id: str) -> JsonResponse:
    place = places.get(location_id)
    found = search.location_media(
        request.api_user.id, int(place["id"]), pagination.cursor(request), pagination.count(request)
    )
    return _media_page(request, found)


@endpoint("GET", scope=scopes.PUBLIC)
def location_search(request: ApiRequest) -> JsonResponse:
    count = pagination.count(request)
    if request.GET.get("lat") in (None, "") and request.GET.get("lng") in (None, ""):
        return ok(search.places_named(request.GET.get("q"), count))
    point, metres = search.point_and_distance(
        request.GET.get("lat"), request.GET.get("lng"), request.GET.get("distance")
    )
    return ok(search.places_near(point, metres, count))


@endpoint("GET", scope=scopes.PUBLIC)
def media_search(request: ApiRequest) -> JsonResponse:
    point, metres = search.point_and_distance(
        request.GET.get("lat"), request.GET.get("lng"), request.GET.get("distance")
    )
    window = (_timestamp(request, "min_timestamp"), _timestamp(request, "max_timestamp"))
    found = search.media_near(
        request.api_user.id,
        point,
        metres,
        window,
        pagination.cursor(request),
        pagination.count(request),
    )
    return _media_page(request, found)


@endpoint("GET", scope=scopes.PUBLIC)
def media_popular(request: ApiRequest) -> JsonResponse:
    shown = popular.page(request.api_user.id, pagination.count(request, default=50, most=100))
    return ok(objects.media_list(shown, request))


@endpoint("GET", scope=scopes.PUBLIC)
def user_search(request: ApiRequest) -> JsonResponse:
    found = people.search(
        request.api_user.id, request.GET.get("q"), pagination.count(request, default=50)
    )
    return ok([objects.user_small(u, request) for u in found])
