"""checkProviderHealth: probe one provider now (SIP OPTIONS) and return it with the result."""

import strawberry

from schema.context import Info
from schema.errors import UserError, user_errors
from schema.health.types import HealthProbe
from schema.permissions import admin_mutation
from schema.providers.mutations.payload import ProviderPayload
from schema.providers.types import Provider
from services.errors import ServiceError


@strawberry.input
class CheckProviderHealthInput:
    id: strawberry.ID


@strawberry.type
class CheckProviderHealthPayload(ProviderPayload):
    probe: HealthProbe | None = strawberry.field(description="What the probe saw.")


async def check_provider_health(
    info: Info, input: CheckProviderHealthInput
) -> CheckProviderHealthPayload:
    try:
        result = await info.context.health.monitor.check(input.id)
    except ServiceError as exc:
        errors: list[UserError] = user_errors(exc)
        return CheckProviderHealthPayload(provider=None, probe=None, user_errors=errors)
    return CheckProviderHealthPayload(
        provider=Provider.from_model(result.provider, info.context.principal),
        probe=HealthProbe.from_result(result.probe),
        user_errors=[],
    )


check_provider_health_field = admin_mutation(
    check_provider_health,
    description="Probe a provider now with SIP OPTIONS; its health fields are updated by the "
    "same thresholds as the background monitor.",
)


@strawberry.type
class HealthMutations:
    check_provider_health = check_provider_health_field
