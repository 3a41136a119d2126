"""The /graphql endpoint: Strawberry's ASGI view with authentication, context and error masking."""

import json
import logging
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http import process_result as default_process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from schema.audit import audit_line
from schema.base import is_client_error
from schema.context import Context
from schema.routes.loaders import build_loaders
from server.auth import (
    AuthenticationError,
    TokenVerifier,
    bearer_token,
    unauthenticated_response,
)
from server.database_errors import is_database_outage
from server.request_id import request_id_of
from services.principals import ANONYMOUS, Principal

log = logging.getLogger("trunkql.graphql")

INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR"
DATABASE_UNAVAILABLE_CODE = "DATABASE_UNAVAILABLE"


def _audit_refused_token(request_id: str, exc: AuthenticationError) -> None:
    audit_line(
        {
            "event": "authentication",
            "requestId": request_id,
            "outcome": "unauthenticated",
            "errorCode": "UNAUTHENTICATED",
            "reason": str(exc),
        }
    )


class TrunkqlGraphQL(GraphQL[Context, None]):
    def __init__(self, *args: Any, verifier: TokenVerifier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            # GraphiQL's page is static and holds no data; every operation needs a token.
            if not self.should_render_graphql_ide(self.request_adapter_class(request)):
                try:
                    scope.setdefault("state", {})["principal"] = self._authenticate(request)
                except AuthenticationError as exc:
                    _audit_refused_token(request_id_of(scope), exc)
                    await unauthenticated_response(str(exc))(scope, receive, send)
                    return
            send = _allowing_post_on_405(send)
        await super().__call__(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        # json.loads guesses UTF-16/32 from a byte-order mark and can fail with UnicodeDecodeError,
        # which Strawberry does not catch (a 500). GraphQL over HTTP is UTF-8: anything else is a
        # malformed request, answered 400 like any other unparsable body.
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
        except UnicodeDecodeError:
            raise json.JSONDecodeError("request body is not UTF-8", "", 0) from None
        value = json.loads(text)
        # A request is a JSON object (a list is a batch, refused with its own message); a bare
        # string or number would crash Strawberry's body parsing into a 500.
        if not isinstance(value, dict | list):
            raise json.JSONDecodeError("a GraphQL request body is a JSON object", text, 0)
        return value

    def _authenticate(self, request: Request) -> Principal:
        return self._verifier.verify(bearer_token(request.headers.get("authorization")))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        # A WebSocket has no principal yet: on_ws_connect sets it from connection_init.
        return Context(
            request=request,
            response=response,
            principal=request.scope.get("state", {}).get("principal", ANONYMOUS),
            request_id=request_id_of(request.scope),
            provider_setup=request.app.state.provider_setup,
            health=request.app.state.health,
            loaders=build_loaders(),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws: the token comes in connection_init's payload, as
        ``{"Authorization": "Bearer <token>"}``; without a valid one the socket is closed (4403)."""
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        try:
            context.principal = self._verifier.verify(
                bearer_token(authorization if isinstance(authorization, str) else None)
            )
        except AuthenticationError as exc:
            _audit_refused_token(context.request_id, exc)
            raise ConnectionRejectionError(
                {"code": "UNAUTHENTICATED", "message": str(exc)}
            ) from None
        no_ack_payload: UnsetType = UNSET
        return no_ack_payload

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """A document with no operation, or without the operation the request names, is a
        GraphQL request error: a well-formed request answered as GraphQL (HTTP 200, ``errors``),
        as GraphQL over HTTP asks, where Strawberry answered 400 in plain text. A mutation over
        GET is 405 Method Not Allowed, not 400."""
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as exc:
            cause = exc.__cause__
            if isinstance(cause, CannotGetOperationTypeError):
                return ExecutionResult(data=None, errors=[GraphQLError(exc.reason)])
            if (
                isinstance(cause, InvalidOperationTypeError)
                and cause.operation_type == OperationType.MUTATION
            ):
                # Only GET refuses mutations; GraphQL over HTTP: 405, with Allow (see __call__).
                raise HTTPException(405, exc.reason) from cause
            raise

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = [self._mask(request, error) for error in result.errors]
        return default_process_result(result)

    @staticmethod
    def _mask(request: Request, error: GraphQLError) -> GraphQLError:
        if is_client_error(error):
            return error
        request_id = request_id_of(request.scope)
        if is_database_outage(error.original_error):
            log.warning(
                "database unavailable (request_id=%s): %s",
                request_id,
                type(error.original_error).__name__,
            )
            return GraphQLError(
                "the database is unavailable; retry shortly",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": DATABASE_UNAVAILABLE_CODE, "requestId": request_id},
            )
        log.error(
            "unexpected error in %s (request_id=%s)",
            ".".join(str(p) for p in error.path or ()) or "operation",
            request_id,
            exc_info=error.original_error,
        )
        return GraphQLError(
            f"internal error; quote request id {request_id} when reporting it",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": INTERNAL_ERROR_CODE, "requestId": request_id},
        )


def _allowing_post_on_405(send: Send) -> Send:
    """HTTP requires a 405 to say what is allowed: a mutation needs POST."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 405:
            message = {**message, "headers": [*message.get("headers", []), (b"allow", b"POST")]}
        await send(message)

    return sending
