"""Throughput of applying and of the clerk's workbench, each beside a bare statement.

On PostgreSQL (127.0.0.1:5432, user postgres, trust auth) in a database of its own that it
drops and creates again, or with --sqlite on the usual file under var/bench/. For each size:

- fill: applications of the demo catalogue's items of four departments, from 200 real-name
  verified residents (every fourth the legal representative of an enterprise, which applies
  for the items that serve enterprises only), made with bulk_create as the service would
  have left them (numbers of the day, the workflow's snapshot, due and warning days from the
  working-day calendar, encrypted answers): most closed, the rest open in every queue (new,
  due soon, late, waiting for the applicant, taken by the clerk);
- the workbench read of one page, as a clerk of the public security bureau: the queue counts,
  the first 50 rows of a queue (each of the seven in turn) with their state labels and their
  rows as the API shapes them, against a bare indexed select of 50 rows of the same table;
- submissions through services.application_submit, materials uploaded beforehand (outside the
  timing), with the task queue production uses (the deadline checks are deferred tasks),
  against bare INSERTs of rows of similar width into a plain table with an index on two
  columns, one per transaction;
- the database queries of one workbench read, which must be the same at every size (the
  program exits 1 when they are not), and at the largest size the plans of its queries.

    .venv/bin/python bench/applications.py                 # sizes 1000,10000,100000
    .venv/bin/python bench/applications.py --sqlite        # the same on SQLite
    .venv/bin/python bench/applications.py --quick --sqlite  # sizes 1000,5000, short (CI)
    .venv/bin/python bench/applications.py --sizes 1000,10000,100000 --json var/bench/a.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH_DIR,
    database_choose,
    database_describe,
    demo_catalogue_load,
    django_setup,
    summary_ms,
)

if TYPE_CHECKING:
    from citygate.accounts.models import Enterprise, User
    from citygate.applications.models import Application, WorkflowSnapshot
    from citygate.applications.workflow import Procedure
    from citygate.catalog.models import ServiceItem

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/citygate_bench_applications"
# The clerk's department first: its items are a third of the applications.
DEPARTMENTS = ("public-security", "civil-affairs", "market-regulation", "human-resources")
CLERK_DEPARTMENT = DEPARTMENTS[0]
PAGE_ROWS = 50
# Share of the filled applications still open; of those, the share waiting for the applicant
# and the share not yet accepted (the "new" queue).
OPEN_SHARE = 0.12
WAITING_SHARE = 0.25
NEW_SHARE = 0.3
OUTCOMES = (("approved", 0.8), ("rejected", 0.06), ("not_accepted", 0.06), ("withdrawn", 0.08))
BARE_TABLE = "bench_bare_insert"
SEED = 20261203
# Fictional people: the 199 9998 range belongs to nobody; ID numbers of Gusu district.
PHONE_PREFIX = "1999998"
NAMES = ("林晓梅", "赵一", "王芳", "陈建华", "周静", "吴海涛", "孙丽", "欧阳娜娜", "钱伟", "郑敏")


@dataclass(frozen=True)
class Sizes:
    sizes: list[int]
    residents: int
    submissions: int
    reads: int
    rounds: int


@dataclass
class Plan:
    """One item as the fill and the submissions use it."""

    item: ServiceItem
    procedure: Procedure
    snapshot: WorkflowSnapshot
    limit: int
    start: str
    running: tuple[str, ...]
    paused: tuple[str, ...]
    closed: dict[str, str]
    answers: dict[str, Any]
    uploads: tuple[str, ...]
    # Served to enterprises only: applied for by a legal representative, for the enterprise.
    for_enterprise: bool


@dataclass
class World:
    clerk: User
    other_clerk: User
    residents: list[User]
    enterprises: list[Enterprise]
    plans: list[Plan]
    clerk_department_id: int
    today: date
    numbers: Counter[date] = field(default_factory=Counter)
    deadlines: dict[tuple[date, int], tuple[date, date]] = field(default_factory=dict)
    step_dues: dict[tuple[str, str, date], date | None] = field(default_factory=dict)


# --- The database ---------------------------------------------------------------------------


def table_analyse() -> None:
    """What autovacuum would have done to a table in service: statistics, visibility map."""
    from django.db import connection

    from citygate.applications.models import Application

    table = connection.ops.quote_name(Application._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute(f"ANALYZE {table}")


# --- Setup ------------------------------------------------------------------------------------


def id_number(number: int) -> str:
    from citygate.accounts.validators import id_check_char

    born = date(1960, 1, 1) + timedelta(days=number * 37 % 15000)
    first17 = f"320508{born:%Y%m%d}{number % 1000:03d}"
    return first17 + id_check_char(first17)


def residents_make(count: int) -> list[User]:
    from django.utils import timezone

    from citygate.accounts.models import User, VerificationLevel
    from citygate.privacy.services import consent_grant

    made = []
    for number in range(count):
        user = User.objects.create_user(
            phone=f"{PHONE_PREFIX}{number:04d}", name=NAMES[number % len(NAMES)]
        )
        user.id_number = id_number(number)
        user.verification_level = VerificationLevel.REAL_NAME
        user.verified_at = timezone.now()
        user.save()
        consent_grant(user=user, kinds=["terms", "privacy"], channel="app")
        made.append(user)
    return made


def enterprises_make(residents: list[User]) -> list[Enterprise]:
    """An enterprise for every fourth resident, who is its legal representative."""
    from django.utils import timezone

    from citygate.accounts.models import Enterprise
    from citygate.accounts.validators import credit_check_char, organisation_check_char

    made = []
    for number, resident in enumerate(residents[::4]):
        body = f"{70000000 + number:08d}"
        first17 = f"91320508{body}{organisation_check_char(body)}"
        made.append(
            Enterprise.objects.create(
                credit_code=first17 + credit_check_char(first17),
                name=f"苏州示例商贸有限公司{number:03d}",
                legal_rep=resident,
                verified_at=timezone.now(),
            )
        )
    return made


def staff_make(login_name: str, department: str) -> User:
    from citygate.accounts.models import StaffRole, User
    from citygate.accounts.roles import Role
    from citygate.directory.models import Department

    user = User.objects.create_user(login_name=login_name, name="王建国")
    StaffRole.objects.create(
        user=user, role=Role.CLERK, department=Department.objects.get(code=department)
    )
    return user


def sample_answer(spec: Any, today: date) -> Any:
    samples = {
        "text": "苏州市姑苏区人民路100号",
        "textarea": "说明",
        "integer": 3,
        "money": "2500.00",
        "date": (today + timedelta(days=10)).isoformat(),
        "boolean": True,
        "phone": "19999990499",
    }
    if spec.type == "choice":
        return spec.choices[0].value
    return samples[str(spec.type)]


def plans_make(today: date) -> list[Plan]:
    """Every item of the four departments that can be applied for online."""
    from citygate.applications import services
    from citygate.applications.workflow import Clock, procedure_for
    from citygate.catalog.content import Audience
    from citygate.catalog.models import ItemStatus, ServiceItem

    items = (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, department__code__in=DEPARTMENTS)
        .select_related("department", "published_revision")
        .order_by("code")
    )
    plans = []
    for item in items:
        if not item.guide.can_apply_online:
            continue
        procedure = procedure_for(item.code)
        form = services.form_of(item)
        states = procedure.workflow.states
        start = procedure.workflow.start
        plans.append(
            Plan(
                item=item,
                procedure=procedure,
                snapshot=services._snapshot_for(procedure),
                limit=services.promised_limit_days(procedure, item),
                start=start,
                running=tuple(
                    n for n, s in states.items() if s.clock == Clock.RUNNING and n != start
                ),
                paused=tuple(n for n, s in states.items() if s.clock == Clock.PAUSED),
                closed={
                    s.outcome.value: n
                    for n, s in states.items()
                    if s.clock == Clock.STOPPED and s.outcome is not None
                },
                answers={
                    spec.name: sample_answer(spec, today) for spec in form.fields if spec.required
                },
                uploads=tuple(u.key for u in form.uploads if u.required),
                for_enterprise=set(item.guide.audience) == {Audience.ENTERPRISE},
            )
        )
    return plans


def world_make(residents: int) -> World:
    from django.utils import timezone

    from citygate.directory.models import Department

    today = timezone.localdate()
    people = residents_make(residents)
    return World(
        clerk=staff_make("bench.clerk", CLERK_DEPARTMENT),
        other_clerk=staff_make("bench.clerk2", CLERK_DEPARTMENT),
        residents=people,
        enterprises=enterprises_make(people),
        plans=plans_make(today),
        clerk_department_id=Department.objects.get(code=CLERK_DEPARTMENT).pk,
        today=today,
    )


# --- Fill ---------------------------------------------------------------------------------------


def deadlines(world: World, start: date, limit: int) -> tuple[date, date]:
    from citygate.applications import services

    key = (start, limit)
    if key not in world.deadlines:
        world.deadlines[key] = services._deadlines(start, limit, 0)[:2]
    return world.deadlines[key]


def step_due(world: World, plan: Plan, state: str, day: date) -> date | None:
    from citygate.applications import services

    key = (plan.procedure.name, state, day)
    if key not in world.step_dues:
        world.step_dues[key] = services._step_due(plan.procedure, state, day)
    return world.step_dues[key]


def at(day: date, rng: random.Random, now: datetime) -> datetime:
    from django.utils import timezone

    moment = datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(8, 20),
        rng.randint(0, 59),
        tzinfo=timezone.get_default_timezone(),
    )
    return min(moment, now)


def weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    draw = rng.random()
    for value, share in choices:
        draw -= share
        if draw < 0:
            return value
    return choices[-1][0]


def applicant_draw(world: World, plan: Plan, rng: random.Random) -> tuple[User, Enterprise | None]:
    """A resident; for an item of enterprises, a legal representative and the enterprise."""
    if plan.for_enterprise:
        enterprise = rng.choice(world.enterprises)
        return enterprise.legal_rep, enterprise
    return rng.choice(world.residents), None


def application_row(world: World, number: int, rng: random.Random, now: datetime) -> Application:
    """One application as the service and the clerks would have left it."""
    from citygate.applications.models import Application, Phase

    plan = rng.choice(world.plans)
    applicant, enterprise = applicant_draw(world, plan, rng)
    ours = plan.item.department_id == world.clerk_department_id
    today = world.today
    state_entered: date
    assignee: User | None = None
    late = False
    warned_at = escalated_at = closed_at = None
    paused_since = step_due_on = None
    handling_days = None
    outcome = ""
    if rng.random() < OPEN_SHARE:
        kind = weighted(rng, (("waiting", WAITING_SHARE), ("new", NEW_SHARE), ("running", 1.0)))
        # Calendar days since submission: new ones are a day or two old, those in progress
        # mostly within their promise (a few past it: the late queue), those waiting for the
        # applicant older.
        mean = {"new": 1.5, "running": 0.7 * plan.limit + 1, "waiting": max(plan.limit, 3)}[kind]
        ago = min(int(rng.expovariate(1 / mean)), 120)
        start = today - timedelta(days=ago)
        due, warn = deadlines(world, start, plan.limit)
        state_entered = start if kind == "new" else start + timedelta(days=rng.randint(0, ago))
        if kind == "new":
            state, phase = plan.start, Phase.RUNNING
        elif kind == "waiting":
            state, phase = rng.choice(plan.paused), Phase.PAUSED
            paused_since = state_entered
        else:
            state, phase = rng.choice(plan.running), Phase.RUNNING
        if phase == Phase.RUNNING:
            step_due_on = step_due(world, plan, state, state_entered)
            if warn <= today:
                warned_at = at(warn, rng, now)
            if due < today:
                late = True
                escalated_at = at(due + timedelta(days=1), rng, now)
        if kind != "new" and ours:
            pick = rng.random()
            assignee = world.clerk if pick < 0.4 else world.other_clerk if pick < 0.7 else None
        submitted_at = at(start, rng, now)
        updated_at = at(state_entered, rng, now)
    else:
        start = today - timedelta(days=rng.randint(1, 365))
        due, warn = deadlines(world, start, plan.limit)
        outcome = weighted(rng, OUTCOMES)
        state, phase = plan.closed[outcome], Phase.STOPPED
        handling_days = max(0, round(plan.limit * rng.uniform(0.2, 1.15)))
        closed_day = min(today, start + timedelta(days=handling_days * 7 // 5))
        state_entered = closed_day
        late = closed_day > due
        submitted_at = at(start, rng, now)
        closed_at = max(submitted_at, at(closed_day, rng, now))
        updated_at = closed_at
        if ours and outcome != "withdrawn":
            assignee = world.clerk if rng.random() < 0.5 else world.other_clerk
    world.numbers[start] += 1
    stage = plan.procedure.workflow.state(state).stage
    verified = {"name": applicant.name, "id_number": applicant.id_number}
    if enterprise is not None:
        verified |= {"enterprise": enterprise.name, "credit_code": enterprise.credit_code}
    answers = {"fields": plan.answers, "verified": verified}
    return Application(
        number=f"SQ{start:%Y%m%d}{world.numbers[start]:06d}",
        item=plan.item,
        department_id=plan.item.department_id,
        applicant=applicant,
        enterprise=enterprise,
        workflow=plan.snapshot,
        state=state,
        stage=stage,
        phase=phase,
        outcome=outcome,
        answers=json.dumps(answers, ensure_ascii=False),
        idempotency_key=f"fill-{number}",
        request_digest=hashlib.sha256(f"fill-{number}".encode()).hexdigest(),
        submitted_at=submitted_at,
        clock_started_on=start,
        limit_days=plan.limit,
        paused_since=paused_since,
        due_on=due,
        warn_on=warn,
        step_due_on=step_due_on,
        state_entered_at=max(submitted_at, at(state_entered, rng, now)),
        warned_at=warned_at,
        escalated_at=escalated_at,
        late=late,
        closed_at=closed_at,
        handling_days=handling_days,
        assignee=assignee,
        updated_at=max(submitted_at, updated_at),
    )


def fill(world: World, total: int, rng: random.Random) -> int:
    """Adds applications until there are `total`; keeps the day counters the service reads."""
    from django.utils import timezone

    from citygate.applications.models import Application, DailyCounter

    now = timezone.now()
    world.numbers = Counter(dict(DailyCounter.objects.values_list("day", "last")))
    present = Application.objects.count()
    batch: list[Application] = []
    for number in range(present, total):
        batch.append(application_row(world, number, rng, now))
        if len(batch) == 2000:
            Application.objects.bulk_create(batch)
            batch = []
    Application.objects.bulk_create(batch)
    DailyCounter.objects.bulk_create(
        [DailyCounter(day=day, last=last) for day, last in world.numbers.items()],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["last"],
    )
    table_analyse()
    return Application.objects.count()


# --- The workbench read -----------------------------------------------------------------------


def workbench_read(user: User, queue: str, today: date) -> int:
    """What the workbench page reads: the counts, one page of a queue with its state labels,
    each row as the API shapes it (the applicant's name masked)."""
    from citygate.applications import api, selectors

    counts = selectors.queue_counts(user=user, today=today)
    found = selectors.staff_queue(user=user, queue=queue, today=today)
    rows = selectors.queue_rows(found, list(found.values_list("pk", flat=True)[:PAGE_ROWS]))
    labels = api.state_labels_for(rows)
    shown = [api.staff_row(a, labels[(a.workflow_id, a.state)]) for a in rows]
    return len(shown) + counts["open"]


def bare_select(department_id: int) -> int:
    """Fifty rows of one department's running applications by due day: one index range."""
    from django.db import connection

    from citygate.applications.models import Application, Phase

    table = connection.ops.quote_name(Application._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, number, state, due_on FROM {table} "  # noqa: S608 - our table name
            "WHERE department_id = %s AND phase = %s ORDER BY due_on LIMIT %s",
            [department_id, Phase.RUNNING, PAGE_ROWS],
        )
        return len(cursor.fetchall())


def queries_of(run: Callable[[], object]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return [str(query["sql"]) for query in captured.captured_queries]


def queue_sizes(world: World) -> dict[str, int]:
    from citygate.applications import selectors

    counts = selectors.queue_counts(user=world.clerk, today=world.today)
    counts["closed"] = selectors.staff_queue(
        user=world.clerk, queue=selectors.Queue.CLOSED, today=world.today
    ).count()
    return counts


def reads_measure(world: World, config: Sizes) -> dict[str, Any]:
    from citygate.applications.selectors import Queue

    for queue in Queue.ALL:  # warm: the procedures' parse, the connection
        workbench_read(world.clerk, queue, world.today)
    bare_select(world.clerk_department_id)
    reads: list[float] = []
    by_queue: dict[str, list[float]] = {queue: [] for queue in Queue.ALL}
    selects: list[float] = []
    per_round = max(1, config.reads // config.rounds)
    # The read and the baseline alternate in rounds, so that a slow moment of the machine
    # lands on both alike.
    for _round in range(config.rounds):
        for _number in range(per_round):
            started = time.perf_counter()
            bare_select(world.clerk_department_id)
            selects.append(time.perf_counter() - started)
        for number in range(per_round):
            queue = Queue.ALL[number % len(Queue.ALL)]
            started = time.perf_counter()
            workbench_read(world.clerk, queue, world.today)
            took = time.perf_counter() - started
            reads.append(took)
            by_queue[queue].append(took)
    return {
        "read": summary_ms(reads),
        "read_per_s": round(len(reads) / sum(reads), 1),
        "select": summary_ms(selects),
        "select_per_s": round(len(selects) / sum(selects), 1),
        "ratio": round((len(reads) / sum(reads)) / (len(selects) / sum(selects)), 3),
        "by_queue_p50_ms": {q: summary_ms(t)["p50_ms"] for q, t in by_queue.items()},
        "queries": {
            queue: len(queries_of(partial(workbench_read, world.clerk, queue, world.today)))
            for queue in Queue.ALL
        },
    }


# --- Submissions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    applicant: User
    enterprise: Enterprise | None
    plan: Plan
    material_ids: list[uuid.UUID]


def prepare(
    world: World, count: int, rng: random.Random, plan: Plan | None = None
) -> list[Prepared]:
    """The applicants' materials, uploaded before the timing (one small PDF per slot)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from citygate.applications import services

    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    prepared = []
    for _number in range(count):
        chosen = plan or rng.choice(world.plans)
        applicant, enterprise = applicant_draw(world, chosen, rng)
        materials = [
            services.material_upload(
                owner=applicant,
                upload=SimpleUploadedFile("scan.pdf", pdf, content_type="application/pdf"),
                item_code=chosen.item.code,
                key=key,
            )
            for key in chosen.uploads
        ]
        prepared.append(Prepared(applicant, enterprise, chosen, [m.pk for m in materials]))
    return prepared


def submit(one: Prepared) -> None:
    from citygate.applications import services

    submission = services.application_submit(
        applicant=one.applicant,
        item_code=one.plan.item.code,
        answers=one.plan.answers,
        material_ids=one.material_ids,
        idempotency_key=str(uuid.uuid4()),
        enterprise_id=one.enterprise.pk if one.enterprise else None,
    )
    assert submission.created


class BareInserts:
    """Rows of about an application's width into a plain table, one per transaction.

    A real table, not a temporary one: PostgreSQL writes no WAL for temporary tables, so their
    commits wait for no disk, and the baseline would be cheaper than any real insert.
    """

    def __init__(self, world: World) -> None:
        from django.db import connection

        from citygate.privacy import crypto

        self.postgres = connection.vendor == "postgresql"
        self.department_id = world.clerk_department_id
        plan = world.plans[0]
        # As long as an application's stored answers; encrypted once, not on each insert.
        self.answers = crypto.encrypt(
            json.dumps({"fields": plan.answers, "verified": {"name": "林晓梅"}}),
            context="bench.bare.answers",
        )
        id_type = "uuid" if self.postgres else "char(32)"
        stamp = "timestamptz" if self.postgres else "datetime"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
            cursor.execute(
                f"CREATE TABLE {BARE_TABLE} (id {id_type} PRIMARY KEY, number varchar(20) NOT "
                "NULL, department_id bigint NOT NULL, phase varchar(8) NOT NULL, state "
                f"varchar(40) NOT NULL, answers text NOT NULL, submitted_at {stamp} NOT NULL, "
                "due_on date NOT NULL)"
            )
            cursor.execute(
                f"CREATE INDEX {BARE_TABLE}_queue ON {BARE_TABLE} (department_id, due_on)"
            )
        self.count = 0

    def insert(self) -> None:
        from django.db import connection
        from django.utils import timezone

        self.count += 1
        key = uuid.uuid4()
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {BARE_TABLE} (id, number, department_id, phase, state, "  # noqa: S608
                "answers, submitted_at, due_on) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    key if self.postgres else key.hex,
                    f"BARE{self.count:016d}",
                    self.department_id,
                    "running",
                    "submitted",
                    self.answers,
                    connection.ops.adapt_datetimefield_value(now),
                    connection.ops.adapt_datefield_value(now.date() + timedelta(days=7)),
                ],
            )


@contextmanager
def production_tasks() -> Iterator[None]:
    """The database task queue production uses: a submission defers its deadline checks."""
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield


def submissions_measure(world: World, config: Sizes, rng: random.Random) -> dict[str, Any]:
    # Its queries depend on the item (a limit of 0 days reads no calendar), so they are
    # counted on the same item at every size: the first of the clerk's with a limit.
    counted = next(
        p
        for p in world.plans
        if p.item.department_id == world.clerk_department_id and p.limit and p.uploads
    )
    warm = prepare(world, 3, rng, counted)
    bare = BareInserts(world)
    with production_tasks():
        for one in warm[:2]:
            submit(one)
        bare.insert()
        submit_queries = len(queries_of(lambda: submit(warm[2])))
        submits: list[float] = []
        inserts: list[float] = []
        per_round = max(1, config.submissions // config.rounds)
        for _round in range(config.rounds):
            prepared = prepare(world, per_round, rng)
            for _number in range(per_round):
                started = time.perf_counter()
                bare.insert()
                inserts.append(time.perf_counter() - started)
            for one in prepared:
                started = time.perf_counter()
                submit(one)
                submits.append(time.perf_counter() - started)
    submit_rate = len(submits) / sum(submits)
    insert_rate = len(inserts) / sum(inserts)
    return {
        "submit": summary_ms(submits),
        "submit_per_s": round(submit_rate, 1),
        "insert": summary_ms(inserts),
        "insert_per_s": round(insert_rate, 1),
        "ratio": round(submit_rate / insert_rate, 3),
        "queries": submit_queries,
    }


# --- Plans ------------------------------------------------------------------------------------


def plan_lines(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql)
            return [str(row[0]) for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [str(row[-1]) for row in cursor.fetchall()]


def query_name(sql: str, queue: str) -> str:
    from citygate.applications.models import Application, WorkflowSnapshot

    if "COUNT(" in sql:
        return "counts"
    if f'"{Application._meta.db_table}"' in sql.split(" WHERE ")[0].split(" FROM ")[-1]:
        return f"rows {queue}"
    if WorkflowSnapshot._meta.db_table in sql:
        return "labels"
    return "roles"


def application_indexes() -> list[str]:
    from django.db import connection

    from citygate.applications.models import Application

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Application._meta.db_table)
    return sorted(name for name, info in found.items() if info["index"] or info["unique"])


def plans_explain(world: World) -> list[dict[str, Any]]:
    """The plan of each query of the workbench read that reads applications: the counts, and
    the rows of each queue."""
    from citygate.applications.models import Application
    from citygate.applications.selectors import Queue

    table = Application._meta.db_table
    indexes = application_indexes()
    found: dict[str, dict[str, Any]] = {}
    for queue in Queue.ALL:
        for sql in queries_of(partial(workbench_read, world.clerk, queue, world.today)):
            name = query_name(sql, queue)
            if name in found or name in {"roles", "labels"}:
                continue
            lines = [line.strip() for line in plan_lines(sql)]
            # The lines that read the table: PostgreSQL's scan nodes, SQLite's SEARCH and SCAN.
            ours = [
                line
                for line in lines
                if re.search(r"Scan|^SEARCH|^SCAN", line)
                and (re.search(rf"\b{table}\b", line) or any(i in line for i in indexes))
            ]
            found[name] = {
                "query": name,
                "first_line": lines[0] if lines else "",
                "scan": ours[0] if ours else "",
                "indexes": sorted({i for i in indexes for line in ours if i in line}),
                "sorts": any(
                    line.startswith(("Sort", "->  Sort", "Incremental Sort", "->  Incremental"))
                    or "TEMP B-TREE" in line
                    for line in lines
                ),
                "plan": lines,
            }
    return list(found.values())


# --- Run --------------------------------------------------------------------------------------


def config_from(args: argparse.Namespace) -> Sizes:
    if args.quick:
        return Sizes(sizes=[1000, 5000], residents=40, submissions=40, reads=70, rounds=2)
    return Sizes(
        sizes=[int(s) for s in args.sizes.split(",")],
        residents=200,
        submissions=args.submissions,
        reads=args.reads,
        rounds=args.rounds,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--submissions", type=int, default=300, help="timed, per size")
    parser.add_argument("--reads", type=int, default=280, help="timed, per size")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="sizes 1000,5000, short runs")
    parser.add_argument("--sqlite", action="store_true", help="var/bench/applications.sqlite3")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="dropped and created")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    config = config_from(args)

    if not database_choose(sqlite=args.sqlite, postgres=args.postgres):
        return 2
    started_all = time.perf_counter()
    django_setup("applications")
    from django.test import override_settings

    media = BENCH_DIR / "applications_media"
    shutil.rmtree(media, ignore_errors=True)
    with override_settings(MEDIA_ROOT=str(media)):
        try:
            report = run(config)
        finally:
            shutil.rmtree(media, ignore_errors=True)
    report["seconds"] = round(time.perf_counter() - started_all, 1)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if report["queries_equal"] else 1


def run(config: Sizes) -> dict[str, Any]:
    rng = random.Random(SEED)
    demo_items = demo_catalogue_load(rng)
    world = world_make(config.residents)
    report: dict[str, Any] = {
        "database": database_describe(),
        "demo_items": demo_items,
        "items_applied_for": len(world.plans),
        "departments": list(DEPARTMENTS),
        "clerk_department": CLERK_DEPARTMENT,
        "residents": len(world.residents),
        "enterprises": len(world.enterprises),
        "items_for_enterprises": sum(plan.for_enterprise for plan in world.plans),
        "page_rows": PAGE_ROWS,
        "sizes": [],
    }
    rows: list[dict[str, Any]] = []
    for size in config.sizes:
        started = time.perf_counter()
        total = fill(world, size, rng)
        fill_s = time.perf_counter() - started
        row: dict[str, Any] = {
            "applications": total,
            "fill_s": round(fill_s, 1),
            "queues": queue_sizes(world),
            "reads": reads_measure(world, config),
        }
        row["submissions"] = submissions_measure(world, config, rng)
        rows.append(row)
        print(f"  {total} applications measured", flush=True)
    report["sizes"] = rows
    first, last = rows[0], rows[-1]
    report["read_growth"] = {
        "from": first["applications"],
        "to": last["applications"],
        "p50": round(
            last["reads"]["read"]["p50_ms"] / max(first["reads"]["read"]["p50_ms"], 1e-9), 2
        ),
        "p95": round(
            last["reads"]["read"]["p95_ms"] / max(first["reads"]["read"]["p95_ms"], 1e-9), 2
        ),
    }
    report["queries_equal"] = len({json.dumps(r["reads"]["queries"]) for r in rows}) == 1
    # An empty page reads no workflow versions: the counts compare only when no queue is empty.
    report["empty_queues"] = {
        r["applications"]: [q for q, n in r["queues"].items() if not n]
        for r in rows
        if not all(r["queues"].values())
    }
    report["plans"] = plans_explain(world)
    return report


def print_report(report: dict[str, Any]) -> None:
    print(
        f"{report['database']}; demo catalogue {report['demo_items']} items, "
        f"{report['items_applied_for']} applied for in {len(report['departments'])} departments "
        f"({report['items_for_enterprises']} by enterprises only); {report['residents']} "
        f"residents, {report['enterprises']} enterprises; the clerk's: {report['clerk_department']}"
    )
    print(
        "apps     fill_s  submit/s  insert/s  ratio   read/s  select/s  ratio   "
        "read_p50  read_p95  select_p95  queries(read,submit)"
    )
    for row in report["sizes"]:
        reads, subs = row["reads"], row["submissions"]
        counts = sorted(set(reads["queries"].values()))
        print(
            f"{row['applications']:<8} {row['fill_s']:<7} {subs['submit_per_s']:<9} "
            f"{subs['insert_per_s']:<9} {subs['ratio']:<7} {reads['read_per_s']:<7} "
            f"{reads['select_per_s']:<9} {reads['ratio']:<7} {reads['read']['p50_ms']:<9} "
            f"{reads['read']['p95_ms']:<9} {reads['select']['p95_ms']:<11} "
            f"{'/'.join(str(c) for c in counts)},{subs['queries']}"
        )
    print("the clerk's queues (rows) and each queue's read p50 in ms:")
    for row in report["sizes"]:
        queues = row["queues"]
        p50 = row["reads"]["by_queue_p50_ms"]
        print(
            f"  {row['applications']:<8} "
            + "  ".join(f"{q} {queues.get(q, 0)} ({p50.get(q, 0)})" for q in p50)
        )
    growth = report["read_growth"]
    print(
        f"read growth {growth['from']} -> {growth['to']} applications: "
        f"p50 {growth['p50']}x, p95 {growth['p95']}x"
    )
    print(f"plans at {report['sizes'][-1]['applications']} applications:")
    for plan in report["plans"]:
        index = ", ".join(plan["indexes"]) or "NO INDEX"
        sort = "; sorts" if plan["sorts"] else ""
        print(f"  {plan['query']:<14} {plan['first_line']}")
        if plan["scan"] != plan["first_line"]:
            print(f"  {'':<14} {plan['scan']}")
        print(f"  {'':<14} [{index}{sort}]")
    queries = {r["applications"]: r["reads"]["queries"] for r in report["sizes"]}
    print(f"workbench queries per read, by queue: {queries}")
    if report["empty_queues"]:
        print(f"empty queues (their pages read one query less): {report['empty_queues']}")
    print(f"query count equal at every size: {report['queries_equal']}; {report['seconds']} s")


if __name__ == "__main__":
    sys.exit(main())
