"""Workflows and application forms as data: the schema of a procedure, its checks, and loading.

A procedure (one JSON file under ``procedures/``) says how applications for some service items
are handled: the workflow (states, the actions allowed in each, which role may take them, a
time limit per state) and the form (typed fields, the materials to upload). ``default.json``
covers every item that can be applied for online and that no other procedure names.

A workflow is checked when it is loaded: every state is reachable from the start, every state
can reach an end, every action leads to a state that exists, and every role named exists. A
procedure that fails a check stops the process from starting (``checks.py`` runs at startup),
so a broken file never reaches a resident.

Each application keeps the definition it started with (``WorkflowSnapshot``): a procedure
edited later changes new applications only.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

PROCEDURES_DIR = Path(__file__).resolve().parent / "procedures"
DEFAULT_PROCEDURE = "default"

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Help = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


class Actor(StrEnum):
    """Who may take an action. Clerks and administrators act for the item's department."""

    APPLICANT = "applicant"
    CLERK = "clerk"
    DEPARTMENT_ADMIN = "department_admin"


class Clock(StrEnum):
    """What the promised time limit does while an application is in a state."""

    RUNNING = "running"
    PAUSED = "paused"  # waiting for the applicant (补正): the clock stops and restarts
    STOPPED = "stopped"  # decided, refused or withdrawn: the application is closed (办结)


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    NOT_ACCEPTED = "not_accepted"
    WITHDRAWN = "withdrawn"


class Input(StrEnum):
    """What an action asks of whoever takes it."""

    REASON = "reason"  # why: shown to the applicant
    LEGAL_BASIS = "legal_basis"  # the article a refusal or rejection rests on
    RESULT = "result"  # what was issued: the licence number, the certificate...
    MATERIALS = "materials"  # the materials asked for (补正) or handed in
    AMOUNT = "amount"  # a fee in yuan


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(_Strict):
    name: Key
    label_zh: Label
    label_en: Label
    to: Key
    roles: list[Actor] = Field(min_length=1)
    requires: list[Input] = Field(default_factory=list)
    # Open only this many calendar days after the state was entered (an appeal window).
    within_days: int | None = Field(default=None, ge=1, le=365)
    # Someone other than whoever brought the application into this state must take it (the
    # second reviewer of 审核 and 审批).
    four_eyes: bool = False
    # How the action looks on the clerk's page: "primary", "danger" or "neutral".
    tone: Annotated[str, StringConstraints(pattern="^(primary|danger|neutral)$")] = "neutral"


class State(_Strict):
    label_zh: Label
    label_en: Label
    # The stage of the national process the state belongs to (申请, 受理, 审查, 决定, 办结).
    stage: Annotated[str, StringConstraints(pattern="^(apply|accept|review|decide|done)$")]
    clock: Clock = Clock.RUNNING
    # Working days the state may take; none: only the overall promise counts.
    limit_days: int | None = Field(default=None, ge=0, le=365)
    outcome: Outcome | None = None
    actions: list[Action] = Field(default_factory=list)

    @model_validator(mode="after")
    def _outcome_when_closed(self) -> State:
        if (self.clock == Clock.STOPPED) != (self.outcome is not None):
            raise ValueError("a state has an outcome exactly when its clock is stopped")
        return self


class Workflow(_Strict):
    start: Key
    states: dict[Key, State] = Field(min_length=2)

    @model_validator(mode="after")
    def _sound(self) -> Workflow:
        problems = workflow_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def state(self, name: str) -> State:
        return self.states[name]

    def action(self, state: str, name: str) -> Action | None:
        return next((a for a in self.states[state].actions if a.name == name), None)


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    MONEY = "money"  # yuan with up to two decimals
    DATE = "date"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    PHONE = "phone"


class Choice(_Strict):
    value: Key
    label_zh: Label
    label_en: Label


class FormField(_Strict):
    name: Key
    type: FieldType
    label_zh: Label
    label_en: Label
    help_zh: Help = ""
    help_en: Help = ""
    required: bool = True
    max_length: int = Field(default=200, ge=1, le=2000)
    minimum: float | None = None
    maximum: float | None = None
    choices: list[Choice] = Field(default_factory=list)
    # Personal data (an address, a phone): masked for clerks until revealed with a purpose.
    personal: bool = False

    @model_validator(mode="after")
    def _choices_for_choice(self) -> FormField:
        if (self.type == FieldType.CHOICE) != bool(self.choices):
            raise ValueError(f"field {self.name}: choices are given exactly for a choice field")
        return self


class Upload(_Strict):
    """A material the form asks for; `name_zh` should match the item's guide."""

    key: Key
    name_zh: Label
    name_en: Label
    required: bool = True
    # Content types accepted; each is checked against the file's bytes, not its name.
    types: list[Annotated[str, StringConstraints(pattern="^(pdf|jpeg|png)$")]] = Field(
        default_factory=lambda: ["pdf", "jpeg", "png"], min_length=1
    )
    max_mb: int = Field(default=10, ge=1, le=50)
    max_files: int = Field(default=3, ge=1, le=10)


class Prefill(StrEnum):
    """What the form takes from the verified account instead of asking again."""

    NAME = "name"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    ENTERPRISE = "enterprise"


class Form(_Strict):
    prefill: list[Prefill] = Field(default_factory=lambda: [Prefill.NAME, Prefill.ID_NUMBER])
    fields: list[FormField] = Field(default_factory=list, max_length=40)
    uploads: list[Upload] = Field(default_factory=list, max_length=20)
    # Applying needs a real-name verified account (all but the lightest items).
    real_name: bool = True

    @model_validator(mode="after")
    def _unique_names(self) -> Form:
        names = [f.name for f in self.fields] + [u.key for u in self.uploads]
        if len(names) != len(set(names)):
            raise ValueError("field and upload names must be unique within a form")
        return self


class Procedure(_Strict):
    name: Key
    title_zh: Label
    title_en: Label
    # The items it applies to by code; the default procedure lists none and takes the rest.
    items: list[str] = Field(default_factory=list)
    # Working days promised overall; none: the item's promised limit from the catalogue.
    promised_limit_days: int | None = Field(default=None, ge=0, le=365)
    workflow: Workflow
    form: Form = Field(default_factory=Form)

    @cached_property
    def digest(self) -> str:
        return workflow_digest(self)


def workflow_problems(workflow: Workflow) -> list[str]:
    """Why a workflow cannot be used (empty when it can)."""
    problems: list[str] = []
    states = workflow.states
    if workflow.start not in states:
        return [f"the start state {workflow.start!r} does not exist"]
    if states[workflow.start].clock == Clock.STOPPED:
        problems.append("the start state cannot be closed")
    for name, state in states.items():
        seen: set[str] = set()
        for action in state.actions:
            if action.name in seen:
                problems.append(f"state {name!r} has two actions named {action.name!r}")
            seen.add(action.name)
            if action.to not in states:
                problems.append(f"action {name}.{action.name} leads to unknown state {action.to!r}")
        if state.clock != Clock.STOPPED and not state.actions:
            problems.append(f"open state {name!r} has no way out")
        if state.clock == Clock.PAUSED and not any(
            Actor.APPLICANT in a.roles and a.to in states and states[a.to].clock == Clock.RUNNING
            for a in state.actions
        ):
            # Only the applicant's answer may end a pause (补正): a pause staff could end at
            # will would stop the promised clock at will.
            problems.append(
                f"paused state {name!r} waits for the applicant, who cannot answer in it"
            )
        if state.clock == Clock.PAUSED and any(
            Actor.APPLICANT not in a.roles and states.get(a.to, state).clock == Clock.RUNNING
            for a in state.actions
        ):
            problems.append(f"paused state {name!r} can be resumed by staff")
    if problems:
        return problems
    reachable = _reachable(workflow, workflow.start)
    for name in states:
        if name not in reachable:
            problems.append(f"state {name!r} cannot be reached from {workflow.start!r}")
    for name in states:
        if not any(states[s].clock == Clock.STOPPED for s in _reachable(workflow, name)):
            problems.append(f"state {name!r} can never reach a closed state")
    if not any(s.outcome == Outcome.APPROVED for s in states.values()):
        problems.append("no state approves the application")
    return problems


def _reachable(workflow: Workflow, start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for action in workflow.states[queue.popleft()].actions:
            if action.to not in seen:
                seen.add(action.to)
                queue.append(action.to)
    return seen


def workflow_digest(procedure: Procedure) -> str:
    """A digest of what a procedure says, so that an application can keep the version it used."""
    text = json.dumps(procedure.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class ProcedureError(ValueError):
    """A procedure file that cannot be used; the text names the file and the problem."""


def procedure_parse(text: str, *, source: str) -> Procedure:
    try:
        data: Any = json.loads(text)
        return Procedure.model_validate(data)
    except (ValueError, TypeError) as error:
        raise ProcedureError(f"{source}: {error}") from error


@cache
def procedures() -> dict[str, Procedure]:
    """Every procedure under PROCEDURES_DIR by name; raises ProcedureError on the first bad one."""
    found: dict[str, Procedure] = {}
    owners: dict[str, str] = {}
    for path in sorted(PROCEDURES_DIR.glob("*.json")):
        procedure = procedure_parse(path.read_text(encoding="utf-8"), source=path.name)
        if procedure.name != path.stem:
            raise ProcedureError(f"{path.name}: its name must be {path.stem!r}")
        for code in procedure.items:
            if code in owners:
                raise ProcedureError(f"{path.name}: item {code} is already in {owners[code]}")
            owners[code] = path.name
        found[procedure.name] = procedure
    if DEFAULT_PROCEDURE not in found:
        raise ProcedureError(f"{DEFAULT_PROCEDURE}.json is missing")
    if found[DEFAULT_PROCEDURE].items:
        raise ProcedureError(f"{DEFAULT_PROCEDURE}.json must not list items")
    return found


@cache
def _by_item() -> dict[str, str]:
    return {code: p.name for p in procedures().values() for code in p.items}


def procedure_for(code: str) -> Procedure:
    """The procedure that handles applications for the item with this code."""
    return procedures()[_by_item().get(code, DEFAULT_PROCEDURE)]
