"""setupProvider: the spec's one-step carrier setup (POST /providers/setup)."""

import strawberry

from schema.context import Info
from schema.permissions import admin_mutation
from schema.providers.mutations.payload import ProviderPayload
from schema.providers.mutations.run import run_provider_mutation
from services.setup import KnownCarrier, SetupRequest

CarrierEnum = strawberry.enum(
    KnownCarrier,
    name="Carrier",
    description="A carrier by name. Only TELNYX can be set up today; the others are refused "
    "with UNSUPPORTED_CARRIER.",
)


@strawberry.input(
    description="A carrier API key and a name; trunkql validates the key, creates the SIP trunk at "
    "the carrier and the provider record. Takes no codecs: set them afterwards with updateCodecs."
)
class SetupProviderInput:
    # Required fields are nullable so that a missing one is an INVALID_ARGUMENT userError.
    carrier: KnownCarrier | None = strawberry.field(default=None, description="Required.")
    name: str | None = strawberry.field(default=None, description="Required. 1-255 characters.")
    detail: str = ""
    api_key: str | None = strawberry.field(
        default=None,
        description="Required. The carrier API key. Used for this call only: never stored, "
        "logged or returned.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Optional, 1-128 of [A-Za-z0-9._:-]. Sending the same key again returns the "
        "first result instead of creating a second trunk.",
    )


@strawberry.type
class SetupProviderPayload(ProviderPayload):
    pass


async def setup_provider(info: Info, input: SetupProviderInput) -> SetupProviderPayload:
    request = SetupRequest(
        carrier=input.carrier,
        name=input.name,
        detail=input.detail,
        api_key=input.api_key,
        idempotency_key=input.idempotency_key,
    )
    return await run_provider_mutation(
        info, SetupProviderPayload, info.context.provider_setup.setup(request)
    )


setup_provider_field = admin_mutation(
    setup_provider,
    description="Set up a carrier-backed SIP trunk in one step.",
)
