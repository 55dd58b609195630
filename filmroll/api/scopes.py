"""OAuth scopes: what an app's token may do for its user. Tokens filmroll issues to itself (the
API's own log-in) hold every scope and may also do what no app may: change the password, edit
the profile, post, edit and delete photos, create places."""

from __future__ import annotations

from filmroll.accounts import tokens
from filmroll.api.request import PublicRequest
from filmroll.errors import OutOfScope

BASIC = "basic"
PUBLIC = "public_content"
COMMENTS = "comments"
RELATIONSHIPS = "relationships"
LIKES = "likes"
FOLLOWERS = "follower_list"
FIRST_PARTY = "first_party"  # not a scope an app can ask for
# basic to read one's own, public_content for anyone else's: the view asks (scopes.for_user),
# since only it knows whose the thing is
OWN_OR_PUBLIC = "basic (own) or public_content (anyone else's)"


def require(request: PublicRequest, scope: str) -> None:
    """Refuse a token without `scope`. An app reading public content by its client_id alone
    (only where the endpoint allows it) holds no token, and no scope is asked of it."""
    token = request.token
    if token is None:
        return
    if scope == FIRST_PARTY:
        if not tokens.first_party(token):
            raise OutOfScope("only filmroll's own apps may do this")
        return
    if scope not in token.scope.split():
        raise OutOfScope(f"this request needs the {scope} scope")


def for_user(request: PublicRequest, user_id: int | str) -> str:
    """Reading one's own things needs `basic`; anyone else's, `public_content`."""
    me = request.api_user
    return BASIC if user_id == "self" or (me is not None and str(user_id) == str(me.id)) else PUBLIC
