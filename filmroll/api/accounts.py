"""Views for /api/v1/accounts/* and /api/v1/users/*: thin, the logic is in filmroll.accounts."""

from django.db import transaction
from django.http import HttpRequest, JsonResponse

from filmroll.accounts import tokens, twofactor, users
from filmroll.api import leaving, objects, scopes
from filmroll.api import twofactor as second_factor
from filmroll.api.envelope import endpoint, field, ok, upload
from filmroll.api.request import ApiRequest, PublicRequest
from filmroll.api.throttle import client_ip


def _signed_in(request: HttpRequest, user, status: int = 200) -> JsonResponse:
    return ok(
        {"access_token": tokens.issue(user), "user": objects.user(user, request)}, status=status
    )


@endpoint("POST", auth=False)
def signup(request: PublicRequest) -> JsonResponse:
    user = users.sign_up(
        field(request, "username"),
        field(request, "password"),
        field(request, "email"),
        field(request, "full_name") or "",
        client_ip(request),
    )
    return _signed_in(request, user, status=201)


@endpoint("POST", auth=False)
def login(request: PublicRequest) -> JsonResponse:
    user = users.log_in(field(request, "username"), field(request, "password"), client_ip(request))
    if twofactor.enabled(user):  # no token yet, nor a restored account: the second step first
        return ok(second_factor.challenge(request, user))
    return _signed_in(request, users.finish_log_in(user))


@endpoint("POST", auth=False)
def login_two_factor(request: PublicRequest) -> JsonResponse:
    """The log-in's second step: the challenge from the first and a code or a key's answer."""
    return _signed_in(request, users.finish_log_in(second_factor.second_step(request)))


@endpoint("POST", scope=None)
def logout(request: ApiRequest) -> JsonResponse:
    tokens.revoke(request.token)
    return ok(None)


@endpoint("POST", scope=scopes.FIRST_PARTY)
def password(request: ApiRequest) -> JsonResponse:
    users.change_password(
        request.api_user,
        field(request, "old_password"),
        field(request, "new_password"),
        client_ip(request),
    )
    return _signed_in(request, request.api_user)


@endpoint(
    "GET", "POST", "DELETE",
    scope={"GET": scopes.BASIC, "POST": scopes.FIRST_PARTY, "DELETE": scopes.FIRST_PARTY},
)  # fmt: skip
def me(request: ApiRequest) -> JsonResponse:
    user = request.api_user
    if request.method == "DELETE":
        return leaving.delete_account(request)
    if request.method == "POST":
        user.refresh_from_db()  # the token's copy of the user may come from the cache
        picture = upload(request, "profile_picture")
        with transaction.atomic():
            users.update_profile(user, request.data)
            if picture is not None:
                users.set_avatar(user, picture)
    return ok(objects.user(user, request))


@endpoint("GET", scope=scopes.OWN_OR_PUBLIC, public=True)
def user(request: PublicRequest, user_id: str) -> JsonResponse:
    scopes.require(request, scopes.for_user(request, user_id))
    return ok(objects.user(users.get_user(user_id), request))
