"""createRoute: a new dial-plan entry for a customer (or the platform), pointing at a provider."""

import strawberry

from schema.context import Info
from schema.permissions import admin_mutation
from schema.routes.mutations.payload import RoutePayload
from schema.routes.mutations.run import run_route_mutation
from services import routes as route_service
from services.route_rules import WEIGHT_DEFAULT


@strawberry.input
class CreateRouteInput:
    # Required fields are nullable here on purpose: a missing one comes back as an
    # INVALID_ARGUMENT userError with its field path, like every other input error.
    customer_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Required. The customer's UUID; 00000000-0000-0000-0000-000000000001 (the "
        "platform default customer) for a platform-wide route.",
    )
    name: str | None = strawberry.field(default=None, description="Required. 1-255 characters.")
    provider_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required. A provider that exists and is not deleted."
    )
    priority: int | None = strawberry.field(
        default=None, description="Required. 0-65535; lower is tried first."
    )
    target: str | None = strawberry.field(
        default=None,
        description='Required. "all", or an E.164 prefix: "+" and 1-15 digits, e.g. "+44".',
    )
    weight: int = strawberry.field(
        default=WEIGHT_DEFAULT,
        description="1-65535: share of the calls among routes of equal priority.",
    )
    detail: str = ""


@strawberry.type
class CreateRoutePayload(RoutePayload):
    pass


async def create_route(info: Info, input: CreateRouteInput) -> CreateRoutePayload:
    values = {
        "customer_id": input.customer_id,
        "name": input.name,
        "provider_id": input.provider_id,
        "priority": input.priority,
        "target": input.target,
        "weight": input.weight,
        "detail": input.detail,
    }
    return await run_route_mutation(CreateRoutePayload, route_service.create_route(values))


create_route_field = admin_mutation(create_route, description="Create a route.")
