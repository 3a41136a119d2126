"""The route record: one entry of the dial plan, sending a customer's calls to a provider."""

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.provider import Provider

# "all", or "+" and up to 15 digits (E.164).
TARGET_MAX_LENGTH = 16


class Route(Model):
    id = fields.UUIDField(primary_key=True)
    # Whose calls this route carries; the platform default customer holds platform-wide routes.
    customer_id = fields.UUIDField()
    name = fields.CharField(max_length=255)
    detail = fields.TextField(default="")
    # RESTRICT: providers are only ever soft-deleted while no live route uses them
    # (services.providers.delete_provider); a hard delete must not leave a route dangling either.
    provider: fields.ForeignKeyRelation["Provider"] = fields.ForeignKeyField(
        "models.Provider", related_name="routes", on_delete=fields.RESTRICT
    )
    # Lower is tried first (0-65535); among equal priorities, weight is the share (1-65535).
    priority = fields.IntField()
    weight = fields.IntField(default=10)
    target = fields.CharField(max_length=TARGET_MAX_LENGTH)
    tm_create = fields.DatetimeField()
    tm_update = fields.DatetimeField()
    tm_delete = fields.DatetimeField(null=True)

    if TYPE_CHECKING:
        provider_id: uuid.UUID

    class Meta:
        table = "route"
        indexes = (
            # The dial plan looks routes up by (customer, target IN the number's prefixes + "all")
            # among live ones: equality probes on this index, so its cost does not depend on how
            # many routes exist, and soft-deleted routes piling up under a target are skipped.
            Index(fields=("customer_id", "target", "tm_delete"), name="idx_route_dial"),
            # "Which live routes use this provider" (refusing a provider's deletion, the
            # providerId filter).
            Index(fields=("provider_id", "tm_delete"), name="idx_route_provider"),
            # Newest-first keyset listing, all rows or live rows only (as for providers).
            Index(fields=("tm_create", "id"), name="idx_route_created"),
            Index(fields=("tm_delete", "tm_create", "id"), name="idx_route_live_created"),
        )
