"""updateCodecs: set a provider's codec preference list (the spec's PUT with {"codecs": ...})."""

from datetime import datetime

import strawberry

from schema.context import Info
from schema.inputs import expected_tm_update_field
from schema.permissions import admin_mutation
from schema.providers.mutations.payload import ProviderPayload
from schema.providers.mutations.run import run_provider_mutation
from services import providers as provider_service


@strawberry.input
class UpdateCodecsInput:
    id: strawberry.ID
    codecs: str = strawberry.field(
        description='Comma-separated codec names in order of preference, e.g. "PCMU,PCMA"; "" '
        "lifts the restriction."
    )
    expected_tm_update: datetime | None = expected_tm_update_field()


@strawberry.type
class UpdateCodecsPayload(ProviderPayload):
    pass


async def update_codecs(info: Info, input: UpdateCodecsInput) -> UpdateCodecsPayload:
    return await run_provider_mutation(
        info,
        UpdateCodecsPayload,
        provider_service.update_provider(
            input.id, {"codecs": input.codecs}, input.expected_tm_update
        ),
    )


update_codecs_field = admin_mutation(
    update_codecs,
    description="Set the codecs offered to a provider for PSTN outbound calls.",
)
