"""Who is acting: an authenticated subject and the roles a verified token granted it."""

from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    PROJECT_SUPER_ADMIN = "PROJECT_SUPER_ADMIN"  # manages providers and routes, runs setup
    PROJECT_VIEWER = "PROJECT_VIEWER"  # reads only


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]

    @property
    def is_super_admin(self) -> bool:
        return Role.PROJECT_SUPER_ADMIN in self.roles
