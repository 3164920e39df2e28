"""Comparator groups (config/comparators.yaml): which councils the council is compared with."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from metrics.registry.model import Slug, _Strict
from metrics.registry.yamlfile import Problem, YamlDoc, plain, problems_from

COMPARATORS_FILE = "comparators.yaml"
ONS_CODE = r"^[EWSN]\d{8}$"
# ONS code types that are not councils: countries, regions, inner and outer London, former
# metropolitan counties, combined authorities. A group by code prefix never takes them in
# (an "England" row is a benchmark, not a council to rank) unless its prefix names them
NOT_COUNCILS = ("E92", "E12", "E13", "E11", "E47", "W92", "S92", "N92")


class Member(_Strict):
    """One council in a group, with a name to show."""

    code: str = Field(pattern=ONS_CODE)
    name: str


class ComparatorGroup(_Strict):
    """A set of councils to compare with: listed, read from a neighbours file, or by code prefix."""

    id: Slug
    name: str
    description: str = ""
    members: tuple[Member, ...] = ()
    neighbours_file: str | None = Field(None, description="Oflog nearest-neighbours JSON file.")
    code_prefix: str | None = Field(None, pattern=r"^[EWSN]\d{0,8}$")

    @model_validator(mode="after")
    def _one_way(self) -> ComparatorGroup:
        ways = [bool(self.members), self.neighbours_file is not None, self.code_prefix is not None]
        if sum(ways) != 1:
            raise ValueError("give exactly one of 'members', 'neighbours_file' or 'code_prefix'")
        return self

    @property
    def in_a_sentence(self) -> str:
        """The name inside a sentence: "Nearest neighbours" reads "nearest neighbours"."""
        return self.name[0].lower() + self.name[1:]

    def includes(self, code: str, own_code: str) -> bool:
        """Whether an area belongs to the group (the council itself always does)."""
        if code == own_code:
            return True
        if self.code_prefix is not None:
            if code[:3] in NOT_COUNCILS and not self.code_prefix.startswith(code[:3]):
                return False
            return code.startswith(self.code_prefix)
        return code in self._member_codes

    @cached_property
    def _member_codes(self) -> frozenset[str]:
        # Asked once per council of a national comparison: the set is made once
        return frozenset(m.code for m in self.members)

    def name_of(self, code: str) -> str:
        """A member's name, or its code when the group does not name it."""
        return next((m.name for m in self.members if m.code == code), code)


class ComparatorFile(_Strict):
    """The whole comparators file."""

    groups: tuple[ComparatorGroup, ...] = ()


def parse_comparators(
    doc: YamlDoc | None, config_dir: Path, own_code: str
) -> tuple[dict[str, ComparatorGroup], list[Problem]]:
    """Validate the file and resolve neighbours files into member lists."""
    if doc is None or doc.data is None:
        return {}, []
    try:
        parsed = ComparatorFile.model_validate(plain(doc.data))
    except ValidationError as exc:
        return {}, problems_from(exc, doc, [])
    groups: dict[str, ComparatorGroup] = {}
    problems: list[Problem] = []
    for index, group in enumerate(parsed.groups):
        line = doc.line_of(["groups", index])
        if group.id in groups:
            problems.append(Problem(doc.label, line, f"{group.id}.id", "duplicate group id"))
            continue
        if group.neighbours_file is not None:
            group, problem = _resolve_neighbours(group, config_dir, own_code)
            if problem:
                problems.append(Problem(doc.label, line, f"{group.id}.neighbours_file", problem))
                continue
        groups[group.id] = group
    return groups, problems


def _resolve_neighbours(
    group: ComparatorGroup, config_dir: Path, own_code: str
) -> tuple[ComparatorGroup, str | None]:
    path = (config_dir / str(group.neighbours_file)).resolve()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return group, f"cannot read {path}: {exc}"
    codes = data.get(own_code) if isinstance(data, dict) else None
    if not isinstance(codes, list) or not codes:
        return group, f"{path} has no neighbours listed for {own_code}"
    members = tuple(Member(code=str(c), name=str(c)) for c in codes)
    return group.model_copy(update={"members": members, "neighbours_file": None}), None


# Every English council with data: offered beside the configured groups wherever the data
# covers more councils than they do
ENGLISH_COUNCILS = ComparatorGroup(
    id="english-councils",
    name="All English councils",
    description="Every English council with a figure for the period.",
    code_prefix="E",
)
