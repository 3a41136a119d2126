"""The audit trail: one JSON log line per mutation, allowed or refused.

Fields: time, request id, subject, roles, operation (the mutation), target id, outcome (``ok``,
``rejected`` with userErrors, ``forbidden``, ``error``) and error code. Input values are never
logged: they may hold secrets (an API key, header values).
"""

import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from schema.context import Info

audit_log = logging.getLogger("trunkql.audit")


def audit_line(event: dict[str, Any]) -> None:
    """Writes one audit record (also used for refused authentication, in server/)."""
    audit_log.info(json.dumps({"time": datetime.now(UTC).isoformat(), **event}, default=str))


def _target_id(kwargs: dict[str, Any], result: Any) -> str | None:
    target = getattr(kwargs.get("input"), "id", None)
    if isinstance(target, str):
        return target
    if dataclasses.is_dataclass(result):
        for item in dataclasses.fields(result):
            record = getattr(result, item.name)
            record_id = getattr(record, "id", None)
            if isinstance(record_id, str):
                return record_id
    return None


class AuditTrail(FieldExtension):
    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info,
        **kwargs: Any,
    ) -> Any:
        outcome, result = "error", None
        code: str | None = "INTERNAL_SERVER_ERROR"
        try:
            result = await next_(source, info, **kwargs)
            user_errors = getattr(result, "user_errors", None) or []
            outcome, code = ("rejected", user_errors[0].code.name) if user_errors else ("ok", None)
            return result
        except GraphQLError as exc:
            code = str((exc.extensions or {}).get("code", "GRAPHQL_ERROR"))
            outcome = "forbidden" if code == "FORBIDDEN" else "refused"
            raise
        finally:
            principal = info.context.principal
            audit_line(
                {
                    "event": "mutation",
                    "requestId": info.context.request_id,
                    "subject": principal.subject,
                    "roles": sorted(principal.roles),
                    "operation": info.field_name,
                    "targetId": _target_id(kwargs, result),
                    "outcome": outcome,
                    "errorCode": code,
                }
            )


def audited(field: StrawberryField) -> StrawberryField:
    """Adds the audit trail as the outermost extension, so it also sees permission refusals
    (Strawberry puts the permission check last in the list, which is outermost)."""
    field.extensions.append(AuditTrail())
    return field
