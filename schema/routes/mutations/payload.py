"""The payload every route mutation returns: the route, or why not."""

import strawberry

from schema.errors import UserError
from schema.routes.types import Route


@strawberry.interface(description="What a route mutation returns.")
class RoutePayload:
    route: Route | None
    user_errors: list[UserError]
