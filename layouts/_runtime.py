"""How a page reaches the registry and the warehouse of the app that is serving it."""

from __future__ import annotations

from dataclasses import dataclass

import flask
import sqlalchemy as sa

from metrics.registry import Registry
from metrics.writes import Writes

CONFIG_KEY = "PMF_RUNTIME"


@dataclass(frozen=True)
class Runtime:
    """What every page needs: the validated registry and the warehouse engine (both read-only)."""

    registry: Registry
    engine: sa.Engine
    writes: Writes


def runtime() -> Runtime:
    """The runtime of the app serving the current request."""
    value = flask.current_app.config[CONFIG_KEY]
    assert isinstance(value, Runtime)
    return value
