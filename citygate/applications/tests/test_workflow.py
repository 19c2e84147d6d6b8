"""Procedures load, and a workflow that cannot work is refused with the reason."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from citygate.applications import workflow
from citygate.applications.checks import procedures_sound
from citygate.applications.workflow import (
    PROCEDURES_DIR,
    Actor,
    Clock,
    ProcedureError,
    procedure_for,
    procedure_parse,
    procedures,
)


def default_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PROCEDURES_DIR / "default.json").read_text("utf-8"))
    return data


def parse(data: dict[str, Any]) -> workflow.Procedure:
    return procedure_parse(json.dumps(data, ensure_ascii=False), source="test.json")


def test_every_procedure_file_loads_and_the_startup_check_passes() -> None:
    loaded = procedures()
    assert {"default", "inspection", "two_level", "fee"} <= set(loaded)
    assert procedures_sound() == []


def test_items_named_by_a_procedure_get_it_and_the_rest_get_the_default() -> None:
    assert procedure_for("SZ-MZ-0002").name == "two_level"
    assert procedure_for("SZ-SJ-0003").name == "inspection"
    assert procedure_for("SZ-GA-0014").name == "fee"
    assert procedure_for("SZ-GA-0005").name == "default"


@pytest.mark.parametrize("name", ["default", "inspection", "two_level", "fee"])
def test_every_procedure_follows_the_national_stages_and_can_approve_and_refuse(name: str) -> None:
    states = procedures()[name].workflow.states
    stages = {state.stage for state in states.values()}
    assert {"accept", "review", "decide", "done"} <= stages
    outcomes = {state.outcome for state in states.values() if state.clock == Clock.STOPPED}
    assert {"approved", "rejected", "not_accepted", "withdrawn"} <= {str(o) for o in outcomes}
    # 补正 pauses the clock and only the applicant can answer it
    paused = [s for s in states.values() if s.clock == Clock.PAUSED]
    assert paused
    for state in paused:
        assert any(Actor.APPLICANT in action.roles for action in state.actions)


def test_an_unreachable_state_is_refused() -> None:
    data = default_data()
    data["workflow"]["states"]["orphan"] = {
        "label_zh": "孤立",
        "label_en": "Orphan",
        "stage": "review",
        "actions": [
            {"name": "go", "label_zh": "去", "label_en": "Go", "to": "done", "roles": ["clerk"]}
        ],
    }
    with pytest.raises(ProcedureError, match="'orphan' cannot be reached"):
        parse(data)


def test_an_action_to_a_missing_state_is_refused() -> None:
    data = default_data()
    data["workflow"]["states"]["submitted"]["actions"][0]["to"] = "nowhere"
    with pytest.raises(ProcedureError, match="unknown state 'nowhere'"):
        parse(data)


def test_a_role_that_does_not_exist_is_refused() -> None:
    data = default_data()
    data["workflow"]["states"]["submitted"]["actions"][0]["roles"] = ["mayor"]
    with pytest.raises(ProcedureError, match="roles"):
        parse(data)


def test_a_state_with_no_way_to_an_end_is_refused() -> None:
    data = default_data()
    states = data["workflow"]["states"]
    states["loop_a"] = {
        "label_zh": "甲",
        "label_en": "A",
        "stage": "review",
        "actions": [
            {"name": "to_b", "label_zh": "乙", "label_en": "B", "to": "loop_b", "roles": ["clerk"]}
        ],
    }
    states["loop_b"] = {
        "label_zh": "乙",
        "label_en": "B",
        "stage": "review",
        "actions": [
            {"name": "to_a", "label_zh": "甲", "label_en": "A", "to": "loop_a", "roles": ["clerk"]}
        ],
    }
    states["review"]["actions"].append(
        {"name": "loop", "label_zh": "循环", "label_en": "Loop", "to": "loop_a", "roles": ["clerk"]}
    )
    with pytest.raises(ProcedureError, match="'loop_a' can never reach a closed state"):
        parse(data)


def test_a_pause_the_applicant_cannot_answer_is_refused() -> None:
    data = default_data()
    states = data["workflow"]["states"]
    states["supplement"]["actions"] = [
        {
            "name": "resume",
            "label_zh": "继续",
            "label_en": "Resume",
            "to": "review",
            "roles": ["clerk"],
        }
    ]
    with pytest.raises(ProcedureError, match="waits for the applicant"):
        parse(data)


def test_a_closed_state_needs_an_outcome_and_an_open_one_must_not_have_one() -> None:
    data = default_data()
    del data["workflow"]["states"]["done"]["outcome"]
    with pytest.raises(ProcedureError, match="outcome"):
        parse(data)


def test_a_misspelt_key_is_refused_rather_than_ignored() -> None:
    data = default_data()
    data["workflow"]["states"]["submitted"]["limit_dayz"] = 3
    with pytest.raises(ProcedureError, match="limit_dayz"):
        parse(data)


def test_two_procedures_claiming_one_item_stop_the_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in PROCEDURES_DIR.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    fee = json.loads((tmp_path / "fee.json").read_text("utf-8"))
    fee["items"].append("SZ-MZ-0002")  # already in two_level.json
    (tmp_path / "fee.json").write_text(json.dumps(fee, ensure_ascii=False), "utf-8")
    monkeypatch.setattr(workflow, "PROCEDURES_DIR", tmp_path)
    workflow.procedures.cache_clear()
    try:
        with pytest.raises(ProcedureError, match="SZ-MZ-0002 is already in"):
            workflow.procedures()
        assert procedures_sound()[0].id == "applications.E001"
    finally:
        monkeypatch.undo()
        workflow.procedures.cache_clear()
        workflow._by_item.cache_clear()


def test_a_form_field_of_choice_type_needs_choices() -> None:
    data = copy.deepcopy(default_data())
    data["form"]["fields"].append(
        {"name": "kind", "type": "choice", "label_zh": "类别", "label_en": "Kind"}
    )
    with pytest.raises(ProcedureError, match="choices"):
        parse(data)


def test_the_digest_changes_with_the_definition() -> None:
    first = parse(default_data())
    data = default_data()
    data["workflow"]["states"]["submitted"]["limit_days"] = 3
    assert parse(data).digest != first.digest
    assert parse(default_data()).digest == first.digest


def test_a_pause_staff_could_end_is_refused() -> None:
    data = default_data()
    states = data["workflow"]["states"]
    states["supplement"]["actions"].append(
        {
            "name": "resume",
            "label_zh": "继续",
            "label_en": "Resume",
            "to": "review",
            "roles": ["clerk"],
        }
    )
    with pytest.raises(ProcedureError, match="can be resumed by staff"):
        parse(data)
