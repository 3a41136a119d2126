"""GraphQL types of provider health."""

from datetime import datetime

import strawberry

from models.enums import HealthStatus

# HealthStatus becomes a GraphQL enum where the provider types declare it: load them first.
from schema.providers import types as _provider_types  # noqa: F401
from services.health import ProbeResult, Transition


@strawberry.type(description="The outcome of one SIP OPTIONS probe.")
class HealthProbe:
    reachable: bool = strawberry.field(
        description="Any final SIP response but 408 and 503 (or 2xx only, if so configured)."
    )
    status_code: int | None = strawberry.field(description="The SIP status code, if one came.")
    latency_ms: float | None
    error: str | None = strawberry.field(description="Why the probe failed, if it did.")

    @classmethod
    def from_result(cls, result: ProbeResult) -> "HealthProbe":
        return cls(
            reachable=result.reachable,
            status_code=result.status,
            latency_ms=result.latency_ms,
            error=result.error,
        )


@strawberry.type(description="A provider's health status changed.")
class HealthTransition:
    provider_id: strawberry.ID
    old_status: HealthStatus
    new_status: HealthStatus
    checked_at: datetime
    latency_ms: float | None
    error: str | None

    @classmethod
    def from_transition(cls, transition: Transition) -> "HealthTransition":
        return cls(
            provider_id=strawberry.ID(transition.provider_id),
            old_status=transition.old_status,
            new_status=transition.new_status,
            checked_at=transition.checked_at,
            latency_ms=transition.latency_ms,
            error=transition.error,
        )
