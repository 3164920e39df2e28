"""After-load hooks: what runs once a pipeline has committed new data (e.g. the engine).

A hook is `hook(registry, engine, run_id) -> None`. Hooks come from three places, in order:
`DEFAULT_HOOKS` (import paths shipped with PMF), the `PMF_AFTER_LOAD_HOOKS` environment
variable (comma-separated `module:function` paths, for a deployment), and functions
registered in-process with `register_after_load_hook` (for plugins and tests).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

import sqlalchemy as sa

from metrics.registry.loader import Registry

AfterLoadHook = Callable[[Registry, sa.Engine, int], None]
HOOKS_ENV = "PMF_AFTER_LOAD_HOOKS"
# Derived measures are brought up to date from their parts first, so that the performance
# engine, which recomputes status, SPC, freshness and flags after every load, judges them too
DEFAULT_HOOKS: tuple[str, ...] = (
    "pipelines.derived:after_load",
    "metrics.engine.evaluate:after_load",
)
# Process-wide plugin registration, like datasette's hooks; never per-user state
_REGISTERED: list[AfterLoadHook] = []


class HookError(Exception):
    """A hook named in configuration that cannot be imported."""


def register_after_load_hook(hook: AfterLoadHook) -> Callable[[], None]:
    """Add a hook for this process; returns a function that removes it again."""
    _REGISTERED.append(hook)

    def unregister() -> None:
        if hook in _REGISTERED:
            _REGISTERED.remove(hook)

    return unregister


def resolve_hook(path: str) -> AfterLoadHook:
    """Import a hook from 'package.module:function'."""
    module_name, _, attribute = path.strip().partition(":")
    if not module_name or not attribute:
        raise HookError(f"after-load hook '{path}' must look like 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise HookError(f"after-load hook '{path}': cannot import {module_name} ({exc})") from None
    hook = getattr(module, attribute, None)
    if not callable(hook):
        raise HookError(f"after-load hook '{path}': {module_name} has no function {attribute}")
    return hook


def after_load_hooks() -> list[AfterLoadHook]:
    """Every hook to call after a successful load, in the order they run."""
    paths = [*DEFAULT_HOOKS, *(p for p in os.environ.get(HOOKS_ENV, "").split(",") if p.strip())]
    return [*(resolve_hook(p) for p in paths), *_REGISTERED]
