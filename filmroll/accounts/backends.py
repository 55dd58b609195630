"""Django's only authentication backend: its model backend behind the log-in throttle
(`logins`). Whatever calls django.contrib.auth.authenticate() — our log-ins, the admin's, an
OAuth grant — is counted before a password is read."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.http import HttpRequest

from filmroll.accounts import leaving, logins
from filmroll.accounts.models import User
from filmroll.netaddr import client_address


class Throttled(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        client_ip: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        """`client_ip`: the caller's judgement of the client's address (callers without the
        request); otherwise it is read from the request. Past a limit this raises RateLimited
        (not PermissionDenied, which Django would turn into a plain wrong password)."""
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not isinstance(username, str) or password is None:
            return None
        ip = client_ip or (client_address(request.META) if request is not None else "unknown")
        attempt = logins.admit(username, ip)
        user = super().authenticate(request, username=username, password=password)
        if user is None:
            user = self._coming_back(username, password)
        if user is not None:
            logins.succeeded(attempt)
        return user

    def _coming_back(self, username: str, password: str) -> User | None:
        """An account waiting for deletion whose owner gives the right password within the grace
        period: it passes the password step as it is, still inactive. Only the whole log-in (the
        second factor too, when it is on) restores it: accounts/users.finish_log_in, which every
        log-in calls before its session or token. Until then Django's get_user refuses it, and
        the callers that check a password for a signed-in person never meet it."""
        user = leaving.pending(username)
        if user is None or not user.check_password(password):
            return None
        return user

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in person of every web request: the same row and the same refusal of an
        inactive account as Django's, read by one plain SELECT (`_by_id`) instead of a query
        the ORM builds afresh each time (~0.25 ms of CPU a page)."""
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        # Django's async path checks the password itself; send it through the same count.
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)


_compiled: dict[str, tuple[str, list[str], Any, dict]] = {}


def _by_id(user_id: int) -> User | None:
    """One user by primary key: the SQL, the columns and the converters the ORM compiles for
    `filter(pk=...)`, compiled once a database and then run as they are."""
    db = router.db_for_read(User)
    if db not in _compiled:
        compiler = User._default_manager.filter(pk=0).query.get_compiler(db)
        compiler.pre_sql_setup()
        sql, _ = compiler.as_sql()
        names = [column.target.attname for column, _, _ in compiler.select]
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        _compiled[db] = (sql, names, compiler, converters)
    sql, names, compiler, converters = _compiled[db]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        row = next(iter(compiler.apply_converters([row], converters)))
    return User.from_db(db, names, list(row))
