"""Views for likes and comments on a photo."""

from django.http import JsonResponse

from filmroll.api import objects, pagination, scopes
from filmroll.api.envelope import endpoint, field, ok
from filmroll.api.request import ApiRequest, PublicRequest, signed_in
from filmroll.media import comments, likes


@endpoint(
    "GET",
    "POST",
    "DELETE",
    scope={"GET": scopes.PUBLIC, "POST": scopes.LIKES, "DELETE": scopes.LIKES},
    public=True,
)
def media_likes(request: ApiRequest, media_id: str) -> JsonResponse:
    if request.method == "POST":
        likes.like(request.api_user, media_id)
        return ok(None)
    if request.method == "DELETE":
        likes.unlike(request.api_user, media_id)
        return ok(None)
    return ok(objects.likers(likes.likers(request.api_user, media_id), request))


@endpoint("GET", "POST", scope={"GET": scopes.PUBLIC, "POST": scopes.COMMENTS}, public=True)
def media_comments(request: PublicRequest, media_id: str) -> JsonResponse:
    """Comments oldest first, as v1 listed them: the latest `count`, and `next_max_id` pages
    back to older ones. A new comment answers 200, as v1 did (clients check for it)."""
    if request.method == "POST":
        comment = comments.add(signed_in(request), media_id, field(request, "text"))
        return ok(objects.comments([comment], request)[0])
    count = pagination.count(request, default=50)
    found = comments.page(request.api_user, media_id, pagination.cursor(request), count)
    return ok(
        objects.comments(found.comments[::-1], request),
        pagination=pagination.links(request, found.older),
    )


@endpoint("DELETE", scope=scopes.COMMENTS)
def media_comment(request: ApiRequest, media_id: str, comment_id: str) -> JsonResponse:
    comments.delete(request.api_user, media_id, comment_id)
    return ok(None)
