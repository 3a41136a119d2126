"""Authorization on fields. Authentication happened before the operation ran (see server.auth)."""

from typing import Any

from strawberry.permission import BasePermission

from schema.context import Info


class IsSuperAdmin(BasePermission):
    message = "this operation needs the PROJECT_SUPER_ADMIN role"
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.is_super_admin
