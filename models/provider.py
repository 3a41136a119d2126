"""The provider record: one SIP trunk (carrier) that outbound calls can be routed through."""

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import HealthStatus, ProviderType


class Provider(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=255)
    detail = fields.TextField(default="")
    type = fields.CharEnumField(ProviderType, max_length=16, default=ProviderType.SIP)
    # 253 for the DNS name, plus brackets and ":65535".
    hostname = fields.CharField(max_length=300, db_index=True)
    tech_prefix = fields.CharField(max_length=64, default="")
    tech_postfix = fields.CharField(max_length=64, default="")
    tech_headers: fields.Field[dict[str, str]] = fields.JSONField(default=dict)
    codecs = fields.CharField(max_length=255, default="")
    metadata: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    health_status = fields.CharEnumField(
        HealthStatus, max_length=16, default=HealthStatus.UNKNOWN, db_index=True
    )
    health_checked_at = fields.DatetimeField(null=True)
    # Smoothed round-trip time of SIP OPTIONS probes, and why the last failed probe failed.
    health_latency_ms = fields.FloatField(null=True)
    health_last_error = fields.CharField(max_length=255, null=True)
    # Consecutive probe outcomes, for hysteresis: status flips only after a run of them.
    health_failures = fields.IntField(default=0, db_default=0)
    health_successes = fields.IntField(default=0, db_default=0)
    tm_create = fields.DatetimeField()
    tm_update = fields.DatetimeField()
    tm_delete = fields.DatetimeField(null=True)

    class Meta:
        table = "provider"
        # Listing is newest first with keyset pagination on (tm_create, id); the default listing
        # hides soft-deleted rows, so that index leads with tm_delete (an IS NULL equality).
        indexes = (
            Index(fields=("tm_create", "id"), name="idx_provider_created"),
            Index(fields=("tm_delete", "tm_create", "id"), name="idx_provider_live_created"),
        )
