"""The four roles and what each may do; one table, read by every check on the server."""

from __future__ import annotations

from typing import Literal

Role = Literal["public", "member", "officer", "admin"]
Permission = Literal[
    "read_internal",
    "comment",
    "update_flag",
    "run_pipeline",
    "rebase_spc",
    "manage_cycle",
    "read_audit",
    "manage_users",
]

# Each role may do everything the roles before it may
ROLES: tuple[Role, ...] = ("public", "member", "officer", "admin")

# The lowest role that holds each permission
LOWEST_ROLE: dict[Permission, Role] = {
    # internal measures, flags, actions, milestones, the data-quality page, internal commentary
    "read_internal": "member",
    "comment": "member",
    "update_flag": "officer",
    "run_pipeline": "officer",
    "rebase_spc": "officer",  # recalculate a measure's SPC limits from a period
    # open and close reporting cycles, restate a locked figure, publish commentary
    "manage_cycle": "officer",
    "read_audit": "officer",  # the reporting cycle's audit trail
    "manage_users": "admin",
}

ROLE_WORDS: dict[Role, str] = {
    "public": "the public (not signed in)",
    "member": "councillors",
    "officer": "the performance team",
    "admin": "administrators",
}


class AccessDenied(ValueError):
    """The person asking may not do this; the message says who may."""


def parse_role(text: str) -> Role:
    """A role from its name, or ValueError listing the valid names."""
    for role in ROLES:
        if role == text.strip().lower():
            return role
    raise ValueError(f"'{text}' is not a role; choose one of {', '.join(ROLES)}.")


def allows(role: Role, permission: Permission) -> bool:
    """Whether a role holds a permission."""
    return ROLES.index(role) >= ROLES.index(LOWEST_ROLE[permission])


def denial(permission: Permission) -> str:
    """A plain sentence saying who may do this."""
    lowest = LOWEST_ROLE[permission]
    who = " or ".join(ROLE_WORDS[r] for r in ROLES[ROLES.index(lowest) :] if r != "admin")
    return f"Sign in as one of {who or ROLE_WORDS['admin']} to do this."
