"""Every web session a person is signed in with, on every device, so that all of them can end at
once (the account deleted: accounts/leaving.py, and its purge).

Neither session store can find a person's sessions by itself: the global database's keeps them
encoded by key, the sessions Redis keeps one key each. So each log-in (Django's `login`, which
every web log-in, the admin's and the OAuth consent's go through) records its session's key under
the person (`WebSession`, in the global database, whichever store keeps the sessions), and a
log-out takes it off. Ending them all deletes each session from the configured store: the next
request of any of those devices comes without a session, and nothing is left to come back when
the account does.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from filmroll.accounts.models import User, WebSession


def _store() -> SessionBase:
    store: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore()
    return store


def remember(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """On `user_logged_in`: the new session's key goes under the person, and keys of theirs
    whose sessions are over (expired, logged out elsewhere) go."""
    session = getattr(request, "session", None)
    if session is None or user is None or user.pk is None:
        return
    if session.session_key is None:
        session.save()
    store = _store()
    kept = WebSession.objects.filter(user_id=user.pk).values_list("session_key", flat=True)
    over = [key for key in kept if key != session.session_key and not store.exists(key)]
    WebSession.objects.filter(user_id=user.pk, session_key__in=over).delete()
    WebSession.objects.update_or_create(
        session_key=session.session_key, defaults={"user_id": user.pk}
    )


def forget(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    """On `user_logged_out`: the session is about to be flushed; its key goes too."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        WebSession.objects.filter(session_key=session.session_key).delete()


def end_all(user_id: int) -> None:
    """End every web session of the person, in the configured store. Idempotent."""
    keys = list(WebSession.objects.filter(user_id=user_id).values_list("session_key", flat=True))
    store = _store()
    for key in keys:
        store.delete(key)
    WebSession.objects.filter(user_id=user_id, session_key__in=keys).delete()
