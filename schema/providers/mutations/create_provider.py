"""createProvider: a provider configured by hand (see setupProvider for the carrier-backed path)."""

import strawberry
from strawberry.scalars import JSON

from models.enums import ProviderType
from schema.context import Info
from schema.permissions import IsSuperAdmin
from schema.providers.mutations.payload import ProviderPayload
from schema.providers.mutations.run import run_provider_mutation
from services import providers as provider_service


@strawberry.input
class CreateProviderInput:
    # Required fields are nullable here on purpose: a missing name or hostname comes back as an
    # INVALID_ARGUMENT userError with its field path (the spec's 400), like every other input error.
    name: str | None = strawberry.field(default=None, description="Required. 1-255 characters.")
    hostname: str | None = strawberry.field(
        default=None,
        description="Required. A DNS name, IPv4 address or [IPv6] address, optionally with :port.",
    )
    detail: str = ""
    type: ProviderType = ProviderType.SIP
    tech_prefix: str = ""
    tech_postfix: str = ""
    tech_headers: JSON = strawberry.field(default_factory=dict)
    codecs: str = ""
    metadata: JSON = strawberry.field(default_factory=dict)


@strawberry.type
class CreateProviderPayload(ProviderPayload):
    pass


async def create_provider(info: Info, input: CreateProviderInput) -> CreateProviderPayload:
    values = {
        "name": input.name,
        "hostname": input.hostname,
        "detail": input.detail,
        "type": input.type,
        "tech_prefix": input.tech_prefix,
        "tech_postfix": input.tech_postfix,
        "tech_headers": input.tech_headers,
        "codecs": input.codecs,
        "metadata": input.metadata,
    }
    return await run_provider_mutation(
        info, CreateProviderPayload, provider_service.create_provider(values)
    )


create_provider_field = strawberry.mutation(
    resolver=create_provider,
    permission_classes=[IsSuperAdmin],
    description="Create a provider.",
)
