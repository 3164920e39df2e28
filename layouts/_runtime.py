"""How a page reaches the registry and the warehouse of the app that is serving it.

`runtime()` is the one door: it gives each request a view for the person asking, so a page
never sees a measure, or makes a write, that the viewer's role does not allow.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import flask
import pandas as pd
import sqlalchemy as sa

from access.identity import ANONYMOUS, Viewer
from access.roles import Permission
from access.session import current_viewer
from access.writes import guarded
from metrics.readmodel.judged import Audience, published_snapshot
from metrics.registry.loader import Registry
from metrics.writes import Writes
from warehouse.snapshot import read_snapshot, snapshot_version

CONFIG_KEY = "PMF_RUNTIME"
V = TypeVar("V")
CACHED_SNAPSHOTS = 64  # judged snapshots kept per process (by audience, measures and areas)


class _Making(Generic[V]):
    """A value one caller is making for the others asking for it meanwhile."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.made: list[V] = []  # the value, once made (empty if making it failed)


class Cache(Generic[V]):
    """A small, thread-safe cache, the least recently used dropped first. `copy` gives each
    caller its own copy of a value it might change (a DataFrame).

    A value is made once however many ask for it at the same moment: the first caller makes
    it and the others wait for it, so a change that every open page sees at once (a pipeline
    run) costs one rebuild per key, not one per request. Should making it fail, its maker sees
    the error and those waiting start again, one of them making it."""

    def __init__(self, size: int, copy: Callable[[V], V] | None = None) -> None:
        self.size = size
        self.copy = copy or (lambda value: value)
        self._values: OrderedDict[tuple[object, ...], V] = OrderedDict()
        self._making: dict[tuple[object, ...], _Making[V]] = {}
        self._lock = threading.Lock()
        _EVERY_CACHE.add(self)

    def clear(self) -> None:
        """Forget every value kept (values being made meanwhile are still handed to callers)."""
        with self._lock:
            self._values.clear()

    def get(self, key: tuple[object, ...], compute: Callable[[], V]) -> V:
        """The value for `key`, made with `compute` if nobody has made it yet."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self.copy(self._values[key])
            making = self._making.get(key)
            mine = making is None
            if making is None:
                making = self._making[key] = _Making[V]()
        if not mine:
            making.done.wait()
            if making.made:
                return self.copy(making.made[0])
            return self.get(key, compute)  # its maker failed: try again, as one of the first
        try:
            made = compute()  # outside the lock: other keys are never held up
            with self._lock:
                self._values[key] = made
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            making.made.append(made)
        finally:
            with self._lock:
                self._making.pop(key, None)
            making.done.set()
        return self.copy(made)


# Every cache of the process, so that all can be emptied at once (`clear_caches`)
_EVERY_CACHE: weakref.WeakSet[Any] = weakref.WeakSet()


def clear_caches() -> None:
    """Empty every page and snapshot cache of this process, as after a pipeline run: the
    benchmark times a page view made from nothing kept."""
    for cache in list(_EVERY_CACHE):
        cache.clear()


_SNAPSHOTS: Cache[pd.DataFrame] = Cache(CACHED_SNAPSHOTS, copy=lambda frame: frame.copy())


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
        """The rows of a frame (with a metric_id column) about measures this viewer may see:
        the frame itself when they may see every row."""
        seen = frame["metric_id"].isin(self.registry.ids)
        return frame if seen.all() else frame[seen]

    def current_snapshot(
        self, metric_ids: Sequence[str] | None = None, area_codes: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The snapshot as `_snapshot` gives it, read and judged once for each version of the
        figures and each audience, then served from memory: every page load between two
        pipeline runs or evaluations would otherwise work out the same thing again."""
        key = (
            self.engine.url.render_as_string(hide_password=True),
            id(self.engine),
            snapshot_version(self.engine),
            self.audience,
            self.registry.ids,
            repr(sorted(self.registry.settings.values.items())),
            None if metric_ids is None else tuple(metric_ids),
            None if area_codes is None else tuple(area_codes),
        )
        return _SNAPSHOTS.get(key, lambda: self._snapshot(metric_ids, area_codes))

    def _snapshot(
        self, metric_ids: Sequence[str] | None, area_codes: Sequence[str] | None
    ) -> pd.DataFrame:
        """Status rows of visible measures, suppressed for the public (`suppressed` column),
        read afresh: nobody else holds the frame, so internally the column is added in place
        rather than in a copy of every column."""
        frame = self.visible(read_snapshot(self.engine, metric_ids, area_codes))
        if self.public:
            return published_snapshot(self.registry, self.engine, frame)
        frame["suppressed"] = False
        return frame


def runtime() -> Runtime:
    """The runtime of the app serving the current request, narrowed to the person asking."""
    value = flask.current_app.config[CONFIG_KEY]
    assert isinstance(value, Runtime)
    return value.for_viewer(current_viewer())
