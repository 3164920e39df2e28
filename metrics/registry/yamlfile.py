"""Read YAML with line numbers, and turn validation errors into `file:line: field: message`."""

from __future__ import annotations

import difflib
import math
import threading
import typing
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
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


# Parsed files by path, label and exact text. A process that loads the configuration again (a
# command handed to the running dashboard, a scheduled run) would otherwise parse every file
# afresh: ruamel's pure-Python parser takes about a second for the shipped config, holding the
# interpreter while the dashboard's requests wait. The text is always read, so an edited file
# is always parsed again. Parsed documents are only read, never changed, so they can be shared.
_PARSED: OrderedDict[tuple[str, str, str], YamlDoc] = OrderedDict()
_PARSED_MAX = 256
_PARSED_LOCK = threading.Lock()


def read_yaml(path: Path, label: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one YAML file; a syntax error becomes a Problem instead of an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(label, 1, "(file)", f"cannot read the file: {exc}")]
    key = (str(path), label, text)
    with _PARSED_LOCK:
        parsed = _PARSED.get(key)
        if parsed is not None:
            _PARSED.move_to_end(key)
            return parsed, []
    doc, problems = _parse(path, label, text)
    if doc is not None:
        with _PARSED_LOCK:
            _PARSED[key] = doc
            while len(_PARSED) > _PARSED_MAX:
                _PARSED.popitem(last=False)
    return doc, problems


def _parse(path: Path, label: str, text: str) -> tuple[YamlDoc | None, list[Problem]]:
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = (exc.problem or exc.context or "invalid YAML").strip()
        return None, [Problem(label, line, "(yaml)", f"YAML syntax error: {what}{_hint(what)}")]
    except Exception as exc:  # ruamel raises a few non-Marked errors (e.g. duplicate keys)
        return None, [Problem(label, 1, "(yaml)", f"YAML error: {exc}")]
    return YamlDoc(path, label, data), []


# What ruamel says when a key is indented more or less than its neighbours
_INDENTATION_SIGNS = (
    "mapping values are not allowed",
    "could not find expected ':'",
    "did not find expected key",
    "did not find expected '-' indicator",
    "expected <block end>",
)


def _hint(what: str) -> str:
    if "'\\t'" in what:  # ruamel shows the tab escaped
        return "; indent with spaces, not tabs"
    if any(sign in what for sign in _INDENTATION_SIGNS):
        return "; check the indentation: the keys of one item line up under each other"
    return ""


def plain(node: Any) -> Any:
    """Convert ruamel nodes to plain dicts and lists, for validation."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


Loc = tuple[str | int, ...]


def problems_from(
    error: ValidationError,
    doc: YamlDoc,
    base_loc: Sequence[str | int],
    prefix: str = "",
    model: type[BaseModel] | None = None,
) -> list[Problem]:
    """Turn a pydantic ValidationError into located Problems (`model` adds "did you mean")."""
    base = node_at(doc, base_loc)
    return [
        Problem(doc.label, doc.line_of(loc, base), field_name(loc, prefix), message)
        for loc, message in explain(error, model)
    ]


def node_at(doc: YamlDoc, loc: Sequence[str | int]) -> Any:
    """The ruamel node at `loc` in a document, or the deepest one that exists on the way."""
    node = doc.data
    for key in loc:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return node


def top_level_keys(
    doc: YamlDoc, allowed: tuple[str, ...], problems: list[Problem], holder: str = "this file"
) -> dict[str, str]:
    """Report each unknown top-level key with "did you mean"; map each allowed key to the key
    written for it (a misspelling is still read, so its contents are checked too)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    keys = {name: name for name in allowed}
    for key in sorted(set(map(str, data)) - set(allowed)):
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else f"{holder} holds {' and '.join(repr(a) for a in allowed)}"
        )
        problems.append(
            Problem(doc.label, doc.line_of([key]), key, f"unknown top-level key; {hint}")
        )
        if close and close[0] not in data:
            keys[close[0]] = key
    return keys


def field_name(loc: Loc, prefix: str = "") -> str:
    """The dotted field name shown to the reader, e.g. `metric-id.tolerance.absolute`."""
    return prefix + ".".join(str(p) for p in loc) if loc else prefix.rstrip(".") or "(file)"


def explain(error: ValidationError, model: type[BaseModel] | None = None) -> list[tuple[Loc, str]]:
    """Each error's location and a plain message; a misspelt key is reported once, as a typo."""
    errors: list[tuple[Loc, Any]] = [
        (tuple(p for p in err["loc"] if not _is_union_tag(p)), err) for err in error.errors()
    ]
    meant: set[Loc] = set()
    messages: dict[int, str] = {}
    for index, (loc, err) in enumerate(errors):
        if err["type"] == "extra_forbidden" and loc:
            parent, key = loc[:-1], loc[-1]
            allowed = _fields_at(model, parent) if model is not None else None
            messages[index], guess = _unknown_field(str(key), allowed)
            if guess is not None:
                meant.add((*parent, guess))
    found = []
    for index, (loc, err) in enumerate(errors):
        # "polarity is required" says nothing new beside "unknown field 'polartiy'"
        if err["type"] == "missing" and loc in meant:
            continue
        found.append((loc, messages.get(index) or _message(err)))
    return found


def _unknown_field(key: str, allowed: list[str] | None) -> tuple[str, str | None]:
    if allowed is None:
        return f"unknown field '{key}' (check the spelling; see docs/metrics-yaml.md)", None
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"unknown field '{key}'; did you mean '{close[0]}'?", close[0]
    return f"unknown field '{key}'; allowed: {', '.join(allowed)}", None


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str] | None:
    # Walk the model's annotations along the error's location to the model that owns the key
    annotation: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # an index into a list of the same model
        owner = _model_in(annotation)
        field = None if owner is None else _field_named(owner, part)
        if field is None:
            return None
        annotation = field.annotation
    owner = _model_in(annotation)
    if owner is None:
        return None
    return [info.alias or name for name, info in owner.model_fields.items()]


def _field_named(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


_NUMBER_ERRORS = {"finite_number", "float_type", "int_type"}


def _number_message(value: Any, whole: bool) -> str:
    # Numbers are strict (see metrics.registry.model.FiniteNumber), so say what was written instead
    digits = "3" if whole else "75"
    example = f"a {'whole ' if whole else ''}number such as {digits}"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' is not a number; write {example}"
    if isinstance(value, float) and not math.isfinite(value):
        spelling = ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
        return f"'{spelling}' is not a finite number; write {example}"
    if isinstance(value, float):
        return f"{value!r} is not a whole number; write {example}"
    if isinstance(value, str):
        try:
            quoted_number = math.isfinite(float(value))
        except ValueError:
            quoted_number = False
        if quoted_number:
            return f"{value!r} is text, not a number; write it without quotes, e.g. {digits}"
        return f"{value!r} is not a number; write {example}"
    return f"not a number; write {example}"


def _is_union_tag(part: object) -> bool:
    # pydantic names union branches in the loc ("float", "tuple[...]"); they mean nothing to users
    return isinstance(part, str) and (part in {"float", "int"} or "[" in part)


def _message(err: Any) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind in _NUMBER_ERRORS:
        return _number_message(value, whole=kind == "int_type")
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
