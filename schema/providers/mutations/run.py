"""Runs a provider service call and shapes its outcome as a payload."""

from collections.abc import Awaitable
from typing import TypeVar

from models.provider import Provider as ProviderModel
from schema.context import Info
from schema.errors import user_errors
from schema.providers.mutations.payload import ProviderPayload
from schema.providers.types import Provider
from services.errors import ServiceError

P = TypeVar("P", bound=ProviderPayload)


async def run_provider_mutation(info: Info, payload: type[P], call: Awaitable[ProviderModel]) -> P:
    try:
        row = await call
    except ServiceError as exc:
        return payload(provider=None, user_errors=user_errors(exc))
    return payload(provider=Provider.from_model(row, info.context.principal), user_errors=[])
