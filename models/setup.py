"""Carrier-side state that a provider record does not show: the SIP credential it dials with, and
the journal of one-step setups (idempotency, rollback, and what a failed rollback left behind)."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.provider import Provider


class ProviderCredential(Model):
    """The SIP credential a provider's calls authenticate with. Kept apart from ``Provider`` so no
    provider query can select it; the password is encrypted with TRUNKQL_SECRET_KEY."""

    provider: fields.OneToOneRelation["Provider"] = fields.OneToOneField(
        "models.Provider", related_name="credential", on_delete=fields.CASCADE, primary_key=True
    )
    sip_username = fields.CharField(max_length=64)
    password_encrypted = fields.TextField()
    tm_create = fields.DatetimeField()

    class Meta:
        table = "provider_credential"
        table_description = "SIP credential of a provider; the password encrypted"


class SetupStatus(StrEnum):
    PENDING = "pending"  # carrier calls may be under way
    COMPLETED = "completed"  # provider created
    ROLLED_BACK = "rolled_back"  # failed; every carrier resource it made was deleted
    CLEANUP_FAILED = "cleanup_failed"  # failed; ``resources`` lists what may be left at the carrier


class SetupJournal(Model):
    """One ``setupProvider`` call: written before the first carrier call and after each step."""

    id = fields.UUIDField(primary_key=True)
    # The client's idempotency key: the same key again returns the first result.
    idempotency_key = fields.CharField(max_length=128, null=True, unique=True)
    # A digest of the request's non-secret fields, to refuse a key reused for another request.
    request_digest = fields.CharField(max_length=64)
    carrier = fields.CharField(max_length=32)
    name = fields.CharField(max_length=255)
    status = fields.CharEnumField(SetupStatus, max_length=16, default=SetupStatus.PENDING)
    # Carrier resources created so far, in order: [{"kind", "id", "name"}]; written *before* each
    # create too (id null: "may exist, known by name"), so a crash can never hide one. No secrets.
    resources: fields.Field[list[dict[str, str | None]]] = fields.JSONField(default=list)
    # The carrier API key, encrypted with TRUNKQL_SECRET_KEY, kept only while the setup is
    # pending: if the process dies mid-setup, the next start needs it to delete what was made.
    # Erased in the same statement that ends the setup.
    api_key_encrypted: fields.Field[str | None] = fields.TextField(null=True)  # type: ignore[assignment]
    provider_id = fields.UUIDField(null=True)
    error_code = fields.CharField(max_length=64, null=True)
    error_message = fields.TextField(null=True)
    tm_create = fields.DatetimeField()
    tm_update = fields.DatetimeField()

    class Meta:
        table = "setup_journal"
        table_description = "One-step provider setups: idempotency, progress and leftovers"
        indexes = (("status", "tm_create"),)
