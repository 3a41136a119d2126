"""updateProvider: change only the fields given."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from schema.context import Info
from schema.inputs import expected_tm_update_field, given_fields
from schema.permissions import admin_mutation
from schema.providers.mutations.payload import ProviderPayload
from schema.providers.mutations.run import run_provider_mutation
from services import providers as provider_service


@strawberry.input(
    description="The provider's id and the fields to change; omitted fields keep their value. "
    "null is refused for every field. A new hostname resets healthStatus to UNKNOWN."
)
class UpdateProviderInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    detail: str | None = strawberry.UNSET
    hostname: str | None = strawberry.UNSET
    tech_prefix: str | None = strawberry.UNSET
    tech_postfix: str | None = strawberry.UNSET
    tech_headers: JSON | None = strawberry.UNSET
    codecs: str | None = strawberry.UNSET
    metadata: JSON | None = strawberry.UNSET
    expected_tm_update: datetime | None = expected_tm_update_field()


_CHANGEABLE = (
    "name",
    "detail",
    "hostname",
    "tech_prefix",
    "tech_postfix",
    "tech_headers",
    "codecs",
    "metadata",
)


@strawberry.type
class UpdateProviderPayload(ProviderPayload):
    pass


async def update_provider(info: Info, input: UpdateProviderInput) -> UpdateProviderPayload:
    changes = given_fields(input, _CHANGEABLE)
    return await run_provider_mutation(
        info,
        UpdateProviderPayload,
        provider_service.update_provider(
            input.id,
            changes,
            input.expected_tm_update,
            on_health_reset=info.context.health.monitor.announce_reset,
        ),
    )


update_provider_field = admin_mutation(
    update_provider,
    description="Change some fields of a provider.",
)
