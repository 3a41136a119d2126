"""Telling a database outage from a bug.

When the database cannot be reached, or drops the connection, a request fails with
DATABASE_UNAVAILABLE — a condition the client can retry — rather than a masked internal error.
The connection pool reconnects by itself once the database is back.
"""

import asyncpg
from tortoise.exceptions import DBConnectionError

# SQLSTATE classes and codes that mean "no usable connection": 08 connection exception,
# 57P01-57P03 the server shutting down, crashed, or not accepting connections yet.
_OUTAGE_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, DBConnectionError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, OSError):  # refused, unreachable, reset: the socket never worked
        return True
    if isinstance(exc, asyncpg.exceptions.ConnectionDoesNotExistError):
        return True
    if isinstance(exc, asyncpg.exceptions.InterfaceError) and "connection" in str(exc).lower():
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_OUTAGE_SQLSTATE_PREFIXES)


def is_database_outage(exc: BaseException | None) -> bool:
    """True if ``exc`` or anything in its chain (Tortoise wraps driver errors) is an outage."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if _is_outage(exc):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
