"""GraphQL types of the route domain."""

import uuid
from datetime import datetime

import strawberry

from models.route import Route as RouteModel
from schema.context import Info
from schema.providers.types import PageInfo, Provider
from services import routes as route_service
from services.ids import parse_id


@strawberry.type(
    description="A dial-plan entry: a customer's calls to numbers matching target may go to "
    "provider. See dialPlan for how routes are ordered."
)
class Route:
    id: strawberry.ID
    customer_id: strawberry.ID = strawberry.field(
        description="Whose calls this route carries. The platform default customer "
        "00000000-0000-0000-0000-000000000001 holds platform-wide routes, tried after a "
        "customer's own."
    )
    name: str
    detail: str
    provider_id: strawberry.ID
    priority: int = strawberry.field(
        description="0-65535; lower is tried first (within the same target group)."
    )
    weight: int = strawberry.field(
        description="1-65535: share of the calls among routes of equal priority (RFC 2782)."
    )
    target: str = strawberry.field(
        description='"all", or an E.164 prefix ("+" and 1-15 digits, e.g. "+44") the number '
        "must start with."
    )
    tm_create: datetime
    tm_update: datetime
    tm_delete: datetime | None = strawberry.field(description="Set when the route was deleted.")

    _provider_uuid: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The provider calls on this route go to (loaded in batches).")
    async def provider(self, info: Info) -> Provider:
        row = await info.context.loaders.provider.load(self._provider_uuid)
        return Provider.from_model(row, info.context.principal)

    @classmethod
    def from_model(cls, row: RouteModel) -> "Route":
        return cls(
            id=strawberry.ID(str(row.id)),
            customer_id=strawberry.ID(str(row.customer_id)),
            name=row.name,
            detail=row.detail,
            provider_id=strawberry.ID(str(row.provider_id)),
            priority=row.priority,
            weight=row.weight,
            target=row.target,
            tm_create=row.tm_create,
            tm_update=row.tm_update,
            tm_delete=row.tm_delete,
            _provider_uuid=row.provider_id,
        )


@strawberry.input(description="Narrows a route listing. All given conditions must hold.")
class RouteFilter:
    customer_id: strawberry.ID | None = None
    provider_id: strawberry.ID | None = None
    target: str | None = strawberry.field(
        default=None, description='Exact target, e.g. "+44" or "all".'
    )
    include_deleted: bool = strawberry.field(
        default=False, description="Also list soft-deleted routes."
    )

    def to_service(self) -> route_service.RouteFilter:
        """The service's filter; a malformed id is INVALID_ARGUMENT at ["filter", <field>]."""
        return route_service.RouteFilter(
            customer_id=None
            if self.customer_id is None
            else parse_id(self.customer_id, "filter", "customerId"),
            provider_id=None
            if self.provider_id is None
            else parse_id(self.provider_id, "filter", "providerId"),
            target=self.target,
            include_deleted=self.include_deleted,
        )


@strawberry.type
class RouteEdge:
    cursor: str
    node: Route


@strawberry.type(description="A page of routes, newest first.")
class RouteConnection:
    edges: list[RouteEdge]
    page_info: PageInfo
    _filter: strawberry.Private[route_service.RouteFilter]

    @strawberry.field(description="How many routes match the filter, over all pages.")
    async def total_count(self) -> int:
        return await route_service.count_routes(self._filter)
