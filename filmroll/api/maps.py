"""A person's Photo Map: their geotagged photos in a box, clustered by zoom."""

from django.http import JsonResponse

from filmroll.api import objects, scopes
from filmroll.api.envelope import endpoint, ok, viewer_id
from filmroll.api.graph import named_user
from filmroll.api.request import PublicRequest
from filmroll.errors import NotAllowed
from filmroll.graph import visibility
from filmroll.media import photomap
from filmroll.places import grid


@endpoint("GET", scope=scopes.OWN_OR_PUBLIC, public=True)
def media_map(request: PublicRequest, user_id: str) -> JsonResponse:
    scopes.require(request, scopes.for_user(request, user_id))
    box = grid.parse_box(request.GET.get("bbox"))
    zoom = grid.parse_zoom(request.GET.get("zoom"))
    owner = named_user(request, user_id)
    viewer = viewer_id(request)
    # the same rule and answer as the person's photos (users/{id}/media/recent)
    if not visibility.can_see(viewer, owner):
        raise NotAllowed("you cannot view this resource: the account is private")
    found = photomap.clusters(viewer, owner.id, box, zoom)
    return ok([objects.map_cluster(c, request) for c in found])
