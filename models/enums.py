"""Domain enumerations shared by the models, the services and the GraphQL schema.

Values are what the database stores (lower-case, as in the spec's JSON: ``"type": "sip"``); the
GraphQL layer exposes the member names (``SIP``, ``HEALTHY``) as its enum values.
"""

from enum import StrEnum


class ProviderType(StrEnum):
    SIP = "sip"


class HealthStatus(StrEnum):
    UNKNOWN = "unknown"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
