"""The roles a user can hold; each is a fixed set of permissions by route."""
from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    INSTRUCTOR = "instructor"
    CREDENTIALING = "credentialing"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """Return the name people use for the role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OFFICER: "Officer",
    Role.INSTRUCTOR: "Instructor",
    Role.CREDENTIALING: "Credentialing staff",
    Role.MANAGER: "Program manager",
    Role.ADMIN: "Administrator",
}

ROLE_VALUES = tuple(r.value for r in Role)
