"""updateRoute: change only the fields given."""

from datetime import datetime

import strawberry

from schema.context import Info
from schema.inputs import expected_tm_update_field, given_fields
from schema.permissions import admin_mutation
from schema.routes.mutations.payload import RoutePayload
from schema.routes.mutations.run import run_route_mutation
from services import routes as route_service


@strawberry.input(
    description="The route's id and the fields to change; omitted fields keep their value. null "
    "is refused for every field. A new providerId must name a provider that is not deleted."
)
class UpdateRouteInput:
    id: strawberry.ID
    customer_id: strawberry.ID | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    detail: str | None = strawberry.UNSET
    provider_id: strawberry.ID | None = strawberry.UNSET
    priority: int | None = strawberry.UNSET
    weight: int | None = strawberry.UNSET
    target: str | None = strawberry.UNSET
    expected_tm_update: datetime | None = expected_tm_update_field()


_CHANGEABLE = ("customer_id", "name", "detail", "provider_id", "priority", "weight", "target")


@strawberry.type
class UpdateRoutePayload(RoutePayload):
    pass


async def update_route(info: Info, input: UpdateRouteInput) -> UpdateRoutePayload:
    changes = given_fields(input, _CHANGEABLE)
    return await run_route_mutation(
        UpdateRoutePayload, route_service.update_route(input.id, changes, input.expected_tm_update)
    )


update_route_field = admin_mutation(update_route, description="Change some fields of a route.")
