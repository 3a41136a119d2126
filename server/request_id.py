"""Gives every HTTP request an id: in ``scope["state"]``, the ``X-Request-ID`` response header, the
access log line and masked errors, so a client's report can be matched to the server's log."""

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.logging_setup import current_request_id
from server.metrics import observe_http

HEADER = "X-Request-ID"
# An id a client or gateway sends is kept only if it cannot smuggle anything into a log or header.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._-]{8,64}")

access_log = logging.getLogger("trunkql.access")


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", ""))


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        offered = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _ACCEPTABLE.fullmatch(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method, path = scope.get("method", "WS"), scope.get("path", "")
            # Path only, never the query string: a GET query could carry secrets in its variables.
            access_log.info(
                "%s %s %s %.1fms request_id=%s", method, path, status, seconds * 1000, request_id
            )
            observe_http(method, path, status, seconds)
            current_request_id.reset(token)
