"""Views for likes and comments on a photo."""

from django.http import JsonResponse

from filmroll.api import objects, pagination, scopes
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import ApiRequest
from filmroll.media import comments, likes


@endpoint(
    "GET",
    "POST",
    "DELETE",
    scope={"GET": scopes.PUBLIC, "POST": scopes.LIKES, "DELETE": scopes.LIKES},
)
def media_likes(request: ApiRequest, media_id: str) -> JsonResponse:
    if request.method == "POST":
        likes.like(request.api_user, media_id)
        return ok(None)
    if request.method == "DELETE":
        likes.unlike(request.api_user, media_id)
        return ok(None)
    return ok(objects.users(likes.likers(request.api_user, media_id), request))


@endpoint("GET", "POST", scope={"GET": scopes.PUBLIC, "POST": scopes.COMMENTS})
def media_comments(request: ApiRequest, media_id: str) -> JsonResponse:
    if request.method == "POST":
        comment = comments.add(request.api_user, media_id, field(request, "text"))
        return ok(objects.comments([comment], request)[0], status=201)
    count = pagination.count(request, default=50)
    found = comments.page(request.api_user, media_id, pagination.cursor(request), count)
    next_id = found[-1].id if len(found) == count else None
    return ok(objects.comments(found, request), pagination=pagination.links(request, next_id))


@endpoint("DELETE", scope=scopes.COMMENTS)
def media_comment(request: ApiRequest, media_id: str, comment_id: str) -> JsonResponse:
    comments.delete(request.api_user, media_id, comment_id)
    return ok(None)
