"""Views for follows, followers, requests and relationships."""

from django.http import JsonResponse

from filmroll.accounts import users
from filmroll.accounts.models import User
from filmroll.api import objects, pagination, scopes
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import ApiRequest, PublicRequest
from filmroll.errors import MissingToken, NotAllowed
from filmroll.graph import edges, relationships, visibility


def named_user(request: PublicRequest, user_id: str) -> User:
    """The user a path names: an ID, or `self` (which an app reading alone has not)."""
    if user_id != "self":
        return users.get_user(user_id)
    if request.api_user is None:
        raise MissingToken("users/self needs an access_token")
    return request.api_user


def _people(request: ApiRequest, table: str, owner: User) -> JsonResponse:
    count = pagination.count(request, default=50)
    found = edges.page(table, owner.id, pagination.cursor(request, "cursor"), count)
    shown = visibility.visible_people_by_id(request.api_user.id, found)
    next_cursor = found[-1] if len(found) == count else None
    return ok(
        objects.users(shown, request), pagination=pagination.links(request, next_cursor, "cursor")
    )


def _listed(request: ApiRequest, user_id: str, table: str) -> JsonResponse:
    owner = named_user(request, user_id)
    if not visibility.can_see(request.api_user.id, owner):
        raise NotAllowed("you cannot view this resource: the account is private")
    return _people(request, table, owner)


@endpoint("GET", scope=scopes.FOLLOWERS)
def follows(request: ApiRequest, user_id: str) -> JsonResponse:
    return _listed(request, user_id, "following")


@endpoint("GET", scope=scopes.FOLLOWERS)
def followed_by(request: ApiRequest, user_id: str) -> JsonResponse:
    return _listed(request, user_id, "followers")


@endpoint("GET", scope=scopes.FOLLOWERS)
def requested_by(request: ApiRequest) -> JsonResponse:
    return _people(request, "follow_requests", request.api_user)


@endpoint("GET", "POST", scope={"GET": scopes.FOLLOWERS, "POST": scopes.RELATIONSHIPS})
def relationship(request: ApiRequest, user_id: str) -> JsonResponse:
    target = named_user(request, user_id)
    if request.method == "POST":
        relationships.act(request.api_user, target, field(request, "action"))
    return ok(relationships.status(request.api_user, target))
