"""Read YAML with line numbers, and turn validation errors into `file:line: field: message`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the configuration, located as precisely as we can."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ConfigError(Exception):
    """Raised when the configuration has problems; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the configuration:\n{lines}")


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML file: the data (ruamel nodes that remember their lines) and its path."""

    path: Path
    label: str
    data: Any

    def line_of(self, loc: Iterable[str | int], base: Any = None) -> int:
        """Return the 1-based line of the node at `loc` below `base` (default the root)."""
        node = self.data if base is None else base
        line = _node_line(node)
        for key in loc:
            if isinstance(node, CommentedMap) and key in node:
                line = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                line = node.lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        return line


def _node_line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return (lc.line + 1) if lc is not None and lc.line is not None else 1


def read_yaml(path: Path, label: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one YAML file; a syntax error becomes a Problem instead of an exception."""
    yaml = YAML(typ="rt")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(label, 1, "(file)", f"cannot read the file: {exc}")]
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = (exc.problem or exc.context or "invalid YAML").strip()
        return None, [Problem(label, line, "(yaml)", f"YAML syntax error: {what}")]
    except Exception as exc:  # ruamel raises a few non-Marked errors (e.g. duplicate keys)
        return None, [Problem(label, 1, "(yaml)", f"YAML error: {exc}")]
    return YamlDoc(path, label, data), []


def plain(node: Any) -> Any:
    """Convert ruamel nodes to plain dicts and lists, for validation."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def problems_from(
    error: ValidationError, doc: YamlDoc, base_loc: Sequence[str | int], prefix: str = ""
) -> list[Problem]:
    """Turn a pydantic ValidationError into located Problems."""
    base = doc.data
    for key in base_loc:
        try:
            base = base[key]
        except (KeyError, IndexError, TypeError):
            break
    found = []
    for err in error.errors():
        loc = [part for part in err["loc"] if not _is_union_tag(part)]
        field = prefix + ".".join(str(p) for p in loc) if loc else prefix.rstrip(".") or "(file)"
        found.append(Problem(doc.label, doc.line_of(loc, base), field, _message(err)))
    return found


def _is_union_tag(part: object) -> bool:
    # pydantic names union branches in the loc ("float", "tuple[...]"); they mean nothing to users
    return isinstance(part, str) and (part in {"float", "int"} or "[" in part)


def _message(err: Any) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{value!r} is not allowed; use one of {expected}"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/metrics-yaml.md)"
    if kind == "missing":
        return "this field is required"
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if value is not None and not isinstance(value, dict | list):
        return f"{msg} (got {value!r})"
    return msg
