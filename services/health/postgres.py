"""Reaching PostgreSQL with asyncpg directly, from trunkql's (Tortoise) database URL.

The health engine keeps long-lived sessions of its own (LISTEN, an advisory lock) that a pooled
ORM connection cannot give: a pool hands connections around, and a session lock or a LISTEN
belongs to one session.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters asyncpg understands (libpq's names). Tortoise adds its own (minsize, maxsize,
# ...), which asyncpg would send to the server as settings, and the server would refuse.
_ASYNCPG_PARAMETERS = frozenset(
    {
        "host",
        "port",
        "user",
        "password",
        "passfile",
        "dbname",
        "database",
        "service",
        "servicefile",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslcrl",
        "sslpassword",
        "sslnegotiation",
        "direct_tls",
        "target_session_attrs",
        "krbsrvname",
        "gsslib",
    }
)


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def asyncpg_dsn(database_url: str) -> str:
    """``postgres://user@host:port/db?maxsize=5`` → ``postgresql://user@host:port/db``."""
    if not is_postgres_url(database_url):
        raise ValueError("not a PostgreSQL URL")
    parts = urlsplit(database_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k in _ASYNCPG_PARAMETERS]
    return urlunsplit(parts._replace(scheme="postgresql", query=urlencode(query)))
