"""The payload every provider mutation returns: the provider, or why not."""

import strawberry

from schema.errors import UserError
from schema.providers.types import Provider


@strawberry.interface(description="What a provider mutation returns.")
class ProviderPayload:
    provider: Provider | None
    user_errors: list[UserError]
