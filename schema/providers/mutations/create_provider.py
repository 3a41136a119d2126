"""createProvider: a provider configured by hand (see setupProvider for the carrier-backed path)."""

import strawberry
from strawberry.scalars import JSON

from models.enums import ProviderType
from schema.context import Info
from schema.inputs import given_fields
from schema.permissions import admin_mutation
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
    # JSON inputs default to "not given" rather than {}: a {} default cannot be shown by
    # introspection (GraphiQL would fail), and the service's default is {} anyway.
    tech_headers: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Custom SIP headers; none if omitted."
    )
    codecs: str = ""
    metadata: JSON | None = strawberry.field(default=strawberry.UNSET, description="{} if omitted.")


_FIELDS = (
    "name",
    "hostname",
    "detail",
    "type",
    "tech_prefix",
    "tech_postfix",
    "tech_headers",
    "codecs",
    "metadata",
)


@strawberry.type
class CreateProviderPayload(ProviderPayload):
    pass


async def create_provider(info: Info, input: CreateProviderInput) -> CreateProviderPayload:
    values = given_fields(input, _FIELDS)
    return await run_provider_mutation(
        info, CreateProviderPayload, provider_service.create_provider(values)
    )


create_provider_field = admin_mutation(
    create_provider,
    description="Create a provider.",
)
