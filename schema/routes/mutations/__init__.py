"""Route mutations, one per module."""

import strawberry

from schema.routes.mutations.create_route import create_route_field
from schema.routes.mutations.delete_route import delete_route_field
from schema.routes.mutations.update_route import update_route_field


@strawberry.type
class RouteMutations:
    create_route = create_route_field
    update_route = update_route_field
    delete_route = delete_route_field
