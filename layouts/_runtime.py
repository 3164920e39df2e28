"""How a page reaches the registry and the warehouse of the app that is serving it.

`runtime()` is the one door: it gives each request a view for the person asking, so a page
never sees a measure, or makes a write, that the viewer's role does not allow.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import flask
import pandas as pd
import sqlalchemy as sa

from access.identity import ANONYMOUS, Viewer
from access.roles import Permission
from access.session import current_viewer
from access.writes import guarded
from metrics.readmodel.judged import Audience, published_snapshot
from metrics.readmodel.publication import suppress_observations
from metrics.registry.loader import Registry
from metrics.writes import Writes

CONFIG_KEY = "PMF_RUNTIME"


def public_registry(registry: Registry) -> Registry:
    """The registry as the public sees it: only measures marked `visibility: public`."""
    return dataclasses.replace(
        registry, metrics=tuple(m for m in registry.metrics if m.visibility == "public")
    )


@dataclass(frozen=True)
class Runtime:
    """What every page needs: the registry and the warehouse engine, as one viewer may see them."""

    registry: Registry
    engine: sa.Engine
    writes: Writes
    viewer: Viewer = ANONYMOUS
    public: bool = False  # whether figures must be suppressed for publication

    def for_viewer(self, viewer: Viewer) -> Runtime:
        """This runtime narrowed to what `viewer` may see and do."""
        internal = viewer.can("read_internal")
        return Runtime(
            registry=self.registry if internal else public_registry(self.registry),
            engine=self.engine,
            writes=guarded(self.writes, viewer),
            viewer=viewer,
            public=not internal,
        )

    @property
    def audience(self) -> Audience:
        """Who the read model judges for: the public, or councillors and officers."""
        return "public" if self.public else "internal"

    def may(self, permission: Permission) -> bool:
        """Whether the viewer holds a permission."""
        return self.viewer.can(permission)

    def visible(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of a frame (with a metric_id column) about measures this viewer may see."""
        return frame[frame["metric_id"].isin([m.id for m in self.registry])]

    def observations(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Observations of visible measures, suppressed for the public (`suppressed` column)."""
        frame = self.visible(frame)
        if self.public:
            return suppress_observations(self.registry, frame)
        return frame.assign(suppressed=False)

    def snapshot(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Status rows of visible measures, suppressed for the public (`suppressed` column)."""
        frame = self.visible(frame)
        if self.public:
            return published_snapshot(self.registry, self.engine, frame)
        return frame.assign(suppressed=False)


def runtime() -> Runtime:
    """The runtime of the app serving the current request, narrowed to the person asking."""
    value = flask.current_app.config[CONFIG_KEY]
    assert isinstance(value, Runtime)
    return value.for_viewer(current_viewer())
