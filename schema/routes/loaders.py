"""Per-request DataLoaders: a page of routes loads its providers in one query, not one each.

A new ``Loaders`` is built for every request (``server.graphql_view``), so what one request
loaded is never served to another, whose rights or timing differ.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from models.provider import Provider
from services import providers as provider_service


async def _load_providers(ids: Sequence[uuid.UUID]) -> list[Provider | BaseException]:
    found = await provider_service.providers_by_id(set(ids))
    # A route's provider always exists (the foreign key restricts deletes); a miss is a bug.
    return [found.get(pid) or LookupError(f"no provider with id {pid}") for pid in ids]


@dataclass(frozen=True)
class Loaders:
    provider: DataLoader[uuid.UUID, Provider]


def build_loaders() -> Loaders:
    return Loaders(provider=DataLoader(load_fn=_load_providers))
