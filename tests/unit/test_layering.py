"""The layers import one way only, and SQL is written only in `warehouse/` (docs/architecture.md).

The source is read with `ast`, not imported, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "access",
    "cli",
    "cycle",
    "demo",
    "jobs",
    "layouts",
    "metrics",
    "pipelines",
    "reports",
    "warehouse",
)
OURS = frozenset(PACKAGES) | {"app"}

# What each place must never import (directly; `app` may import everything)
FORBIDDEN = {
    "warehouse": OURS - {"warehouse"},
    "metrics": {"pipelines", "reports", "layouts", "access", "demo", "cli", "jobs", "app", "cycle"},
    "pipelines": {"reports", "layouts", "access", "demo", "cli", "jobs", "app", "cycle"},
    "access": {"pipelines", "reports", "layouts", "demo", "cli", "jobs", "app", "cycle"},
    "reports": {"pipelines", "layouts", "access", "cli", "jobs", "app", "cycle"},
    # Pages queue work (warehouse.jobs); the worker that does it is not theirs to import
    "layouts": {"pipelines", "demo", "cli", "jobs", "app"},
    "demo": {"reports", "layouts", "cli", "jobs", "app"},
    "jobs": {"layouts", "access", "demo", "cli", "app"},
    "cli": {"layouts", "app"},
    # The reporting cycle checks and loads figures as pipelines do, and queues nothing
    "cycle": {"layouts", "demo", "cli", "jobs", "app"},
}
# The one import of app: `pmf serve` starts the dashboard
ALLOWED_IMPORTS = {("cli/serve.py", "app")}

# Calls that run SQL or build a query
SQL_METHODS = {"execute", "exec_driver_sql", "read_sql", "read_sql_query", "read_sql_table"}
SQL_BUILDERS = {
    "select",
    "insert",
    "update",
    "delete",
    "text",
    "func",
    "exists",
    "union",
    "union_all",
    "literal_column",
    "bindparam",
}
# A SQL source runs the query an officer wrote against another system's database; it never
# touches the warehouse
SQL_ALLOWED = {"pipelines/sources/sql.py"}


@dataclass(frozen=True)
class Module:
    """One source file: where it is, which place it belongs to, and its syntax tree."""

    path: str
    place: str
    tree: ast.Module


def _modules() -> Iterator[Module]:
    yield Module("app.py", "app", ast.parse((ROOT / "app.py").read_text(encoding="utf-8")))
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            yield Module(relative, package, ast.parse(path.read_text(encoding="utf-8")))


MODULES = list(_modules())


def _imports(module: Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _sqlalchemy_names(module: Module) -> set[str]:
    """The names `sqlalchemy` is bound to in this module (usually `sa`)."""
    names = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            names |= {a.asname or a.name for a in node.names if a.name == "sqlalchemy"}
    return names


def _sql_calls(module: Module) -> Iterator[str]:
    sa_names = _sqlalchemy_names(module)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if node.attr in SQL_METHODS:
                yield f"{module.path}:{node.lineno}: .{node.attr}"
            if (
                isinstance(node.value, ast.Name)
                and node.value.id in sa_names
                and node.attr in SQL_BUILDERS
            ):
                yield f"{module.path}:{node.lineno}: {node.value.id}.{node.attr}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            for alias in node.names:
                if top == "sqlalchemy" and alias.name in SQL_BUILDERS:
                    yield f"{module.path}:{node.lineno}: from {node.module} import {alias.name}"
                if node.module == "warehouse.tables" and alias.name != "create_tables":
                    # A table object outside the warehouse is a query waiting to be written
                    yield f"{module.path}:{node.lineno}: table {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "duckdb":
                    yield f"{module.path}:{node.lineno}: import duckdb"


def test_every_place_is_read() -> None:
    places = {m.place for m in MODULES}
    assert places == OURS
    assert len(MODULES) > 100


def test_sql_is_written_only_in_the_warehouse() -> None:
    found = [
        call
        for module in MODULES
        if module.place != "warehouse" and module.path not in SQL_ALLOWED
        for call in _sql_calls(module)
    ]
    assert found == [], "SQL outside warehouse/; add a warehouse function instead:\n" + "\n".join(
        found
    )


def test_the_check_sees_sql() -> None:
    source = (
        "import sqlalchemy as sa\n"
        "import pandas as pd\n"
        "from warehouse.tables import users\n"
        "def f(engine):\n"
        "    with engine.connect() as conn:\n"
        "        conn.execute(sa.select(users))\n"
        "        return pd.read_sql(sa.text('select 1'), conn)\n"
    )
    found = list(_sql_calls(Module("x.py", "metrics", ast.parse(source))))
    assert sorted(f.split(": ", 1)[1] for f in found) == [
        ".execute",
        ".read_sql",
        "sa.select",
        "sa.text",
        "table users",
    ]


def test_imports_point_one_way() -> None:
    found = []
    for module in MODULES:
        forbidden = FORBIDDEN.get(module.place, set())
        for line, name in _imports(module):
            top = name.split(".")[0]
            if top in forbidden and (module.path, top) not in ALLOWED_IMPORTS:
                found.append(f"{module.path}:{line}: {module.place} imports {name}")
    assert found == [], "imports against docs/architecture.md:\n" + "\n".join(sorted(set(found)))


def test_nothing_imports_layouts_cli_or_app() -> None:
    found = []
    for module in MODULES:
        for line, name in _imports(module):
            top = name.split(".")[0]
            if top in {"layouts", "cli", "app"} and top != module.place:
                if module.place == "app" and top == "layouts":
                    continue  # app builds the Dash app from the pages
                if (module.path, top) in ALLOWED_IMPORTS:
                    continue
                found.append(f"{module.path}:{line}: imports {name}")
    assert found == [], "\n".join(sorted(set(found)))


def _module_name(path: str) -> str:
    name = path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def test_no_module_of_ours_imports_itself_in_a_circle() -> None:
    names = {_module_name(m.path) for m in MODULES}
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        here = _module_name(module.path)
        graph[here] = {
            target
            for _, imported in _imports(module)
            for target in (imported, imported.rsplit(".", 1)[0])
            if target in names and target != here
        }
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str], seen: set[str]) -> None:
        for target in sorted(graph.get(node, ())):
            if target in trail:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in seen:
                seen.add(target)
                visit(target, [*trail, target], seen)

    for start in sorted(graph):
        visit(start, [start], {start})
    # Packages import their own modules from __init__; that is not a circle of meaning
    real = [c for c in cycles if not any(_is_package_init(n) for n in c)]
    assert not real, "import cycles:\n" + "\n".join(" -> ".join(c) for c in real[:10])


def _is_package_init(name: str) -> bool:
    return (ROOT / name.replace(".", "/") / "__init__.py").exists()
