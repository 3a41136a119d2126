"""Who is acting: an authenticated subject and the roles a verified token granted it."""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PROJECT_SUPER_ADMIN = "PROJECT_SUPER_ADMIN"  # manages providers and routes, runs setup
    PROJECT_VIEWER = "PROJECT_VIEWER"  # reads only


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]

    @property
    def is_super_admin(self) -> bool:
        return Role.PROJECT_SUPER_ADMIN in self.roles


# Nobody: no roles. Only ever the context of a request that runs no operation (GraphiQL's page).
ANONYMOUS = Principal(subject="", roles=frozenset())
