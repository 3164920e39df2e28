"""A demo officer account, so a fresh `make run` can show the signed-in dashboard."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from access.users import add_user
from warehouse.users import find_user

DEMO_OFFICER = "demo-officer"


def ensure_demo_officer(engine: sa.Engine) -> str | None:
    """Create the demo officer with a random password and return it; None if it exists."""
    if find_user(engine, DEMO_OFFICER) is not None:
        return None
    password = secrets.token_urlsafe(12)
    add_user(
        engine,
        DEMO_OFFICER,
        password,
        "officer",
        actor="pmf demo",
        display_name="Demo Officer",
    )
    return password
