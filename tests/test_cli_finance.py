"""`pmf savings` and `pmf risks`, run in-process on the shipped config and a real warehouse
holding a hand-loaded month of delivery returns."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from cli import main
from warehouse.engine import get_engine
from warehouse.savings import load_delivery
from warehouse.schema import create_tables

AS_OF = "2026-11-30"


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of `pmf ARGS`."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def delivered_and_short(db_url: str) -> None:
    """October's returns: S-CS-03 delivered in full, S-CF-01 forecast at a fifth of plan."""
    frame = pd.DataFrame(
        [
            ("S-CS-03", "2026-27", date(2026, 10, 31), 800_000.0, 800_000.0, "Done."),
            ("S-CF-01", "2026-27", date(2026, 10, 31), 300_000.0, 120_500.4, "Agency use up."),
        ],
        columns=["proposal_id", "financial_year", "as_at", "forecast", "delivered", "commentary"],
    )
    engine = get_engine(db_url)
    create_tables(engine)
    with engine.begin() as conn:
        load_delivery(conn, frame, run_id=None, now=datetime(2026, 11, 5, 9))


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_savings_csv_has_the_agreed_columns_and_whole_pounds(db_url: str) -> None:
    delivered_and_short(db_url)
    code, out, err = run(
        "--database-url", db_url, "savings", "list", "--format", "csv", "--as-of", AS_OF
    )
    assert code == 0, err
    assert out.splitlines()[0] == "id,title,portfolio,planned,forecast,delivered,status"
    by_id = {r["id"]: r for r in rows(out)}
    assert len(by_id) == 16
    assert by_id["S-CS-03"] == {
        "id": "S-CS-03",
        "title": "Senior management restructure and vacancy management",
        "portfolio": "finance",
        "planned": "800000",
        "forecast": "800000",
        "delivered": "800000",
        "status": "delivered",
    }
    assert by_id["S-CF-01"]["forecast"] == "300000"
    assert by_id["S-CF-01"]["delivered"] == "120500"
    assert by_id["S-CF-01"]["status"] == "will_not_deliver"
    # No return yet: the forecast cell is empty, and nothing evidences the saving
    assert by_id["S-ASC-01"]["forecast"] == ""
    assert by_id["S-ASC-01"]["status"] == "at_risk"


def test_savings_filters_and_the_readable_table(db_url: str) -> None:
    delivered_and_short(db_url)
    base = ("--database-url", db_url, "savings", "list", "--as-of", AS_OF)
    code, out, _ = run(*base, "--format", "csv", "--portfolio", "finance")
    assert code == 0
    assert [r["id"] for r in rows(out)] == ["S-CS-01", "S-CS-02", "S-CS-03"]
    code, out, _ = run(*base, "--format", "csv", "--status", "will_not_deliver")
    assert [r["id"] for r in rows(out)] == ["S-CF-01"]
    code, out, _ = run(*base, "--format", "csv", "--directorate", "corporate-services")
    assert {r["portfolio"] for r in rows(out)} == {"finance"}
    code, out, _ = run(*base, "--portfolio", "finance")
    assert code == 0
    assert out.splitlines()[0] == "Savings 2026-27"
    line = next(line for line in out.splitlines() if "S-CS-03" in line)
    assert "£800k" in line and line.rstrip().endswith("Delivered")
    assert "At risk" in next(line for line in out.splitlines() if "S-CS-01" in line)
    total = out.splitlines()[-1]
    assert "Total, 3 proposals" in total and "£3.3m" in total


def test_bad_choices_are_one_line_with_a_suggestion(db_url: str) -> None:
    for args, expected in (
        (("--portfolio", "financ"), "--portfolio 'financ' is not known. Did you mean 'finance'?"),
        (("--status", "on-track"), "--status 'on-track' is not known. Did you mean 'on_track'?"),
        (("--directorate", "nowhere"), "--directorate 'nowhere' is not known. Use one of: "),
        (("--as-of", "30/11/2026"), "--as-of '30/11/2026' is not a date"),
    ):
        code, out, err = run("--database-url", db_url, "savings", "list", *args)
        assert code == 1
        assert out == "" and len(err.splitlines()) == 1 and err.startswith(expected), err
    code, _, err = run("--database-url", db_url, "risks", "list", "--portfolio", "Finance")
    assert code == 1 and "Did you mean 'finance'?" in err and "Traceback" not in err


def test_an_empty_register_lists_nothing(db_url: str, config_copy: Path) -> None:
    for path in (*(config_copy / "savings").glob("*.yaml"), config_copy / "mtfs.yaml"):
        path.unlink()
    (config_copy / "risks.yaml").unlink()
    base = ("--config", str(config_copy), "--database-url", db_url)
    code, out, err = run(*base, "savings", "list", "--format", "csv")
    assert code == 0, err
    assert out == "id,title,portfolio,planned,forecast,delivered,status\n"
    code, out, _ = run(*base, "savings", "list")
    assert code == 0 and out.startswith("No savings proposals to show for ")
    code, out, _ = run(*base, "risks", "list", "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 1
    code, out, _ = run(*base, "risks", "list")
    assert out == "No risks to show.\n"
    code, out, _ = run(*base, "savings", "mtfs")
    assert code == 0 and out.startswith("No MTFS or savings plan is configured")


def test_risks_csv_and_filters(db_url: str) -> None:
    base = ("--database-url", db_url, "risks", "list", "--as-of", AS_OF)
    code, out, err = run(*base, "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[0] == (
        "id,title,category,portfolio,owner,likelihood,impact,score,rating,appetite,"
        "above_appetite,review_date,review_overdue"
    )
    listed = rows(out)
    assert len(listed) == 22
    first = listed[0]
    assert (first["id"], first["score"], first["rating"], first["appetite"]) == (
        "R-CS-01",
        "20",
        "very_high",
        "10",
    )
    assert first["above_appetite"] == "True" and first["review_date"] == "2026-12-12"
    code, out, _ = run(*base, "--format", "csv", "--above-appetite", "--portfolio", "finance")
    assert {r["id"] for r in rows(out)} == {"R-FIN-01", "R-DIG-01", "R-FIN-02"}
    # A year on, every review date has passed
    code, out, _ = run(
        "--database-url",
        db_url,
        "risks",
        "list",
        "--format",
        "csv",
        "--overdue",
        "--as-of",
        "2027-12-31",
    )
    assert len(rows(out)) == 22 and {r["review_overdue"] for r in rows(out)} == {"True"}
    code, out, _ = run(*base, "--portfolio", "finance")
    line = next(line for line in out.splitlines() if "R-FIN-01" in line)
    assert "Very high" in line and "ABOVE" in line
    assert out.splitlines()[-1].startswith("5 risks: 3 above appetite")


def test_mtfs_csv_has_every_year_and_both_stress_tests(db_url: str) -> None:
    delivered_and_short(db_url)
    code, out, err = run(
        "--database-url", db_url, "savings", "mtfs", "--format", "csv", "--as-of", AS_OF
    )
    assert code == 0, err
    assert out.splitlines()[0] == (
        "year,gap,planned,forecast,delivered,carried_forward,remaining_gap,slip_forecast,"
        "slip_gap,on_track_forecast,on_track_gap"
    )
    year = next(r for r in rows(out) if r["year"] == "2026-27")
    assert year["gap"] == "30000000" and year["delivered"] == "920500"
