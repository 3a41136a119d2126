"""Authorization on fields. Authentication happened before the operation ran (see server.auth)."""

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types.field import StrawberryField

from schema.audit import audited
from schema.context import Info


class IsSuperAdmin(BasePermission):
    message = "this operation needs the PROJECT_SUPER_ADMIN role"
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.is_super_admin


def admin_mutation(resolver: Callable[..., Any], description: str) -> StrawberryField:
    """A mutation only a PROJECT_SUPER_ADMIN may run, each call written to the audit trail."""
    return audited(
        strawberry.mutation(
            resolver=resolver, permission_classes=[IsSuperAdmin], description=description
        )
    )
