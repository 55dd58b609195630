"""Django's SQLite backend, but a connection that met an operational error is closed when its
request ends (or its task, in the worker), not kept for CONN_MAX_AGE.

SQLite opens a file it cannot write (made immutable, on a read-only mount) read-only without a
word, and such a connection answers every write "attempt to write a readonly database" for as
long as Django keeps it, after the file is writable again: the soak saw writes answered 503 for
half a minute after the fault was gone. Django keeps a connection that saw an error when it says
it is usable, and SQLite's always does; a rollback forgets the error anyway. Marking the
connection obsolete instead (`close_at`) closes it at the end of the request, whatever was rolled
back. Opening a SQLite file again costs well under a millisecond.
"""

from __future__ import annotations

import sqlite3
from types import TracebackType

from django.db import utils
from django.db.backends.sqlite3 import base
from django.utils.functional import cached_property


class _Errors(utils.DatabaseErrorWrapper):
    def __init__(self, wrapper: DatabaseWrapper) -> None:
        super().__init__(wrapper)
        self.connection = wrapper

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None and issubclass(exc_type, sqlite3.OperationalError):
            self.connection.close_at = 0.0  # obsolete: closed by close_old_connections
        super().__exit__(exc_type, exc_value, traceback)


class DatabaseWrapper(base.DatabaseWrapper):
    @cached_property
    def wrap_database_errors(self) -> utils.DatabaseErrorWrapper:
        return _Errors(self)
