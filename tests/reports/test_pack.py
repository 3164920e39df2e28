"""The pack's words and numbers, built from the sample demo warehouse (no charts drawn)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from markupsafe import escape

from metrics.registry.loader import Registry
from reports.glossary import TERMS
from reports.html import render_html
from reports.pack import Pack, build_pack
from reports.scope import ScopeError, resolve_scope
from tests.reports.conftest import Sample


def pack_for(sample: Sample, kind: str, ident: str, as_at: date | None = None) -> Pack:
    scope = resolve_scope(sample.registry, kind, ident)
    return build_pack(sample.registry, sample.engine, scope, as_at or sample.as_at)


@pytest.fixture(scope="module")
def finance(sample: Sample) -> Pack:
    return pack_for(sample, "portfolio", "finance")


@pytest.fixture(scope="module")
def children(sample: Sample) -> Pack:
    return pack_for(sample, "portfolio", "children-young-people")


def section_text(pack: Pack, metric_id: str) -> str:
    section = next(s for s in pack.sections if s.metric.id == metric_id)
    return " ".join(p.text for p in section.paras)


def summary_text(pack: Pack) -> str:
    return " ".join(p.text for p in pack.summary)


def test_a_pack_has_exactly_the_portfolio_s_measures_in_registry_order(
    sample: Sample, finance: Pack
) -> None:
    expected = [m.id for m in sample.registry.for_portfolio("finance")]
    assert [s.metric.id for s in finance.sections] == expected
    assert finance.title == "Finance and Resources portfolio: performance pack"
    assert finance.scope.audience == "Cabinet Member for Finance and Resources"


def test_committee_and_priority_packs_take_their_own_measures(sample: Sample) -> None:
    committee = resolve_scope(sample.registry, "committee", "corporate-review")
    assert committee.metrics == tuple(sample.registry.for_committee("corporate-review"))
    priority = resolve_scope(sample.registry, "priority", "jobs-growth")
    assert priority.metric_ids == [m.id for m in sample.registry.for_priority("jobs-growth")]
    # Milestones are not mapped to committees: a committee takes its portfolios' milestones
    column, values = committee.milestone_filter()
    assert column == "portfolio" and "finance" in values


def test_an_unknown_id_lists_the_valid_ones_with_a_hint(sample: Sample) -> None:
    with pytest.raises(ScopeError) as error:
        resolve_scope(sample.registry, "portfolio", "fnance")
    message = str(error.value)
    assert "There is no portfolio 'fnance'" in message
    assert "Did you mean 'finance'?" in message
    assert "leader (Leader of the Council)" in message


def test_general_debt_off_target_is_said_with_its_figures(finance: Pack) -> None:
    text = section_text(finance, "general-debt-outstanding")
    assert (
        "General debt outstanding was £9.2m in Oct 2024, against a target of £5.0m "
        "(lower is better). It is off target, and has been for 91 months in a row."
    ) in text
    assert "worse than in Sep 2024 (£8.5m)" in text
    assert "Assurance: consistently failing." in text
    summary = summary_text(finance)
    assert "General debt outstanding (£9.2m against a target of £5.0m)" in summary
    assert "Of the 7 measures with a target and a figure, 4 are on target" in summary
    assert (
        "Biggest deteriorations since the previous period: General debt outstanding, "
        "up from £8.5m to £9.2m;"
    ) in summary


def test_the_overdue_action_and_the_commentary_reach_the_pack(finance: Pack) -> None:
    summary = summary_text(finance)
    assert (
        "1 action is overdue: Weekly recovery sweeps on debts more than 90 days old "
        "(General debt outstanding, owner Head of Exchequer Services, due 20 November 2024)."
    ) in summary
    [overdue] = finance.overdue_actions
    assert overdue.sentence().endswith("Due 20 November 2024. It is overdue.")
    debt = next(s for s in finance.sections if s.metric.id == "general-debt-outstanding")
    assert [c.author for c in debt.comments] == ["Head of Exchequer Services"]
    assert len(debt.actions) == 1  # one flag for the measure, whatever reasons hold


def test_a_flag_lists_every_reason_it_holds_and_flags_are_not_called_actions(
    finance: Pack,
) -> None:
    debt = next(s for s in finance.sections if s.metric.id == "general-debt-outstanding")
    [flag] = debt.actions
    names = [name for name, _ in flag.reasons]
    # Every reason from the flag's stored list, most serious first, each with its sentence
    assert len(names) >= 2 and names[0] == "Off target", names
    assert flag.reason_names == "; ".join(names)
    assert all(why for _, why in flag.reasons)
    html = render_html(finance)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    own = html.split('id="measure-general-debt-outstanding"')[1].split("</section>")[0]
    section = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", own)).split("Open flags and actions")[1]
    for name, why in flag.reasons:
        assert f"{name}: {why}" in section.replace(" :", ":")
    assert "Overdue actions" in text and "corrective action" not in text.lower()
    assert "General debt outstanding: " + flag.reason_names + "." in text or not any(
        f.flag_id == flag.flag_id for f in finance.new_flags
    )


def test_caseload_spc_concern_gives_the_rule_that_fired(children: Pack) -> None:
    text = section_text(children, "cs-social-worker-caseload")
    assert (
        "Special cause: concern — the latest value is above the upper process limit of 24.1; "
        "21 months in a row above the average."
    ) in text
    assert "The average is 22.8 and the process limits are 21.5 to 24.1." in text
    facts = {f.label: f.value for f in children.sections[0].facts}
    assert facts["Status"] == "Off target" and facts["SPC reading"] == "Special cause: concern"


def test_numbers_carry_their_units(children: Pack, finance: Pack) -> None:
    assert "Looked-after children per 10,000 was 69.0 per 10,000 in Oct 2024" in section_text(
        children, "looked-after-children-rate"
    )
    assert "19.1% in Oct 2024, against a target of 12.0%" in section_text(
        children, "cs-social-worker-vacancy-rate"
    )
    assert "The total so far this financial year is £18.0m." in section_text(
        finance, "mtfs-savings-delivered"
    )


def test_slipping_milestones_and_flags_are_counted(children: Pack) -> None:
    summary = summary_text(children)
    assert "2 of the 7 milestones are slipping" in summary
    assert (
        "Caseload management tool live for every social work team was due by 11 October 2024"
        in summary
    )
    assert "No new flags were raised in the week 19 to 25 November 2024." in summary
    assert [m.status for m in children.slipping] == ["overdue", "slipped"]


def test_each_technical_term_is_explained_once_before_the_glossary(children: Pack) -> None:
    html = render_html(children)
    body, glossary = html.split('id="glossary-heading"')
    for key in ("rag", "tolerance", "spc", "special_cause", "process_limits", "assurance", "flag"):
        explanation = str(escape(TERMS[key][1]))
        assert body.count(explanation) == 1, key
        assert explanation in glossary
    assert body.index(str(escape(TERMS["rag"][1]))) < body.index('id="measure-')


def test_a_pack_as_at_an_earlier_date_uses_what_was_known_then(sample: Sample) -> None:
    june = pack_for(sample, "portfolio", "finance", date(2024, 6, 30))
    assert "£" in section_text(june, "general-debt-outstanding")
    assert "in Jun 2024" in section_text(june, "general-debt-outstanding")
    assert june.data.flags.empty  # every flag was raised in October
    # The day after raising, the debt flag was acknowledged; the action came two days later
    october = pack_for(sample, "portfolio", "finance", date(2024, 10, 29))
    flags = october.data.flags
    debt = flags[
        (flags["subject_id"] == "general-debt-outstanding") & (flags["rule"] == "off_target")
    ]
    assert debt["status"].tolist() == ["acknowledged"]
    assert debt["action"].isna().all()
    assert not october.overdue_actions


def test_committee_and_priority_packs_and_a_date_before_any_data(sample: Sample) -> None:
    committee = pack_for(sample, "committee", "safe-strong-communities")
    count = len(sample.registry.for_committee("safe-strong-communities"))
    assert summary_text(committee).startswith(
        f"This pack covers the {count} measures in the remit of the Safe and Strong "
        "Communities Overview and Scrutiny Committee."
    )
    assert committee.milestones  # from the portfolios its measures belong to
    priority = pack_for(sample, "priority", "jobs-growth")
    assert priority.title == (
        "More good jobs and the benefits of economic growth priority: performance pack"
    )
    empty = pack_for(sample, "portfolio", "finance", date(2010, 4, 1))
    assert "Of the" not in summary_text(empty)
    assert all(s.rag in ("no_data", "no_target") for s in empty.sections)
    assert section_text(empty, "general-debt-outstanding") == (
        "There are no figures for General debt outstanding yet. "
        "No data has been loaded for this measure; it was due by 30 March 2010."
    )
    assert render_html(empty).count("<img") == 0


def test_a_measure_with_comparators_says_where_the_council_ranks(sample: Sample) -> None:
    scope = resolve_scope(sample.registry, "portfolio", "health-care-wellbeing")
    pack = build_pack(sample.registry, sample.engine, scope, sample.as_at)
    section = next(s for s in pack.sections if s.metric.id == "asc-info-ease-users")
    text = " ".join(p.text for p in section.paras)
    assert re.search(
        r"Staffordshire ranked \d+(st|nd|rd|th) of 16 similar councils in \d{4}-\d{2} \(", text
    )


def test_a_pack_from_real_oflog_data_gives_the_national_median(
    registry: Registry, engine: sa.Engine, real_data: Path
) -> None:
    from pipelines.runner import run_pipeline

    run_pipeline(registry, engine, "oflog-asc", drop_folder=real_data)
    scope = resolve_scope(registry, "portfolio", "health-care-wellbeing")
    pack = build_pack(registry, engine, scope, date(2024, 6, 30))
    section = next(s for s in pack.sections if s.metric.id == "asc-info-ease-users")
    text = " ".join(p.text for p in section.paras)
    assert "Staffordshire ranked 13th of 16 similar councils in 2022-23 (bottom quartile)" in text
    assert "Across all 149 English councils with data in 2022-23, the median was 67.5%;" in text
    assert "Staffordshire ranked 110th (third quartile)." in text


def test_the_pack_opens_with_a_scorecard_of_every_measure(children: Pack) -> None:
    from metrics.format import format_value
    from metrics.words import rag_word, variation_text

    data = children.data
    snap = data.snapshot[data.snapshot["area_code"] == data.county].set_index("metric_id")
    rows = children.scorecard
    assert sorted(r.name for r in rows) == sorted(s.metric.name for s in children.sections)
    # Off target first, then within tolerance, then the rest
    order = {"red": 0, "amber": 1, "green": 2}
    ranks = [order.get(r.rag, 3) for r in rows]
    assert ranks == sorted(ranks) and rows[0].rag == "red"
    by_name = {r.name: r for r in rows}
    for section in children.sections:
        metric, row = section.metric, by_name[section.metric.name]
        judged: dict[Any, Any] = snap.loc[metric.id].to_dict()
        assert row.rag == judged["rag"] and row.status == rag_word(judged["rag"])
        assert row.latest.startswith(format_value(judged["value"], metric))
        has_target = judged["target"] == judged["target"]  # NaN: no target
        assert row.target == (format_value(judged["target"], metric) if has_target else "No target")
        assert row.spc == variation_text(judged["variation"])
    caseload = by_name["Children's social worker average caseload"]
    assert (caseload.status, caseload.spc) == ("Off target", "Special cause: concern")
    html = render_html(children)
    # The scorecard comes before the contents and the summary, one row per measure
    assert html.index('id="scorecard"') < html.index('id="contents-heading"')
    table = html[
        html.index('id="scorecard"') : html.index("</table>", html.index('id="scorecard"'))
    ]
    assert table.count('<th scope="row">') == len(children.sections)
    assert f"<td>{escape(caseload.spc)}</td>" in table


def test_a_scorecard_of_nineteen_measures_runs_on_with_its_headings(sample: Sample) -> None:
    from reports.pdf import render_pdf

    pack = pack_for(sample, "portfolio", "health-care-wellbeing")
    assert len(pack.sections) == 19  # the long-term support spend, people and unit cost too
    pdf = render_pdf(render_html(pack))  # no charts needed: the scorecard has none
    # Sixteen measures fit page 1; nineteen run on to page 2 under the table's own headings,
    # and the contents start on a page of their own after it
    assert pdf.contents[0].lines > 16
    assert pdf.contents[1].first_line == "Measure"
    assert pdf.contents[2].first_line == "Contents"


def test_a_committee_pack_with_comparators_builds_on_an_empty_warehouse(
    registry: Registry, engine: sa.Engine
) -> None:
    # Nothing loaded yet: no figures of ours and none of other councils' to compare with
    scope = resolve_scope(registry, "committee", "health-care")
    pack = build_pack(registry, engine, scope, date(2026, 11, 30))
    assert any(m.benchmark is not None for m in registry.for_committee("health-care"))
    assert len(pack.sections) == len(registry.for_committee("health-care"))
    assert all(s.rag in ("no_data", "no_target") for s in pack.sections)
