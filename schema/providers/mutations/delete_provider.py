"""deleteProvider: soft delete; the record stays readable by id with tmDelete set."""

import strawberry

from schema.context import Info
from schema.permissions import admin_mutation
from schema.providers.mutations.payload import ProviderPayload
from schema.providers.mutations.run import run_provider_mutation
from services import providers as provider_service


@strawberry.input
class DeleteProviderInput:
    id: strawberry.ID


@strawberry.type
class DeleteProviderPayload(ProviderPayload):
    pass


async def delete_provider(info: Info, input: DeleteProviderInput) -> DeleteProviderPayload:
    return await run_provider_mutation(
        info, DeleteProviderPayload, provider_service.delete_provider(input.id)
    )


delete_provider_field = admin_mutation(
    delete_provider,
    description="Delete a provider (soft delete: sets tmDelete). Deleting it again is NOT_FOUND.",
)
