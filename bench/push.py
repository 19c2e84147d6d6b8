"""Targeted push at the size of a city: sending a campaign to everyone, and reading an inbox,
each beside a bare indexed select of the same table, at 10k, 100k and 1M people.

On PostgreSQL (127.0.0.1:5432, user postgres, trust auth) in a database of its own that it
drops and creates again, or with --sqlite on the usual file under var/bench/. The people come
in steps (10k, then 90k more, then 900k more); at every size:

- the city: people with a declared district (or none; half of them with a street of it too),
  a birth year (or none), a language and a verification level, three messages each in their
  inbox, 2% with a device turned on for notifications, and 10k past campaigns released over
  the last year to segments of every kind (everyone, districts, streets, age bands,
  languages, enterprises), of which the last 30 days' are still brought into inboxes;
- the first opening of an inbox (a sample of people who never opened theirs): the last
  week's live campaigns meant for them are written in;
- returning readers (another sample, whose inboxes were opened before, untimed): an ordinary
  visit is `sources.bring_in` (the campaigns since the person's cursor) and one page of
  `inbox_page` with every title and body written in Chinese;
- sending: a campaign to the whole population written, put up for approval (the audience
  counted) and approved by a second person, which releases it, with the task queue
  production uses (the push is one task in the database queue); the statements that change a
  row during the approval are counted (the campaign, the release counter, the push's task:
  the same whatever the population);
- the returning readers' next visit, which brings the new campaign into each inbox;
- the push, timed on its own: the whole audience walked in batches, a message and a queued
  delivery for everyone with a device (their sending is the task queue's and is not timed);
- the baseline: the returning readers' first 20 messages in the inbox's order (kind, then
  time) by a bare SELECT on the inbox's index, each right after that reader's visit, in five
  rounds of both whose median figures are reported (the machine's speed drifts over a run).

The growth of the read's median and p99 from the first size to the last is the figure the
target is set on (at most 1.3x from 10k to 1M people). The program exits 1 when a visit's
number of queries changes with the size of the city.

    .venv/bin/python bench/push.py                    # 10000,100000,1000000 on PostgreSQL
    .venv/bin/python bench/push.py --sqlite           # the same on SQLite
    .venv/bin/python bench/push.py --quick --sqlite   # 2000,10000 people, 1000 campaigns (CI)
    .venv/bin/python bench/push.py --json var/bench/push.json
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database_choose, database_describe, django_setup, summary_ms

if TYPE_CHECKING:
    from citygate.accounts.models import User

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/citygate_bench_push"
# A device's keys (RFC 8291's example receiver): the development push backend keeps what it
# would send, so no push leaves this machine.
DEVICE_KEY = (
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
)
DEVICE_AUTH = "BTBZMqHH6r4Tts7J_aSIgg"
# Tasks go to the database queue as in production: releasing a campaign enqueues its push
# rather than doing it, and the push is timed on its own.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SEED = 20261203
BATCH = 10_000
MESSAGES_EACH = 3
# How the past campaigns' segments are spread: (share, kind of segment).
SEGMENT_MIX = (
    (0.40, "everyone"),
    (0.20, "districts"),
    (0.10, "streets"),
    (0.15, "age"),
    (0.10, "language"),
    (0.05, "enterprise"),
)
LANGUAGES = ("", "", "", "zh-hans", "en")
# People who turned on notifications on a device: the campaign's push reaches them.
DEVICE_SHARE = 0.02
# Rounds of the returning visits at each size: the median of their figures is reported.
ROUNDS = 5


@dataclass(frozen=True)
class Config:
    sizes: list[int]
    campaigns: int
    readers: int


@dataclass
class World:
    districts: list[int]
    district_codes: list[str]
    # Each district's streets (ids), and every street's code.
    streets: dict[int, list[int]]
    street_codes: list[str]
    editor: User
    approver: User
    rng: random.Random
    people: int = 0
    devices: int = 0


# --- The city ---------------------------------------------------------------------------------


def world_make() -> World:
    from citygate.accounts.models import StaffRole, User
    from citygate.accounts.roles import Role
    from citygate.directory.models import District, Street

    editor = User.objects.create_user(login_name="bench.editor")
    approver = User.objects.create_user(login_name="bench.operator")
    StaffRole.objects.create(user=editor, role=Role.EDITOR)
    StaffRole.objects.create(user=approver, role=Role.OPERATOR)
    districts = list(District.objects.values_list("pk", "code"))
    streets: dict[int, list[int]] = {}
    for pk, district_id in Street.objects.values_list("pk", "district_id"):
        streets.setdefault(district_id, []).append(pk)
    return World(
        districts=[pk for pk, _code in districts],
        district_codes=[code for _pk, code in districts],
        streets=streets,
        street_codes=list(Street.objects.values_list("code", flat=True)),
        editor=editor,
        approver=approver,
        rng=random.Random(SEED),
    )


def people_add(world: World, target: int) -> None:
    """People up to `target`, and their messages, as bulk inserts in batches."""
    from django.db import transaction
    from django.utils import timezone

    from citygate.accounts.models import User
    from citygate.inbox.models import Message, PushSubscription

    rng = world.rng
    year = timezone.localdate().year
    now = timezone.now()
    while world.people < target:
        count = min(BATCH, target - world.people)
        users = []
        for _ in range(count):
            district = rng.choice(world.districts) if rng.random() < 0.8 else None
            street = None
            if district is not None and rng.random() < 0.5:
                street = rng.choice(world.streets[district])
            users.append(
                User(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    password="!bench",  # noqa: S106 - unusable, as create_user leaves it
                    home_district_id=district,
                    home_street_id=street,
                    birth_year=year - rng.randint(8, 95) if rng.random() < 0.7 else None,
                    preferred_language=rng.choice(LANGUAGES),
                    verification_level=rng.choice((1, 2, 2, 3)),
                )
            )
        messages = [
            Message(
                recipient_id=user.pk,
                kind="official",
                template="system.notice",
                params={"subject": f"第{number + 1}号通知"},
                created_at=now - timedelta(days=rng.randint(0, 365), seconds=rng.randint(0, 9999)),
                read_at=now if rng.random() < 0.6 else None,
            )
            for user in users
            for number in range(MESSAGES_EACH)
        ]
        devices = [
            PushSubscription(
                user_id=user.pk,
                endpoint=f"https://push.example.org/send/{user.pk.hex}",
                p256dh=DEVICE_KEY,
                auth=DEVICE_AUTH,
            )
            for user in users
            if rng.random() < DEVICE_SHARE
        ]
        with transaction.atomic():
            User.objects.bulk_create(users, batch_size=2000)
            Message.objects.bulk_create(messages, batch_size=5000)
            PushSubscription.objects.bulk_create(devices, batch_size=2000)
        world.people += count
        world.devices += len(devices)


def segment_draw(world: World) -> dict[str, object]:
    from citygate.campaigns import segments

    rng = world.rng
    share, kind = rng.random(), "everyone"
    for weight, name in SEGMENT_MIX:
        if share < weight:
            kind = name
            break
        share -= weight
    if kind == "districts":
        return {"districts": sorted(rng.sample(world.district_codes, rng.randint(1, 2)))}
    if kind == "streets":
        return {"streets": sorted(rng.sample(world.street_codes, rng.randint(1, 3)))}
    if kind == "age":
        return {"age_bands": [rng.choice(list(segments.AGE_BANDS))]}
    if kind == "language":
        return {"languages": ["en"]}
    if kind == "enterprise":
        return {"roles": [segments.ROLE_ENTERPRISE]}
    return {}


def campaigns_fill(world: World, count: int) -> int:
    """Past campaigns released over the last year; how many are still live."""
    from django.db import transaction
    from django.utils import timezone

    from citygate.campaigns.models import Campaign, CampaignState, ReleaseCounter
    from citygate.campaigns.services import live_days

    now = timezone.now()
    first = now - timedelta(days=365)
    step = timedelta(days=365) / count
    rows = []
    for number in range(count):
        sent = first + step * number
        rows.append(
            Campaign(
                kind="news" if number % 4 else "official",
                headline_zh=f"第{number + 1}期便民资讯",
                headline_en=f"City news no. {number + 1}",
                summary_zh="本期关注交通出行、社区服务和政策解读。",
                segment=segment_draw(world),
                state=CampaignState.SENT,
                audience_size=0,
                release_seq=number + 1,
                sent_at=sent,
                expires_at=sent + timedelta(days=live_days()),
                created_by=world.editor,
                approved_by=world.approver,
                approved_at=sent,
            )
        )
    with transaction.atomic():
        Campaign.objects.bulk_create(rows, batch_size=2000)
        ReleaseCounter.objects.update_or_create(pk=1, defaults={"last": count})
    return sum(1 for row in rows if row.expires_at and row.expires_at > now)


def tables_analyse() -> None:
    """What autovacuum would have done in service: statistics and the visibility map."""
    from django.db import connection

    from citygate.accounts.models import User
    from citygate.campaigns.models import Campaign, CampaignCursor
    from citygate.inbox.models import Message

    tables = [m._meta.db_table for m in (User, Message, Campaign, CampaignCursor)]
    with connection.cursor() as cursor:
        for table in tables:
            name = connection.ops.quote_name(table)
            cursor.execute(
                f"VACUUM ANALYZE {name}" if connection.vendor == "postgresql" else f"ANALYZE {name}"
            )


# --- What is timed ----------------------------------------------------------------------------


def visit(user: User) -> int:
    """An inbox opened: the campaigns since the cursor, then the first page, written out."""
    from django.utils import translation

    from citygate.inbox.selectors import inbox_page
    from citygate.inbox.sources import bring_in

    bring_in(user=user)
    page = inbox_page(user=user)
    with translation.override("zh-hans"):
        text = [(m.title_text, m.body_text) for m in page.items]
    return len(text) + page.unread


def bare_select(user_id: uuid.UUID) -> int:
    """The first 20 messages of one inbox in the inbox's order: one range of its index."""
    from django.db import connection

    from citygate.inbox.models import Message

    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, kind, template, params, created_at, read_at FROM {table} "  # noqa: S608
            "WHERE recipient_id = %s AND archived_at IS NULL "
            "ORDER BY priority, created_at DESC, id DESC LIMIT 20",
            [user_id.hex if connection.vendor == "sqlite" else user_id],
        )
        return len(cursor.fetchall())


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def queries_of(run: Callable[[], object]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return [str(query["sql"]) for query in captured.captured_queries]


def readers_draw(world: World, count: int) -> list[User]:
    from citygate.accounts.models import User

    ids = list(
        User.objects.filter(login_name__isnull=True)
        .order_by("?")
        .values_list("pk", flat=True)[:count]
    )
    return list(User.objects.filter(pk__in=ids))


def send_to_everyone(world: World) -> dict[str, Any]:
    """A campaign to the whole city: written, counted, approved and so released."""
    from citygate.campaigns import services

    data = {
        "kind": "official",
        "headline_zh": "全市燃气安全检查通知",
        "headline_en": "Citywide gas safety checks",
        "summary_zh": "本月起入户开展燃气安全检查，请留意社区通知。",
    }
    started = time.perf_counter()
    campaign = services.campaign_create(by=world.editor, data=data)
    created = time.perf_counter()
    services.campaign_submit(by=world.editor, campaign_id=campaign.pk)
    counted = time.perf_counter()
    statements = queries_of(
        lambda: services.campaign_approve(by=world.approver, campaign_id=campaign.pk)
    )
    released = time.perf_counter()
    campaign.refresh_from_db()
    # The campaign's row, the release counter, and the push's task in the queue.
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    return {
        "campaign_id": campaign.pk,
        "audience": campaign.audience_size,
        "write_ms": round((created - started) * 1000, 2),
        "count_ms": round((counted - created) * 1000, 2),
        "approve_ms": round((released - counted) * 1000, 2),
        "total_ms": round((released - started) * 1000, 2),
        "rows_changed_by_approval": len(writes),
    }


def push_walk(campaign_id: uuid.UUID) -> dict[str, Any]:
    """The campaign's push to the whole audience, as its tasks would do it one after another:
    the deliveries are queued (their sending is the task queue's, and is not timed)."""
    from citygate.campaigns import services
    from citygate.inbox.models import Delivery

    before = Delivery.objects.count()
    started = time.perf_counter()
    services.campaign_push(campaign_id=campaign_id, seconds=float("inf"))
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "deliveries_queued": Delivery.objects.count() - before,
    }


def returning_visits_timed(readers: list[User]) -> tuple[dict[str, float], dict[str, float]]:
    """The returning visits and the bare select, each reader's one after the other (so a
    drift of the machine's speed touches both alike), in `ROUNDS` rounds; the median of the
    rounds' figures. The objects the filling left are frozen out of the garbage collector's
    walks first, so that the process's history does not weigh on the larger sizes."""
    gc.collect()
    gc.freeze()
    try:
        rounds = []
        for _ in range(ROUNDS):
            read, bare = [], []
            for user in readers:
                read.append(timed(partial(visit, user)))
                bare.append(timed(partial(bare_select, user.pk)))
            rounds.append((summary_ms(read), summary_ms(bare)))
    finally:
        gc.unfreeze()

    def median_of(figures: list[dict[str, float]]) -> dict[str, float]:
        return {key: statistics.median(f[key] for f in figures) for key in figures[0]}

    return median_of([r for r, _ in rounds]), median_of([b for _, b in rounds])


def measure(world: World, config: Config, live: int) -> dict[str, Any]:
    sample = readers_draw(world, config.readers * 2)
    readers, newcomers = sample[: config.readers], sample[config.readers :]
    # The first opening of an inbox: the last week's campaigns meant for the person come in.
    first = [timed(partial(visit, user)) for user in newcomers]
    for user in readers:  # opened before: the cursor is where a returning visitor's would be
        for _ in range(2):
            visit(user)
    for user in readers[:20]:  # warm: connection, statements, templates
        bare_select(user.pk)
    queries = {len(queries_of(partial(visit, user))) for user in readers[:20]}
    read_s, bare_s = returning_visits_timed(readers)
    sending = send_to_everyone(world)
    with_new = [timed(partial(visit, user)) for user in readers]
    sending["push"] = push_walk(sending.pop("campaign_id"))
    return {
        "people": world.people,
        "devices": world.devices,
        "messages": world.people * MESSAGES_EACH,
        "live_campaigns": live,
        "first_visit": summary_ms(first),
        "read": read_s,
        "read_with_new_campaign": summary_ms(with_new),
        "bare_select": bare_s,
        "ratio_p50": round(read_s["p50_ms"] / max(bare_s["p50_ms"], 1e-9), 2),
        "queries_per_visit": sorted(queries),
        "send_to_everyone": sending,
    }


def run(config: Config) -> dict[str, Any]:
    world = world_make()
    started = time.perf_counter()
    live = campaigns_fill(world, config.campaigns)
    report: dict[str, Any] = {
        "database": database_describe(),
        "past_campaigns": config.campaigns,
        "live_campaigns": live,
        "campaigns_fill_s": round(time.perf_counter() - started, 1),
        "readers": config.readers,
        "sizes": [],
    }
    for size in config.sizes:
        started = time.perf_counter()
        people_add(world, size)
        tables_analyse()
        fill_s = round(time.perf_counter() - started, 1)
        row = measure(world, config, live)
        row["fill_s"] = fill_s
        report["sizes"].append(row)
        print(f"  {size} people measured", flush=True)
    first, last = report["sizes"][0], report["sizes"][-1]
    report["read_growth"] = {
        "from": first["people"],
        "to": last["people"],
        "p50": round(last["read"]["p50_ms"] / max(first["read"]["p50_ms"], 1e-9), 2),
        "p99": round(last["read"]["p99_ms"] / max(first["read"]["p99_ms"], 1e-9), 2),
        "target": 1.3,
    }
    report["queries_equal"] = (
        len({json.dumps(r["queries_per_visit"]) for r in report["sizes"]}) == 1
    )
    return report


def print_report(report: dict[str, Any]) -> None:
    print(
        f"{report['database']}; {report['past_campaigns']} past campaigns "
        f"({report['live_campaigns']} still live), {report['readers']} readers a size"
    )
    print("inbox visits, ms (returning; with one new campaign; first opening; bare select):")
    print(
        "people    fill_s  read_p50  read_p99  new_p50  new_p99  first_p50  first_p99  "
        "bare_p50  bare_p99  ratio  queries"
    )
    for row in report["sizes"]:
        read, new, first, bare = (
            row["read"],
            row["read_with_new_campaign"],
            row["first_visit"],
            row["bare_select"],
        )
        print(
            f"{row['people']:<9} {row['fill_s']:<7} {read['p50_ms']:<9} {read['p99_ms']:<9} "
            f"{new['p50_ms']:<8} {new['p99_ms']:<8} {first['p50_ms']:<10} {first['p99_ms']:<10} "
            f"{bare['p50_ms']:<9} {bare['p99_ms']:<9} {row['ratio_p50']:<6} "
            f"{'/'.join(map(str, row['queries_per_visit']))}"
        )
    print("a campaign to everyone (count and approval in ms, rows the approval changes; the push):")
    print("people    audience  count_ms  approve_ms  rows  devices  pushed  push_s")
    for row in report["sizes"]:
        send = row["send_to_everyone"]
        push = send["push"]
        print(
            f"{row['people']:<9} {send['audience']:<9} {send['count_ms']:<9} "
            f"{send['approve_ms']:<11} {send['rows_changed_by_approval']:<5} "
            f"{row['devices']:<8} {push['deliveries_queued']:<7} {push['seconds']}"
        )
    growth = report["read_growth"]
    verdict = "within" if max(growth["p50"], growth["p99"]) <= growth["target"] else "OVER"
    print(
        f"read growth {growth['from']} -> {growth['to']} people: p50 {growth['p50']}x, "
        f"p99 {growth['p99']}x ({verdict} the {growth['target']}x target)"
    )


def config_from(args: argparse.Namespace) -> Config:
    if args.quick:
        return Config(sizes=[2000, 10000], campaigns=1000, readers=150)
    return Config(
        sizes=[int(s) for s in args.sizes.split(",")],
        campaigns=args.campaigns,
        readers=args.readers,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--campaigns", type=int, default=10_000, help="past campaigns")
    parser.add_argument("--readers", type=int, default=1000, help="timed inboxes, per size")
    parser.add_argument("--quick", action="store_true", help="2000,10000 people (CI)")
    parser.add_argument("--sqlite", action="store_true", help="var/bench/push.sqlite3")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="dropped and created")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    config = config_from(args)

    if not database_choose(sqlite=args.sqlite, postgres=args.postgres):
        return 2
    started = time.perf_counter()
    django_setup("push")
    from django.test import override_settings

    with override_settings(TASKS=TASKS):
        report = run(config)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if report["queries_equal"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
