"""Counting the SQL statements a server process sends, from inside it, for the bench build only.

Tortoise logs every statement on ``tortoise.db_client`` at DEBUG (``"%s: %s"``, SQL then
parameters). The product keeps that logger at INFO (the parameters may hold secrets); the bench
build adds ``/_bench/sql`` to the app, through which the harness switches counting on for a
counting pass and off again. Counting never formats a record (the parameters are never even turned
into text) and nothing propagates to any other handler, so nothing is written anywhere. While
counting is off, the logger is at INFO exactly as in the product, so the timed passes pay nothing.

Only statements sent on behalf of an HTTP request are counted (a context variable set around each
request, inherited by the tasks a request starts, such as DataLoader batches): background work in
the server (setup recovery, health sweeps) never lands in a request's count.
"""

import logging
from contextvars import ContextVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
_LOGGER = "tortoise.db_client"
_IN_REQUEST: ContextVar[bool] = ContextVar("bench_in_request", default=False)


class StatementCounter(logging.Handler):
    """Counts statements by their first word, like tests/sql_counter.py does."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        # Each statement's shape: its SQL cut before the values, never its parameters.
        self.shapes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not _IN_REQUEST.get():
            return
        args = record.args
        sql = args[0] if isinstance(args, tuple) and args else record.msg
        if isinstance(sql, str) and sql.lstrip()[:6].upper().startswith(_STATEMENTS):
            self.count += 1
            if len(self.shapes) < 50:
                self.shapes.append(_shape(sql))


COUNTER = StatementCounter()


def _install() -> logging.Logger:
    logger = logging.getLogger(_LOGGER)
    if COUNTER not in logger.handlers:
        logger.addHandler(COUNTER)
    logger.propagate = False  # the records reach the counter only
    return logger


def _shape(sql: str) -> str:
    """``SELECT … FROM "provider"``, ``UPDATE "setup_journal"``: the verb and the table."""
    words = sql.split()
    verb = words[0].upper()
    table = next(
        (words[i + 1] for i, w in enumerate(words[:-1]) if w.upper() in ("FROM", "INTO", "UPDATE")),
        words[1] if len(words) > 1 else "",
    )
    return f"{verb} {table.strip(chr(34)).split('(')[0]}"


def start() -> None:
    COUNTER.count = 0
    COUNTER.shapes = []
    _install().setLevel(logging.DEBUG)


def stop() -> int:
    _install().setLevel(logging.INFO)
    return COUNTER.count


async def sql_endpoint(request: Request) -> JSONResponse:
    """``POST /_bench/sql/start`` resets and starts counting; ``POST /_bench/sql/stop`` stops and
    answers ``{"statements": N}``."""
    action = request.path_params["action"]
    if action == "start":
        start()
        return JSONResponse({"statements": 0})
    if action == "stop":
        return JSONResponse({"statements": stop(), "shapes": COUNTER.shapes})
    return JSONResponse({"error": "start or stop"}, status_code=404)


class MarkRequests:
    """Marks everything an HTTP request runs (and the tasks it starts) as the request's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _IN_REQUEST.set(True)
        try:
            await self.app(scope, receive, send)
        finally:
            _IN_REQUEST.reset(token)


def add_sql_endpoint(app: Starlette) -> Starlette:
    _install().setLevel(logging.INFO)
    app.router.routes.append(Route("/_bench/sql/{action}", sql_endpoint, methods=["POST"]))
    app.add_middleware(MarkRequests)
    return app
