"""Who is asking: the Viewer, and the IdentityProvider interface that says who someone is.

Local passwords are one provider; single sign-on (OpenID Connect, e.g. Microsoft Entra ID)
is meant to be another, chosen by configuration, with no change to pages or checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from access.roles import Permission, Role, allows


@dataclass(frozen=True)
class Viewer:
    """The person behind a request: signed in with a role, or the anonymous public."""

    username: str | None
    display_name: str
    role: Role

    @property
    def signed_in(self) -> bool:
        """Whether this is a signed-in person rather than the public."""
        return self.username is not None

    def can(self, permission: Permission) -> bool:
        """Whether this viewer's role holds the permission."""
        return allows(self.role, permission)


ANONYMOUS = Viewer(None, "Anonymous visitor", "public")


@runtime_checkable
class IdentityProvider(Protocol):
    """Turns a stored user id back into a Viewer on every request (None: signed out)."""

    @property
    def name(self) -> str:
        """A short name for the provider, e.g. 'local' or 'entra'."""
        ...

    def load(self, username: str) -> Viewer | None:
        """The viewer for a signed-in user id, or None if the account is unknown or disabled."""
        ...


@runtime_checkable
class PasswordProvider(IdentityProvider, Protocol):
    """A provider that checks a user name and password itself (the sign-in form uses it)."""

    def authenticate(self, username: str, password: str) -> Viewer | None:
        """The viewer if the password is right and the account enabled, else None."""
        ...
