"""Route queries: one by id, the paginated listing, and the dial plan for a number."""

from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import query_error
from schema.providers.types import PageInfo
from schema.routes.dial_plan import DialPlan
from schema.routes.types import Route, RouteConnection, RouteEdge, RouteFilter
from services import dial_plan as dial_plan_service
from services import routes as route_service
from services.errors import ServiceError
from services.pagination import DEFAULT_PAGE_SIZE


@strawberry.type
class RouteQueries:
    @strawberry.field(description="A route by id; deleted routes too (with tmDelete set).")
    async def route(self, id: strawberry.ID) -> Route | None:
        try:
            row = await route_service.get_route(id)
        except ServiceError as exc:
            raise query_error(exc) from None
        return Route.from_model(row) if row else None

    @strawberry.field(
        description="Routes, newest first, as a Relay connection. first defaults to 50, at most "
        "100; after takes an endCursor from a previous page."
    )
    async def routes(
        self,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: RouteFilter | None = None,
    ) -> RouteConnection:
        try:
            flt = filter.to_service() if filter else route_service.RouteFilter()
            page = await route_service.list_routes(flt, first, after)
        except ServiceError as exc:
            raise query_error(exc) from None
        return RouteConnection(
            edges=[RouteEdge(cursor=c, node=Route.from_model(row)) for c, row in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            _filter=flt,
        )

    @strawberry.field(
        description="The providers a call from customerId to destination would try, in order: "
        "the customer's prefix routes (longest prefix first), its 'all' routes, then the same "
        "of the platform default customer; by priority within each, equal priorities drawn by "
        "weight. Each provider once; UNHEALTHY providers last. destination is a phone number "
        "('+1 (555) 123-4567' is fine); without a leading '+' only 'all' routes match."
    )
    async def dial_plan(
        self,
        info: Info,
        destination: str,
        customer_id: strawberry.ID,
        seed: Annotated[
            int | None,
            strawberry.argument(
                description="Makes the weighted draw reproducible: the same seed and routes "
                "give the same order."
            ),
        ] = None,
    ) -> DialPlan:
        try:
            plan = await dial_plan_service.dial_plan(
                destination, customer_id, info.context.principal, seed
            )
        except ServiceError as exc:
            raise query_error(exc) from None
        return DialPlan.from_service(plan, info)
