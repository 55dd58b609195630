"""OAuth scopes: what an app's token may do for its user. Tokens filmroll issues to itself (the
API's own log-in) hold every scope and may also do what no app may: change the password, edit
the profile, post, edit and delete photos, create places."""

from __future__ import annotations

from filmroll.accounts import tokens
from filmroll.api.request import ApiRequest
from filmroll.errors import OutOfScope

BASIC = "basic"
PUBLIC = "public_content"
COMMENTS = "comments"
RELATIONSHIPS = "relationships"
LIKES = "likes"
FOLLOWERS = "follower_list"
FIRST_PARTY = "first_party"  # not a scope an app can ask for


def require(request: ApiRequest, scope: str) -> None:
    token = request.token
    if scope == FIRST_PARTY:
        if not tokens.first_party(token):
            raise OutOfScope("only filmroll's own apps may do this")
        return
    if scope not in token.scope.split():
        raise OutOfScope(f"this request needs the {scope} scope")


def for_user(request: ApiRequest, user_id: int | str) -> str:
    """Reading one's own things needs `basic`; anyone else's, `public_content`."""
    return BASIC if user_id == "self" or str(user_id) == str(request.api_user.id) else PUBLIC
