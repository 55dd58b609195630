"""What the accounts package keeps about a person (sharding/personal.py says how this works).
The user's own row goes last of all (accounts/leaving.bury), with its tokens and apps."""

from filmroll import objcache
from filmroll.accounts import logins, sessions, tokens
from filmroll.accounts.models import User
from filmroll.files import storage
from filmroll.limits import ratelimit
from filmroll.sharding.personal import Owned, Store


def _tokens_and_cache(user_id: int) -> None:
    user = User.objects.filter(id=user_id).first()
    if user is not None:
        tokens.revoke_all(user)
        ratelimit.forget([logins.account_key(user.username)])
        if user.avatar_key:
            storage.delete(user.avatar_key)
    objcache.invalidate("user", user_id)
    objcache.invalidate("hidden", user_id)


PERSONAL = [
    Owned("counts"),
    Store(
        "tokens, grants, log-in counts, the profile picture and the cached profile",
        _tokens_and_cache,
    ),
    Store("web sessions on every device", sessions.end_all),
]
