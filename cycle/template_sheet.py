"""The returns template's layout: the Returns sheet's columns (which the owner fills in) and
the hidden sheet that records whose returns a template holds, shared by writing and reading."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

SHEET = "Returns"
# The hidden sheet: what kind of file this is, whose returns, and each return's cycle
META_SHEET = "pmf"
TEMPLATE_KIND = "PMF returns template"
# The heading of the column each field of `cycle.entry.Figures` is typed in
FIELD_HEADINGS = {
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "commentary": "Commentary",
}


@dataclass(frozen=True)
class Column:
    """One column of the Returns sheet: its heading, width, and whether the owner fills it."""

    heading: str
    width: int
    editable: bool = False
    note: str = ""


COLUMNS = (
    Column("Period", 11),
    Column("Measure id", 32),
    Column("Measure", 48),
    Column("Area code", 12),
    Column("Area", 22),
    Column("Unit", 10),
    Column("Target", 10),
    Column("Last approved", 14),
    Column("Last approved for", 17),
    Column("Due", 12),
    Column("State", 20),
    Column("Approver's note", 32),
    Column("Value", 12, True, "The figure for the period, as a number: a percentage as 85.5."),
    Column(
        "Numerator",
        12,
        True,
        "Only for percentages, rates and ratios (grey where the measure takes a value only).",
    ),
    Column("Denominator", 12, True, "Only for percentages, rates and ratios."),
    Column(
        "Commentary",
        60,
        True,
        "Why the figure is what it is, and what is being done; needed when it is off target.",
    ),
)

HEADINGS = tuple(column.heading for column in COLUMNS)
COLUMN_NUMBER = {heading: number for number, heading in enumerate(HEADINGS, start=1)}
# The columns that name a row's return, and those the owner fills in
KEY_HEADINGS = ("Period", "Measure id", "Area code")
OWN_HEADINGS = tuple(column.heading for column in COLUMNS if column.editable)
# The hidden sheet's table: one row per return in the template
META_HEADINGS = ("return_id", "cycle_id", "period", "metric_id", "area_code")


def column_letter(heading: str) -> str:
    """The Excel letter of a column of the Returns sheet, by its heading."""
    return get_column_letter(COLUMN_NUMBER[heading])
