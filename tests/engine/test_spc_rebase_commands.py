"""`pmf spc rebase|rebases|withdraw` on a copy of the fixtures warehouse: recorded as a named
officer (a councillor is refused), listed with who and why, withdrawn but never deleted, and the
measures evaluated again each time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from access.users import add_user
from cli import main
from metrics.registry.loader import Registry
from tests.fixtures.warehouse import CLAIMANTS, COUNTY, TAMWORTH, build_fixtures_warehouse
from warehouse.engine import dispose_engine
from warehouse.snapshot import read_snapshot
from warehouse.spc_rebases import read_rebases


@pytest.fixture
def warehouse(tmp_path: Path, registry: Registry) -> Iterator[tuple[str, sa.Engine]]:
    """The fixtures warehouse with an officer's and a councillor's account."""
    url = build_fixtures_warehouse(registry, tmp_path / "fixtures.duckdb")
    engine = sa.create_engine(url)
    add_user(engine, "jo", "a-long-password-1", "officer", actor="test", display_name="Jo Bloggs")
    add_user(engine, "cllr", "a-long-password-2", "member", actor="test", display_name="Cllr Ng")
    yield url, engine
    engine.dispose()
    dispose_engine(url)


def pmf(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--database-url", url, *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_an_officer_rebases_lists_and_withdraws(warehouse: tuple[str, sa.Engine]) -> None:
    url, engine = warehouse
    before = read_snapshot(engine)["computed_at"].max()
    code, out = pmf(
        url,
        "spc",
        "rebase",
        CLAIMANTS,
        "Aug 2024",
        "--reason",
        "New work coach model",
        "--by",
        "jo",
    )
    assert code == 0, out
    assert out.startswith(
        "Rebase 1: Claimant rate (Staffordshire) has new SPC limits from Aug 2024, "
        "recorded by Jo Bloggs."
    )
    assert read_snapshot(engine)["computed_at"].max() > before
    code, out = pmf(
        url,
        "spc",
        "rebase",
        CLAIMANTS,
        "2024-09-01",
        "--area",
        TAMWORTH,
        "--reason",
        "Jobcentre moved",
        "--by",
        "JO",
    )
    assert code == 0, out
    code, out = pmf(url, "spc", "rebases", CLAIMANTS)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == f"    1  {CLAIMANTS} (Staffordshire) from Aug 2024: in force"
    assert lines[1].startswith("       New work coach model (recorded by Jo Bloggs on ")
    assert lines[2] == f"    2  {CLAIMANTS} (Tamworth) from Sep 2024: in force"
    assert lines[-1] == "2 rebase(s)"

    code, out = pmf(url, "spc", "withdraw", "1", "--by", "jo")
    assert code == 0, out
    assert "Rebase 1 (claimant-rate from 2024-08-01) withdrawn by Jo Bloggs." in out
    code, out = pmf(url, "spc", "rebases")
    assert "from Aug 2024: withdrawn by Jo Bloggs on " in out and "2 rebase(s)" in out
    in_force = read_rebases(engine)
    assert in_force["id"].tolist() == [2]
    assert len(read_rebases(engine, include_withdrawn=True)) == 2  # kept, never deleted
    code, out = pmf(url, "spc", "withdraw", "1", "--by", "jo")
    assert code == 1 and "Not withdrawn: Rebase 1 was already withdrawn by Jo Bloggs" in out


def test_a_councillor_may_not_rebase(warehouse: tuple[str, sa.Engine]) -> None:
    url, engine = warehouse
    code, out = pmf(url, "spc", "rebase", CLAIMANTS, "Aug 2024", "--reason", "X", "--by", "cllr")
    assert code == 1
    assert "Not recorded: Sign in as one of the performance team to do this." in out
    code, out = pmf(url, "spc", "rebase", CLAIMANTS, "Aug 2024", "--reason", "X", "--by", "nobody")
    assert code == 1 and "There is no enabled account 'nobody'" in out
    assert read_rebases(engine, include_withdrawn=True).empty


def test_a_rebase_is_checked_in_words(warehouse: tuple[str, sa.Engine]) -> None:
    url, _ = warehouse
    code, out = pmf(url, "spc", "rebase", CLAIMANTS, "Aug 2099", "--reason", "X", "--by", "jo")
    assert code == 1
    assert "'Aug 2099' is not a period of claimant-rate" in out and "Oct 2024" in out
    code, out = pmf(url, "spc", "rebase", CLAIMANTS, "2024-06-01", "--reason", "X", "--by", "jo")
    assert code == 1
    assert "The first period already starts the limits: choose a later one." in out
    code, out = pmf(url, "spc", "rebase", CLAIMANTS, "Aug 2024", "--reason", " ", "--by", "jo")
    assert code == 1 and "Say why the process changed" in out
    code, out = pmf(url, "spc", "rebase", "no-such", "Aug 2024", "--reason", "X", "--by", "jo")
    assert code == 1 and "There is no measure 'no-such'" in out
    assert pmf(url, "spc", "rebase", CLAIMANTS, "Aug 2024", "--reason", "X", "--by", "jo")[0] == 0
    code, out = pmf(url, "spc", "rebase", CLAIMANTS, "Aug 2024", "--reason", "Y", "--by", "jo")
    assert code == 1 and "already recalculated from Aug 2024 (rebase 1)" in out
    assert date(2024, 8, 1) in set(read_rebases(sa.create_engine(url))["period_start"])


def test_the_county_is_the_default_area(warehouse: tuple[str, sa.Engine]) -> None:
    url, engine = warehouse
    pmf(url, "spc", "rebase", CLAIMANTS, "Sep 2024", "--reason", "X", "--by", "jo")
    assert read_rebases(engine)["area_code"].tolist() == [COUNTY]
