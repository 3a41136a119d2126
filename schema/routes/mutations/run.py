"""Runs a route service call and shapes its outcome as a payload."""

from collections.abc import Awaitable
from typing import TypeVar

from models.route import Route as RouteModel
from schema.errors import user_errors
from schema.routes.mutations.payload import RoutePayload
from schema.routes.types import Route
from services.errors import ServiceError

P = TypeVar("P", bound=RoutePayload)


async def run_route_mutation(payload: type[P], call: Awaitable[RouteModel]) -> P:
    try:
        row = await call
    except ServiceError as exc:
        return payload(route=None, user_errors=user_errors(exc))
    return payload(route=Route.from_model(row), user_errors=[])
