"""providerHealthChanged: live health transitions over graphql-transport-ws."""

from collections.abc import AsyncGenerator

import strawberry

from schema.context import Info
from schema.errors import query_error
from schema.health.types import HealthTransition
from services.errors import ServiceError
from services.ids import parse_id


@strawberry.type
class HealthSubscriptions:
    @strawberry.subscription(
        description="Each change of a provider's healthStatus (all providers if providerId is "
        "omitted), whichever trunkql process detected it."
    )
    async def provider_health_changed(
        self, info: Info, provider_id: strawberry.ID | None = None
    ) -> AsyncGenerator[HealthTransition, None]:
        try:
            wanted = None if provider_id is None else str(parse_id(provider_id, "providerId"))
        except ServiceError as exc:
            raise query_error(exc) from None
        async with info.context.health.events.subscribe(wanted) as transitions:
            async for transition in transitions:
                yield HealthTransition.from_transition(transition)
