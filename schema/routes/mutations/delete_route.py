"""deleteRoute: soft delete; the record stays readable by id with tmDelete set."""

import strawberry

from schema.context import Info
from schema.permissions import admin_mutation
from schema.routes.mutations.payload import RoutePayload
from schema.routes.mutations.run import run_route_mutation
from services import routes as route_service


@strawberry.input
class DeleteRouteInput:
    id: strawberry.ID


@strawberry.type
class DeleteRoutePayload(RoutePayload):
    pass


async def delete_route(info: Info, input: DeleteRouteInput) -> DeleteRoutePayload:
    return await run_route_mutation(DeleteRoutePayload, route_service.delete_route(input.id))


delete_route_field = admin_mutation(
    delete_route,
    description="Delete a route (soft delete: sets tmDelete; it leaves dial plans at once). "
    "Deleting it again is NOT_FOUND.",
)
