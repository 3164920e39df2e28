"""The returns template and its upload, on a real warehouse and a real XLSX file: what the
template holds, a filled one saved as submitted returns, and every kind of bad upload reported
row by row with nothing saved."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from access.identity import Viewer
from access.users import LocalPasswordProvider, add_user
from cycle.closing import close_cycle
from cycle.entry import Figures, ReturnKey, save_return
from cycle.opening import CycleProblem, open_cycle
from cycle.signoff import approve_return, send_back
from cycle.status import cycle_status
from cycle.template_sheet import HEADINGS, column_letter
from cycle.workbook import UploadResult, read_upload, write_template
from metrics.registry.loader import Registry
from warehouse.returns import read_events, read_returns

COUNTY = "E10000028"
CANNOCK = "E07000192"
TODAY = date(2026, 11, 20)
PASSWORD = "correct horse battery staple"
PEOPLE = {
    "demo-manager": "member",
    "demo-analyst": "member",
    "demo-director": "member",
    "demo-officer": "officer",
}
FOSTER = "foster-carers-approved"
SAFEGUARDING = "safeguarding-referrals-24h"
SCAMS = "trading-standards-scams-prevented"
HOUSEHOLD = "household-support-applications"
CONTACT = "contact-centre-first-contact"


def add_people(engine: sa.Engine) -> None:
    """The accounts the shipped manual measures name (service-returns.yaml)."""
    for username, role in PEOPLE.items():
        add_user(engine, username, PASSWORD, role, actor="test")


def person(engine: sa.Engine, username: str) -> Viewer:
    """The signed-in view of an account."""
    viewer = LocalPasswordProvider(engine).load(username)
    assert viewer is not None
    return viewer


@pytest.fixture
def cycles(registry: Registry, engine: sa.Engine) -> sa.Engine:
    """September 2026 closed with 5 foster carers approved; October 2026 open, due 15 Nov."""
    add_people(engine)
    open_cycle(registry, engine, "2026-09", date(2026, 10, 15), opened_by="test")
    september = ReturnKey("2026-09", FOSTER, COUNTY)
    manager = person(engine, "demo-manager")
    save_return(registry, engine, september, Figures(value="5"), by=manager, submit=True)
    approve_return(registry, engine, september, by=person(engine, "demo-director"), evaluate=False)
    close_cycle(engine, "2026-09", by=person(engine, "demo-officer"))
    open_cycle(registry, engine, "2026-10", date(2026, 11, 15), opened_by="test")
    return engine


def template(registry: Registry, engine: sa.Engine, owner: str, folder: Path) -> Path:
    """A template written to a real file."""
    path = folder / f"{owner}.xlsx"
    write_template(registry, engine, owner, path, today=TODAY)
    return path


def sheet_rows(sheet: Worksheet) -> dict[tuple[str, str, str], int]:
    """Each return's row number in the Returns sheet, by (period, measure, area)."""
    at = {h: i for i, h in enumerate(HEADINGS)}
    return {
        (str(r[at["Period"]]), str(r[at["Measure id"]]), str(r[at["Area code"]])): number
        for number, r in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2)
    }


def fill(path: Path, figures: dict[tuple[str, str, str], dict[str, Any]]) -> dict[Any, int]:
    """Type figures into a template as an owner would, and save it; each row's number."""
    book = load_workbook(path)
    sheet = book["Returns"]
    rows = sheet_rows(sheet)
    for key, cells in figures.items():
        for heading, value in cells.items():
            sheet[f"{column_letter(heading)}{rows[key]}"] = value
    book.save(path)
    return rows


def stored(engine: sa.Engine) -> list[dict[str, Any]]:
    """What every return holds, to show an upload changed nothing."""
    frame = read_returns(engine)[["id", "state", "value", "commentary", "updated_at"]]
    return [
        {str(k): v for k, v in row.items()}
        for row in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]


def refused(
    registry: Registry, engine: sa.Engine, path: Path | bytes, by: str = "demo-manager"
) -> list[str]:
    """Upload a file that must be refused: its problems, once it is shown nothing was saved."""
    before, events = stored(engine), len(read_events(engine))
    result = read_upload(registry, engine, path, by=person(engine, by), today=TODAY)
    assert not result.ok and result.saved == 0
    assert result.summary().startswith("Nothing was saved")
    assert stored(engine) == before and len(read_events(engine)) == events
    return [str(problem) for problem in result.problems]


def october(metric_id: str, area: str = COUNTY) -> tuple[str, str, str]:
    return ("2026-10", metric_id, area)


def test_the_template_holds_the_owners_open_returns_with_what_they_need(
    registry: Registry, cycles: sa.Engine, tmp_path: Path
) -> None:
    engine = cycles
    open_cycle(registry, engine, "2026-27-Q2", date(2026, 10, 31), opened_by="test")
    manager = person(engine, "demo-manager")
    save_return(
        registry,
        engine,
        ReturnKey("2026-10", SAFEGUARDING, COUNTY),
        Figures(value="91.5", commentary='=HYPERLINK("http://evil.example","x")'),
        by=manager,
        submit=False,
    )
    for key, value in (
        (ReturnKey("2026-10", SCAMS, COUNTY), "130"),
        (ReturnKey("2026-10", HOUSEHOLD, CANNOCK), "93"),
    ):
        save_return(registry, engine, key, Figures(value=value), by=manager, submit=True)
    send_back(
        registry,
        engine,
        ReturnKey("2026-10", SCAMS, COUNTY),
        "Is this the whole month?",
        by=person(engine, "demo-officer"),
    )
    path = template(registry, engine, "demo-manager", tmp_path)

    book = load_workbook(path)
    assert book.sheetnames == ["Returns", "pmf"]
    sheet, meta = book["Returns"], book["pmf"]
    assert [cell.value for cell in sheet[1]] == list(HEADINGS)
    assert sheet.freeze_panes == "A2"
    rows = sheet_rows(sheet)
    # Every open cycle, only what is still the owner's to change: not a submitted return
    assert set(rows) == {
        ("2026-27-Q2", "carers-assessments-on-time", COUNTY),
        october(FOSTER),
        october(SAFEGUARDING),
        october(SCAMS),
        *(october(HOUSEHOLD, a.code) for a in registry.plan.areas if a.code != CANNOCK),
    }

    def cell(key: tuple[str, str, str], heading: str) -> Any:
        return sheet[f"{column_letter(heading)}{rows[key]}"]

    foster = october(FOSTER)
    assert cell(foster, "Measure").value == "New foster carer households approved"
    assert cell(foster, "Area").value == "Staffordshire"
    assert cell(foster, "Target").value == 4
    # The last approved figure before the period: September's, approved and locked
    assert cell(foster, "Last approved").value == 5
    assert cell(foster, "Last approved for").value == "Sep 2026"
    assert cell(foster, "Due").value.date() == date(2026, 11, 15)
    assert cell(foster, "State").value == "Not started (Late)"
    # A count takes no numerator: its cell is greyed; a percentage's is the owner's colour
    assert cell(foster, "Numerator").fill.fgColor.rgb != cell(foster, "Value").fill.fgColor.rgb
    safeguarding = october(SAFEGUARDING)
    assert (
        cell(safeguarding, "Numerator").fill.fgColor.rgb == cell(foster, "Value").fill.fgColor.rgb
    )
    assert cell(foster, "Value").fill.fgColor.rgb != cell(foster, "Measure").fill.fgColor.rgb
    # A saved draft is filled in, its commentary kept as text, never run as a formula
    assert cell(safeguarding, "Value").value == 91.5
    commentary = cell(safeguarding, "Commentary")
    assert commentary.data_type == "s" and commentary.quotePrefix
    assert commentary.value.startswith("=HYPERLINK")
    assert cell(safeguarding, "State").value == "Draft (Late)"

    # One sent back carries the approver's note and its figure, to correct
    assert cell(october(SCAMS), "State").value == "Sent back (Late)"
    assert cell(october(SCAMS), "Approver's note").value == "Is this the whole month?"
    assert cell(october(SCAMS), "Value").value == 130

    assert meta.sheet_state == "hidden"
    assert [meta["A2"].value, meta["B2"].value] == ["owner", "demo-manager"]


def test_an_owner_with_nothing_to_enter_gets_an_error_not_an_empty_file(
    registry: Registry, cycles: sa.Engine, tmp_path: Path
) -> None:
    engine = cycles
    path = tmp_path / "none.xlsx"
    with pytest.raises(CycleProblem, match="demo-officer owns no return in an open cycle"):
        write_template(registry, engine, "demo-officer", path)
    analyst = person(engine, "demo-analyst")
    for metric_id in (CONTACT, "highways-claims-repudiated"):
        save_return(
            registry,
            engine,
            ReturnKey("2026-10", metric_id, COUNTY),
            Figures(value="90"),
            by=analyst,
            submit=True,
        )
    with pytest.raises(CycleProblem, match=r"Every return of demo-analyst .*\(2026-10\)"):
        write_template(registry, engine, "demo-analyst", path)
    assert not path.exists()


def test_a_filled_template_is_submitted_and_blank_rows_are_skipped(
    registry: Registry, cycles: sa.Engine, tmp_path: Path
) -> None:
    engine = cycles
    path = template(registry, engine, "demo-manager", tmp_path)
    fill(
        path,
        {
            october(FOSTER): {"Value": 3, "Commentary": "Two panels were cancelled."},
            october(SAFEGUARDING): {"Value": 96.5, "Numerator": 193, "Denominator": 200},
            # Typed as a percentage in Excel, stored as 0.92 and shown as 92%
            october(HOUSEHOLD, CANNOCK): {"Value": 0.92},
            # Commentary starting '=' is what the owner typed, not a formula to run
            october(HOUSEHOLD): {"Value": 91, "Commentary": "=better than last year"},
        },
    )
    book = load_workbook(path)
    book["Returns"][
        f"M{sheet_rows(book['Returns'])[october(HOUSEHOLD, CANNOCK)]}"
    ].number_format = "0%"
    book.save(path)

    result = read_upload(registry, engine, path, by=person(engine, "demo-manager"), today=TODAY)

    assert result == UploadResult(saved=4, submitted=True, skipped=8)
    assert result.summary() == "4 returns submitted for sign-off; 8 rows left blank."
    status = cycle_status(registry, engine, ["2026-10"], today=TODAY).set_index(
        ["metric_id", "area_code"]
    )
    assert status.loc[(FOSTER, COUNTY), "state"] == "submitted"
    assert status.loc[(FOSTER, COUNTY), "commentary"] == "Two panels were cancelled."
    figures = [
        status.at[(SAFEGUARDING, COUNTY), name] for name in ("value", "numerator", "denominator")
    ]
    assert figures == [96.5, 193, 200]
    assert status.loc[(HOUSEHOLD, CANNOCK), "value"] == pytest.approx(92)
    assert status.loc[(HOUSEHOLD, COUNTY), "commentary"] == "=better than last year"
    assert status.loc[(HOUSEHOLD, "E07000193"), "state"] == "not_started"
    steps = read_events(engine, actor="demo-manager")
    assert ((steps["kind"] == "submit") & (steps["period"] == "2026-10")).sum() == 4


def test_an_upload_can_save_drafts(registry: Registry, cycles: sa.Engine, tmp_path: Path) -> None:
    engine = cycles
    path = template(registry, engine, "demo-manager", tmp_path)
    fill(path, {october(FOSTER): {"Commentary": "Figure to follow from the panel clerk."}})
    result = read_upload(
        registry, engine, path, by=person(engine, "demo-manager"), submit=False, today=TODAY
    )
    assert result.summary() == "1 return saved as a draft; 11 rows left blank."
    status = cycle_status(registry, engine, ["2026-10"], today=TODAY).set_index("metric_id")
    assert status.loc[FOSTER, "state"] == "draft"


def test_a_file_that_is_not_the_template_is_refused_whole(
    registry: Registry, cycles: sa.Engine, tmp_path: Path
) -> None:
    engine = cycles
    assert refused(registry, engine, b"period,value\n2026-10,5\n") == [
        "The upload is not an Excel workbook (.xlsx) PMF can read (BadZipFile); upload the file "
        "'pmf returns template' wrote, saved as an Excel workbook."
    ]

    path = template(registry, engine, "demo-manager", tmp_path)
    book = load_workbook(path)
    book["Returns"].title = "Sheet1"
    book.save(tmp_path / "renamed.xlsx")
    assert refused(registry, engine, tmp_path / "renamed.xlsx") == [
        "'renamed.xlsx' has no sheet called 'Returns' (its sheets: Sheet1, pmf); upload the "
        "file 'pmf returns template' wrote."
    ]

    book = load_workbook(path)
    book["Returns"]["M1"] = "Figure"
    book["Returns"]["P1"] = None
    book.save(tmp_path / "headings.xlsx")
    (problem,) = refused(registry, engine, tmp_path / "headings.xlsx")
    assert "column M is headed 'Figure', not 'Value'" in problem
    assert "column P should be headed 'Commentary' but is empty" in problem

    book = load_workbook(path)
    del book["pmf"]
    book["Returns"]["M2"] = 5
    book.save(tmp_path / "no-record.xlsx")
    (problem,) = refused(registry, engine, tmp_path / "no-record.xlsx")
    assert "has no 'pmf' sheet" in problem and "download a new template" in problem


def test_every_bad_row_is_reported_with_its_reason_and_nothing_is_saved(
    registry: Registry, cycles: sa.Engine, tmp_path: Path
) -> None:
    engine = cycles
    path = template(registry, engine, "demo-manager", tmp_path)
    rows = fill(
        path,
        {
            october(FOSTER): {"Value": 4},  # a good row: not saved either
            october(SAFEGUARDING): {"Value": "about 90"},
            october(HOUSEHOLD, CANNOCK): {"Value": 70},  # off target, no commentary
            october(HOUSEHOLD): {"Value": 140, "Commentary": "Counted twice?"},
        },
    )
    book = load_workbook(path)
    sheet = book["Returns"]
    # Rows typed below the template's: period, measure, area and value
    extra: dict[int, tuple[str, str, str, int | None]] = {
        20: ("2026-10", "foster-carers-aproved", COUNTY, 5),  # a misspelt measure
        21: ("2026-10", HOUSEHOLD, "E07000999", 95),  # an area the measure is not returned for
        22: ("2026-12", FOSTER, COUNTY, 5),  # no cycle for December
        23: ("2026-10", FOSTER, COUNTY, 6),  # the same return as an earlier row
        24: ("2026-09", FOSTER, COUNTY, 6),  # September is closed
        25: ("2026-10", FOSTER, COUNTY, None),  # left blank: skipped, not an error
    }
    for number, (period, metric_id, area, value) in extra.items():
        for column, typed in zip("ABDM", (period, metric_id, area, value), strict=True):
            sheet[f"{column}{number}"] = typed
    book.save(path)

    problems = refused(registry, engine, path)

    foster = rows[october(FOSTER)]
    # In the order of the rows, each with its column, value and what would be valid
    assert problems == [
        f"Row {rows[october(HOUSEHOLD, CANNOCK)]}, column P (Commentary): The figure 70.0% is "
        "off target (target 90.0%): say why, and what is being done about it.",
        f"Row {rows[october(HOUSEHOLD)]}, column M (Value): Value '140' is outside 0 to 100, "
        "and 'household-support-applications' is a percentage.",
        f"Row {rows[october(SAFEGUARDING)]}, column M (Value): Value 'about 90' is not a number.",
        "Row 20, column B (Measure id) 'foster-carers-aproved': There is no measure with this "
        "id; did you mean 'foster-carers-approved'?",
        "Row 21, column D (Area code) 'E07000999': The measure is not returned for this area "
        "code; did you mean 'E07000199' (Tamworth)?",
        "Row 22: there is no return for foster-carers-approved (Staffordshire) in 2026-12; "
        "'pmf cycle status' lists the open cycles' returns.",
        f"Rows {foster} and 23 are both for foster-carers-approved (Staffordshire) in 2026-10: "
        "keep one of them.",
        "Row 24: 2026-09 is closed, so its figures are locked. A change now is a restatement, "
        "made by the performance team with a reason ('pmf returns restate').",
    ]


def test_rows_of_another_owners_returns_are_refused(
    registry: Registry, cycles: sa.Engine, tmp_path: Path
) -> None:
    engine = cycles
    path = template(registry, engine, "demo-analyst", tmp_path)
    rows = fill(path, {october(CONTACT): {"Value": 85}})
    assert refused(registry, engine, path, by="demo-manager") == [
        f"Row {rows[october(CONTACT)]} is demo-analyst's return; you are demo-manager."
    ]


def test_returns_already_submitted_or_approved_are_refused(
    registry: Registry, cycles: sa.Engine, tmp_path: Path
) -> None:
    engine = cycles
    path = template(registry, engine, "demo-manager", tmp_path)
    manager, director = person(engine, "demo-manager"), person(engine, "demo-director")
    # After the template was written, one return is submitted from the page and one approved
    for metric_id in (FOSTER, SAFEGUARDING):
        key = ReturnKey("2026-10", metric_id, COUNTY)
        save_return(registry, engine, key, Figures(value="98"), by=manager, submit=True)
    approve_return(
        registry, engine, ReturnKey("2026-10", SAFEGUARDING, COUNTY), by=director, evaluate=False
    )
    rows = fill(path, {october(FOSTER): {"Value": 5}, october(SAFEGUARDING): {"Value": 97}})
    assert refused(registry, engine, path) == [
        f"Row {rows[october(FOSTER)]}: This return cannot be changed: it was submitted and is "
        "waiting for demo-director to sign it off; ask them to send it back if it needs a "
        "change.",
        f"Row {rows[october(SAFEGUARDING)]}: This return cannot be changed: it was approved by "
        "demo-director.",
    ]


def test_a_template_from_a_cycle_since_closed_is_refused(
    registry: Registry, cycles: sa.Engine, tmp_path: Path
) -> None:
    engine = cycles
    path = template(registry, engine, "demo-manager", tmp_path)
    rows = fill(path, {october(FOSTER): {"Value": 5}, october(SAFEGUARDING): {"Value": 97}})
    close_cycle(engine, "2026-10", by=person(engine, "demo-officer"))
    numbers = sorted(rows[october(m)] for m in (FOSTER, SAFEGUARDING))
    assert refused(registry, engine, path) == [
        f"This template is for cycle 2026-10, which is closed (rows {numbers[0]}, {numbers[1]}); "
        "download a new template with 'pmf returns template'."
    ]


def test_a_formula_with_no_saved_result_is_not_guessed(
    registry: Registry, cycles: sa.Engine, tmp_path: Path
) -> None:
    engine = cycles
    path = template(registry, engine, "demo-manager", tmp_path)
    rows = fill(path, {october(FOSTER): {"Value": "=2+3"}})
    assert refused(registry, engine, path) == [
        f"Row {rows[october(FOSTER)]}, column M (Value) '=2+3': The cell holds a formula whose "
        "result was not saved with the file; type the value itself."
    ]
    assert pd.isna(read_returns(engine, periods=["2026-10"])["value"]).all()
