"""A realistic demo programme tracker: the milestones behind the plan's big changes.

Dates are set relative to `as_of`, so whenever the demo is loaded some milestones are
complete, some on track, some at risk, some slipped and some overdue (with the default
30-day at-risk threshold). Ids of priorities, enablers and portfolios are those in
config/plan.yaml.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import pandas as pd

from warehouse.milestones import MILESTONE_COLUMNS


class _Row(NamedTuple):
    id: str
    title: str
    programme: str
    priority: str | None
    enabler: str | None
    portfolio: str
    owner: str
    baseline: int  # days from as_of
    forecast: int | None  # days from as_of; None when no forecast is given
    completed: int | None  # days from as_of; None while not complete
    note: str


CHILDREN = "Children's services transformation"
HUBS = "Delivery hubs roll-out"
WORKFORCE = "Workforce strategy"
QUICK_WINS = "Community First and Digital First quick wins"
SEND = "SEND recovery"

_AD_CHILDREN = "Assistant Director, Children's Social Care"
_HEAD_COMMUNITIES = "Head of Communities"
_HR = "Director of Corporate Services (HR)"
_DIGITAL = "Head of Digital"
_SEND_AD = "Assistant Director, Education and SEND"
_SEND_FINANCE = "Finance Business Partner, Families and Communities"

_ROWS: tuple[_Row, ...] = (
    # Children's services: restarting a programme that stalled for 18 months
    _Row("cst-01", "Programme board re-formed and transformation restarted", CHILDREN,
         "safer-supported", None, "children-young-people", "Director of Children's Services",
         -420, None, -410, "Board meets monthly; independent chair appointed."),
    _Row("cst-02", "New operating model for children's social care agreed by Cabinet", CHILDREN,
         "safer-supported", None, "children-young-people", "Director of Children's Services",
         -300, None, -290, "Agreed at Cabinet."),
    _Row("cst-03", "Family support model designed with health and police partners", CHILDREN,
         "safer-supported", "people-helping-people", "children-young-people", _AD_CHILDREN,
         -200, None, -185, "Two weeks late; partner sign-off took longer than planned."),
    _Row("cst-04", "Caseload management tool live for every social work team", CHILDREN,
         "safer-supported", "digital", "children-young-people", _AD_CHILDREN,
         -45, 40, None, "Supplier delay; piloting with two teams in Stafford."),
    _Row("cst-05", "Locality social work teams restructured around district hubs", CHILDREN,
         "safer-supported", "workforce", "children-young-people", _AD_CHILDREN,
         60, 150, None, "Staff consultation extended by three months at the unions' request."),
    _Row("cst-06", "Edge-of-care intensive support service commissioned", CHILDREN,
         "safer-supported", None, "children-young-people", "Head of Commissioning (Children)",
         30, 50, None, "Tender evaluation running three weeks behind."),
    _Row("cst-07", "Agency social worker reduction plan in place", CHILDREN,
         "safer-supported", "workforce", "children-young-people", _AD_CHILDREN,
         90, 85, None, "Recruitment campaign launched."),
    # Delivery hubs: from the Newcastle-under-Lyme and Tamworth pilots to every district
    _Row("hub-00", "Evaluation of the Newcastle-under-Lyme and Tamworth pilot hubs", HUBS,
         "safer-supported", "people-helping-people", "communities-culture", _HEAD_COMMUNITIES,
         -330, None, -320, "Published; recommends roll-out to all districts."),
    _Row("hub-01", "Delivery hub open in Cannock Chase", HUBS,
         "safer-supported", "people-helping-people", "communities-culture", _HEAD_COMMUNITIES,
         -150, None, -160, "Opened early, sharing the district council's offices."),
    _Row("hub-02", "Delivery hub open in Stafford", HUBS,
         "safer-supported", "people-helping-people", "communities-culture", _HEAD_COMMUNITIES,
         -60, None, -55, "Opened in the county buildings."),
    _Row("hub-03", "Delivery hub open in East Staffordshire", HUBS,
         "safer-supported", "people-helping-people", "communities-culture", _HEAD_COMMUNITIES,
         20, 35, None, "Lease signed; fit-out contractor two weeks behind."),
    _Row("hub-04", "Delivery hub open in Lichfield", HUBS,
         "safer-supported", "people-helping-people", "communities-culture", _HEAD_COMMUNITIES,
         75, None, None, "Site agreed with the district council."),
    _Row("hub-05", "Delivery hub open in South Staffordshire", HUBS,
         "safer-supported", "people-helping-people", "communities-culture", _HEAD_COMMUNITIES,
         100, 200, None, "Preferred site withdrawn; looking at the library in Codsall."),
    _Row("hub-06", "Delivery hub open in Staffordshire Moorlands", HUBS,
         "safer-supported", "people-helping-people", "communities-culture", _HEAD_COMMUNITIES,
         180, 170, None, "Co-locating with the Leek health centre."),
    # Workforce strategy: recruit and keep people, social workers above all
    _Row("wf-01", "Workforce strategy 2019-22 approved", WORKFORCE,
         None, "workforce", "leader", _HR,
         -365, None, -365, "Approved by Cabinet."),
    _Row("wf-02", "Social worker recruitment and retention offer launched", WORKFORCE,
         "safer-supported", "workforce", "leader", _HR,
         -20, 25, None, "Market supplement agreed; career pathway awaiting job evaluation."),
    _Row("wf-03", "150 apprenticeships started using the levy", WORKFORCE,
         "jobs-growth", "workforce", "leader", _HR,
         120, None, None, "112 started so far."),
    _Row("wf-04", "Second cohort of the leadership development programme", WORKFORCE,
         None, "workforce", "leader", _HR,
         45, 60, None, "Provider re-procured; start moved by two weeks."),
    # Community First and Digital First quick wins
    _Row("dq-01", "Report a pothole with a photo in the MyStaffs app", QUICK_WINS,
         "jobs-growth", "digital", "highways-transport", _DIGITAL,
         -240, None, -250, "Live; a third of pothole reports now come through the app."),
    _Row("dq-02", "Blue badge renewals online", QUICK_WINS,
         "healthier-independent", "digital", "health-care-wellbeing", _DIGITAL,
         -90, None, -80, "Live."),
    _Row("dq-03", "School admission appeals online", QUICK_WINS,
         "safer-supported", "digital", "education-send", _DIGITAL,
         -10, 15, None, "Waiting on the case management system upgrade."),
    _Row("dq-04", "Community grant applications online", QUICK_WINS,
         "safer-supported", "digital", "communities-culture", _DIGITAL,
         40, 35, None, "In user testing."),
    _Row("cq-01", "Community help points in 20 libraries", QUICK_WINS,
         "safer-supported", "people-helping-people", "communities-culture",
         "Head of Libraries and Arts", 14, 28, None, "14 of 20 volunteer teams trained."),
    _Row("cq-02", "Volunteer matching platform launched with the voluntary sector", QUICK_WINS,
         "safer-supported", "people-helping-people", "communities-culture", _HEAD_COMMUNITIES,
         30, 100, None, "Data sharing agreement still with partners' lawyers."),
    # SEND recovery: bring the high needs budget back into balance and plans back on time
    _Row("send-01", "SEND recovery plan agreed with the Department for Education", SEND,
         "safer-supported", None, "education-send", _SEND_AD,
         -120, None, -120, "Agreed; quarterly monitoring meetings set."),
    _Row("send-02", "Backlog of EHCP needs assessments cleared", SEND,
         "safer-supported", None, "education-send", _SEND_AD,
         20, 110, None, "Educational psychologist vacancies; locum cover sought."),
    _Row("send-03", "High needs deficit management plan submitted", SEND,
         "safer-supported", None, "education-send", _SEND_FINANCE,
         10, 25, None, "Waiting for the schools forum to meet."),
    _Row("send-04", "120 new special school places open", SEND,
         "safer-supported", None, "education-send", _SEND_AD,
         250, None, None, "Both building schemes on site."),
)  # fmt: skip


def demo_tracker(as_of: date) -> pd.DataFrame:
    """The demo programme tracker, with dates set relative to `as_of`."""

    def day(offset: int | None) -> date | None:
        return None if offset is None else as_of + timedelta(days=offset)

    records = [
        {
            "id": row.id,
            "title": row.title,
            "programme": row.programme,
            "priority": row.priority,
            "enabler": row.enabler,
            "portfolio": row.portfolio,
            "owner": row.owner,
            "baseline_date": day(row.baseline),
            "forecast_date": day(row.forecast if row.forecast is not None else row.baseline),
            "completed_date": day(row.completed),
            "status_note": row.note,
        }
        for row in _ROWS
    ]
    return pd.DataFrame.from_records(records, columns=MILESTONE_COLUMNS)
