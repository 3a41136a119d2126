"""GraphQL types of the provider domain."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from models.enums import HealthStatus, ProviderType
from models.provider import Provider as ProviderModel
from schema.context import Info
from schema.errors import query_error
from services import providers as provider_service
from services.errors import ServiceError
from services.masking import visible_tech_headers
from services.principals import Principal

ProviderTypeEnum = strawberry.enum(
    ProviderType, name="ProviderType", description="Signalling protocol of a provider."
)
HealthStatusEnum = strawberry.enum(
    HealthStatus,
    name="HealthStatus",
    description="Reachability of a provider as last observed; UNKNOWN until first checked.",
)


@strawberry.type(
    description="A SIP trunk provider (carrier) that outbound calls can be routed through."
)
class Provider:
    id: strawberry.ID
    name: str
    detail: str
    type: ProviderType
    hostname: str = strawberry.field(
        description="SIP server address, lower-case, e.g. sip.telnyx.com."
    )
    tech_prefix: str = strawberry.field(description="Added before the dialed number.")
    tech_postfix: str = strawberry.field(description="Added after the dialed number.")
    tech_headers: JSON = strawberry.field(
        description="Custom SIP headers sent with every call to this provider (name → value). "
        "Values are shown to PROJECT_SUPER_ADMIN only; other roles see them masked."
    )
    codecs: str = strawberry.field(
        description='Codec preference list for PSTN outbound calls, e.g. "PCMU,PCMA"; "" means '
        "no restriction (the platform's default list)."
    )
    metadata: JSON
    health_status: HealthStatus
    health_checked_at: datetime | None
    health_latency_ms: float | None = strawberry.field(
        description="Smoothed round-trip time of SIP OPTIONS probes, in milliseconds."
    )
    health_last_error: str | None = strawberry.field(
        description="Why the last failed probe failed; null after a successful one."
    )
    tm_create: datetime
    tm_update: datetime
    tm_delete: datetime | None = strawberry.field(description="Set when the provider was deleted.")

    @strawberry.field(
        description="The number as this provider is dialed: techPrefix + number + techPostfix. "
        "Spaces, dashes, dots and parentheses in the number are ignored."
    )
    def format_number(self, info: Info, number: str) -> str:
        try:
            return provider_service.format_number(self._model, number)
        except ServiceError as exc:
            raise query_error(exc) from None

    _model: strawberry.Private[ProviderModel]

    @classmethod
    def from_model(cls, row: ProviderModel, viewer: Principal) -> "Provider":
        """The provider as ``viewer`` may see it (secrets masked for all but super admins)."""
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            detail=row.detail,
            type=row.type,
            hostname=row.hostname,
            tech_prefix=row.tech_prefix,
            tech_postfix=row.tech_postfix,
            tech_headers=JSON(visible_tech_headers(row.tech_headers, viewer)),
            codecs=row.codecs,
            metadata=JSON(row.metadata),
            health_status=row.health_status,
            health_checked_at=row.health_checked_at,
            health_latency_ms=row.health_latency_ms,
            health_last_error=row.health_last_error,
            tm_create=row.tm_create,
            tm_update=row.tm_update,
            tm_delete=row.tm_delete,
            _model=row,
        )


@strawberry.input(description="Narrows a provider listing. All given conditions must hold.")
class ProviderFilter:
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the name."
    )
    hostname: str | None = strawberry.field(default=None, description="Exact hostname.")
    health_status: HealthStatus | None = None
    include_deleted: bool = strawberry.field(
        default=False, description="Also list soft-deleted providers."
    )

    def to_service(self) -> provider_service.ProviderFilter:
        return provider_service.ProviderFilter(
            name_contains=self.name_contains,
            hostname=self.hostname,
            health_status=self.health_status,
            include_deleted=self.include_deleted,
        )


@strawberry.type
class ProviderEdge:
    cursor: str
    node: Provider


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A page of providers, newest first.")
class ProviderConnection:
    edges: list[ProviderEdge]
    page_info: PageInfo
    _filter: strawberry.Private[provider_service.ProviderFilter]

    @strawberry.field(description="How many providers match the filter, over all pages.")
    async def total_count(self) -> int:
        return await provider_service.count_providers(self._filter)
