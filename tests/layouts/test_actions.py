"""The actions page's flag-update callback: refused for a councillor, recorded for an officer."""

from __future__ import annotations

import dash
import sqlalchemy as sa

from tests.fixtures.warehouse import CASELOAD
from tests.layouts.conftest import engine_of, page, plain, text_of, viewing
from warehouse.flags import read_flag_events, read_flags


def off_target_flag(engine: sa.Engine) -> int:
    """The id of the caseload's off-target flag, which the engine raised on the fixtures."""
    found = read_flags(engine, rules=["off_target"])
    return int(found.loc[found["subject_id"] == CASELOAD, "id"].iloc[0])


def acknowledge(app: dash.Dash, role: str, flag_id: int) -> tuple[object, object]:
    """Press Save on the flag's panel with the step 'acknowledged', as `role`."""
    with viewing(app, role):
        assert "Children's social worker average caseload" in text_of(page("actions").layout())
        status, panel = plain(page("actions").save_step)(
            1, flag_id, "Someone Else", "acknowledged", None, None, None, None
        )
        return status, text_of(panel) if panel is not dash.no_update else panel


def test_a_councillor_may_read_the_register_but_not_move_a_flag(
    writable_app: dash.Dash,
) -> None:
    engine = engine_of(writable_app)
    flag_id = off_target_flag(engine)
    status, panel = acknowledge(writable_app, "member", flag_id)
    assert isinstance(status, str) and status.startswith("Not saved: Sign in as ")
    assert panel is dash.no_update
    flag = read_flags(engine).set_index("id").loc[flag_id]
    assert flag["status"] == "open"


def test_an_officer_moves_a_flag_on_in_their_own_name(writable_app: dash.Dash) -> None:
    engine = engine_of(writable_app)
    flag_id = off_target_flag(engine)
    status, panel = acknowledge(writable_app, "officer", flag_id)
    assert status is dash.no_update
    assert "Saved: Acknowledged." in str(panel)
    assert read_flags(engine).set_index("id").loc[flag_id, "status"] == "acknowledged"
    events = read_flag_events(engine)
    step = events[(events["flag_id"] == flag_id) & (events["kind"] != "raised")]
    # The signed-in officer's name is recorded, whatever the form said
    assert step["actor"].tolist() == ["Jo Bloggs"]
