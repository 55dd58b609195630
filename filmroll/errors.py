"""Errors the domain raises for people to read; the API renders each as its error envelope."""

from __future__ import annotations

import redis
from django.db import OperationalError


class FilmrollError(Exception):
    status = 400
    error_type = "APIError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(FilmrollError):
    error_type = "APIInvalidParametersError"


class NotFound(FilmrollError):
    """What does not exist, and what the viewer may not know exists: v1 answered 400."""

    error_type = "APINotFoundError"


class NotAllowed(FilmrollError):
    """A private account's lists and photos, whose existence its public profile already shows
    (v1's answer; see docs/api.md, "Private or missing")."""

    error_type = "APINotAllowedError"


class NoEndpoint(NotFound):
    """A path the API has no endpoint at."""

    status = 404


class Forbidden(FilmrollError):
    status = 403
    error_type = "APIForbiddenError"


class Conflict(FilmrollError):
    status = 409
    error_type = "APIConflictError"


class BadCredentials(FilmrollError):
    error_type = "OAuthException"


class MissingToken(FilmrollError):
    error_type = "OAuthParameterException"


class BadToken(FilmrollError):
    error_type = "OAuthAccessTokenException"


class TooLarge(FilmrollError):
    status = 413
    error_type = "APIRequestTooLargeError"


class OutOfScope(FilmrollError):
    status = 403
    error_type = "OAuthPermissionsException"


class StorageUnavailable(FilmrollError):
    """The photo store cannot take a file now (full, read-only, unreachable); nothing was
    saved, and the same request succeeds once the store is back."""

    status = 503
    error_type = "APIStorageError"
    retry_after = 30  # seconds: the Retry-After clients are told

    def __init__(self, message: str = "photos cannot be saved right now; nothing was posted,"
                 " try again in a minute") -> None:  # fmt: skip
        super().__init__(message)


class DatabaseUnavailable(StorageUnavailable):
    """A database cannot take the write now: its file is read-only or stays locked (embedded),
    its server is gone or is a replica not promoted yet (cluster). The write's transaction rolled
    back; the same request succeeds once the database is back."""

    retry_after = 10

    def __init__(self, message: str = "this cannot be saved right now; nothing was changed,"
                 " try again in a few seconds") -> None:  # fmt: skip
        super().__init__(message)


# SQLSTATE 25006: a write reached a read-only transaction (a hot standby, a demoted primary)
READ_ONLY_SQL_TRANSACTION = "25006"


_UNAVAILABLE = (OperationalError, redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError)


def database_unavailable(error: BaseException) -> DatabaseUnavailable | None:
    """The answer for a database fault that is the database's state, not the request's: a
    connection that failed or broke, a file that cannot be written, a server that only reads.
    Redis counts too: during a fail-over its primary refuses connections or, demoted, writes."""
    cause = error.__cause__
    if isinstance(error, _UNAVAILABLE) or (
        getattr(cause, "sqlstate", None) == READ_ONLY_SQL_TRANSACTION
    ):
        return DatabaseUnavailable()
    return None


class RateLimited(FilmrollError):
    status = 429
    error_type = "OAuthRateLimitException"


class UnknownClient(FilmrollError):
    error_type = "OAuthParameterException"
