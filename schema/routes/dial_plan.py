"""GraphQL types of the dial plan (see services.dial_plan for the ordering rules)."""

import strawberry
from strawberry.scalars import JSON

from models.enums import HealthStatus
from schema.context import Info
from schema.providers.types import Provider
from schema.routes.types import Route
from services import dial_plan as dial_plan_service


@strawberry.type(description="One try of a call: which route and provider, and what to send.")
class DialAttempt:
    position: int = strawberry.field(description="1 for the first try, 2 for the next, ...")
    route: Route
    provider: Provider
    dialed_number: str = strawberry.field(
        description="techPrefix + number + techPostfix, e.g. 1+15551234567."
    )
    sip_uri: str = strawberry.field(
        description="sip:<dialedNumber>@<hostname>. When the provider's techPostfix carries its "
        "own @host (e.g. @provider.com), that host is the Request-URI's host: "
        "sip:<dialedNumber> as is; the call still goes to the provider's hostname."
    )
    headers: JSON = strawberry.field(
        description="SIP headers to add (the provider's techHeaders; values masked for all but "
        "PROJECT_SUPER_ADMIN)."
    )
    codecs: list[str] | None = strawberry.field(
        description="Codecs to offer, in preference order; null when the provider sets no "
        "restriction (offer the platform's default list)."
    )
    health_status: HealthStatus = strawberry.field(
        description="The provider's health as last observed."
    )
    demoted: bool = strawberry.field(
        description="True when the provider is UNHEALTHY and was therefore moved to the end."
    )


@strawberry.type(description="The attempts a call would make, in order.")
class DialPlan:
    number: str = strawberry.field(description="The destination, normalised: +15551234567.")
    customer_id: strawberry.ID
    attempts: list[DialAttempt]

    @classmethod
    def from_service(cls, plan: dial_plan_service.DialPlan, info: Info) -> "DialPlan":
        viewer = info.context.principal
        for attempt in plan.attempts:
            # The plan already holds each route's provider: no query for attempts { route {
            # provider } }.
            info.context.loaders.provider.prime(attempt.provider.id, attempt.provider)
        return cls(
            number=plan.number,
            customer_id=strawberry.ID(str(plan.customer_id)),
            attempts=[
                DialAttempt(
                    position=position,
                    route=Route.from_model(attempt.route),
                    provider=Provider.from_model(attempt.provider, viewer),
                    dialed_number=attempt.dialed_number,
                    sip_uri=attempt.sip_uri,
                    headers=JSON(attempt.headers),
                    codecs=None if attempt.codecs is None else list(attempt.codecs),
                    health_status=attempt.provider.health_status,
                    demoted=attempt.demoted,
                )
                for position, attempt in enumerate(plan.attempts, start=1)
            ],
        )
