"""Provider queries: one by id, and the paginated listing."""

import strawberry

from schema.context import Info
from schema.errors import query_error
from schema.providers.types import (
    PageInfo,
    Provider,
    ProviderConnection,
    ProviderEdge,
    ProviderFilter,
)
from services import providers as provider_service
from services.errors import ServiceError
from services.pagination import DEFAULT_PAGE_SIZE


@strawberry.type
class ProviderQueries:
    @strawberry.field(description="A provider by id; deleted providers too (with tmDelete set).")
    async def provider(self, info: Info, id: strawberry.ID) -> Provider | None:
        try:
            row = await provider_service.get_provider(id)
        except ServiceError as exc:
            raise query_error(exc) from None
        return Provider.from_model(row, info.context.principal) if row else None

    @strawberry.field(
        description="Providers, newest first, as a Relay connection. first defaults to 50, at most "
        "100; after takes an endCursor from a previous page."
    )
    async def providers(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: ProviderFilter | None = None,
    ) -> ProviderConnection:
        flt = filter.to_service() if filter else provider_service.ProviderFilter()
        try:
            page = await provider_service.list_providers(flt, first, after)
        except ServiceError as exc:
            raise query_error(exc) from None
        viewer = info.context.principal
        return ProviderConnection(
            edges=[
                ProviderEdge(cursor=c, node=Provider.from_model(row, viewer))
                for c, row in page.items
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            _filter=flt,
        )
