"""Provider mutations, one per module."""

import strawberry

from schema.providers.mutations.create_provider import create_provider_field
from schema.providers.mutations.delete_provider import delete_provider_field
from schema.providers.mutations.setup_provider import setup_provider_field
from schema.providers.mutations.update_codecs import update_codecs_field
from schema.providers.mutations.update_provider import update_provider_field


@strawberry.type
class ProviderMutations:
    create_provider = create_provider_field
    update_provider = update_provider_field
    update_codecs = update_codecs_field
    delete_provider = delete_provider_field
    setup_provider = setup_provider_field
