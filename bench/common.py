"""What the benchmarks share: a database of their own, the demo catalogue, synthetic items,
and percentiles.

Each benchmark runs against a fresh SQLite file under var/bench/ unless DATABASE_URL names
another database (PostgreSQL: give it a database the benchmark may fill and empty).
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"


def django_setup(name: str) -> None:
    """Points Django at a fresh benchmark database and migrates it."""
    sys.path.insert(0, str(ROOT))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if "DATABASE_URL" not in os.environ:
        path = BENCH_DIR / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citygate.settings_test")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _catalogue_empty()


def _catalogue_empty() -> None:
    """Starts from no items (a reused database keeps its reference data)."""
    from citygate.catalog.models import ItemRevision, LifeEventItem, SearchMiss, ServiceItem

    LifeEventItem.objects.all().delete()
    ServiceItem.objects.update(published_revision=None)
    ItemRevision.objects.all().delete()
    ServiceItem.objects.all().delete()
    SearchMiss.objects.all().delete()


def postgres_recreate(url: str) -> None:
    """Drops and creates the benchmark's database (through the server's `postgres` database)."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name) or name in {"postgres", "template1"}:
        raise SystemExit(f"refusing to recreate the database {name!r}")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_choose(*, sqlite: bool, postgres: str) -> bool:
    """Points the run at SQLite, or at a freshly recreated PostgreSQL database; False (with
    the reason on stderr) when PostgreSQL cannot be reached."""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if sqlite:
        os.environ.pop("DATABASE_URL", None)
        return True
    import psycopg

    try:
        postgres_recreate(postgres)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL is not reachable ({error}); start it or use --sqlite", file=sys.stderr)
        return False
    os.environ["DATABASE_URL"] = postgres
    return True


def database_describe() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            commit = cursor.fetchone()[0]
        return f"PostgreSQL {version} (synchronous_commit={commit})"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=OFF)"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.50) * 1000, 3),
        "p95_ms": round(percentile(values, 0.95) * 1000, 3),
        "p99_ms": round(percentile(values, 0.99) * 1000, 3),
        "mean_ms": round(statistics.fmean(values) * 1000, 3) if values else 0.0,
    }


def rss_mb() -> float:
    """This process's resident memory, from /proc (Linux)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


# Synthetic items ------------------------------------------------------------------------------
# Made of the vocabulary real catalogues use (subjects, actions, materials), so that their
# words compete with the demo items' words the way a full city catalogue's would.

SUBJECTS = (
    "农村土地承包经营权",
    "建设工程规划许可证",
    "道路运输经营许可证",
    "药品经营许可证",
    "特种设备使用登记",
    "人事档案",
    "就业见习补贴",
    "职业技能等级证书",
    "医疗机构执业许可证",
    "危险化学品经营许可证",
    "林木采伐许可证",
    "渔业捕捞许可证",
    "船舶登记",
    "排污许可证",
    "取水许可",
    "建筑施工企业资质",
    "房地产开发企业资质",
    "物业服务企业备案",
    "劳务派遣经营许可",
    "民办学校办学许可证",
    "教师资格认定",
    "宗教活动场所登记",
    "社会团体登记",
    "民办非企业单位登记",
    "养老机构备案",
    "殡葬服务",
    "公共场所卫生许可证",
    "放射诊疗许可",
    "母婴保健技术服务执业许可",
    "酒类商品经营许可",
    "成品油零售经营资格",
    "再生资源回收经营者备案",
    "拍卖企业经营许可",
    "娱乐场所经营许可证",
    "网吧经营许可证",
    "出版物经营许可证",
    "营业性演出许可证",
    "文物保护单位修缮",
    "古树名木迁移",
    "城市绿地占用",
    "临时占用道路",
    "挖掘城市道路",
    "燃气经营许可证",
    "供热经营许可",
    "二次供水设施卫生许可",
    "防雷装置设计审核",
    "人防工程审批",
    "消防设计审查",
    "建筑节能审查",
    "商品房预售许可证",
    "国有土地使用权出让",
    "征地补偿登记",
    "气象信息服务备案",
    "计量器具型式批准",
    "特种作业操作证",
    "安全生产许可证",
    "烟花爆竹经营许可证",
    "兽药经营许可证",
    "种子生产经营许可证",
    "农药经营许可证",
    "动物防疫条件合格证",
    "生猪定点屠宰",
    "水土保持方案审批",
    "河道管理范围内建设项目",
    "航道通航条件影响评价",
    "港口经营许可",
    "机动车维修经营备案",
    "驾驶员培训机构备案",
    "网络预约出租汽车运输证",
    "公交线路特许经营",
    "档案馆查档",
    "地名命名更名",
    "测绘资质",
    "土地复垦方案审查",
    "地质灾害危险性评估",
)
ACTIONS = (
    "核发",
    "变更",
    "注销",
    "延续",
    "补办",
    "备案",
    "申领",
    "查询",
    "年度报告",
    "审批",
    "登记",
    "换证",
    "撤销",
    "认定",
    "复核",
)
MATERIALS = (
    "申请表",
    "营业执照",
    "法定代表人身份证明",
    "授权委托书",
    "场地使用证明",
    "经营场所平面图",
    "技术人员资格证书",
    "安全管理制度",
    "检测报告",
    "原证书",
    "情况说明",
    "承诺书",
    "专业人员名单",
    "设备清单",
    "环境影响评价文件",
    "可行性研究报告",
    "租赁合同",
    "产权证明",
)
ALIAS_WORDS = ("怎么办", "去哪办", "申请", "办证", "流程", "要什么材料")


def synthetic_record(number: int, rng: random.Random, departments: Sequence[str]) -> object:
    """One synthetic `ItemRecord` (code SYN-...), deterministic for its number and seed."""
    from citygate.catalog.content import ItemRecord

    subject = rng.choice(SUBJECTS)
    action = rng.choice(ACTIONS)
    name = f"{subject}{action}"
    materials = [
        {"name": m, "form": rng.choice(["original", "copy", "electronic"]), "copies": 1}
        for m in rng.sample(MATERIALS, 3)
    ]
    content = {
        "name": name,
        "name_en": "",
        "summary": f"{subject}的{action}，由主管部门受理审查后办结。",
        "item_type": rng.choice(["licence", "filing", "confirmation", "other_power"]),
        "category": "business",
        "implementing_body": "苏州市有关主管部门",
        "audience": ["enterprise"] if rng.random() < 0.7 else ["person"],
        "statutory_limit_days": 20,
        "promised_limit_days": 10,
        "visits": 1,
        "online_depth": rng.choice([1, 2, 3, 4]),
        "materials": materials,
        "keywords": [subject[:4], action],
        "aliases": [f"{subject[:4]}{rng.choice(ALIAS_WORDS)}"],
    }
    return ItemRecord.model_validate(
        {"code": f"SYN-{number:06d}", "department": rng.choice(departments), "content": content}
    )


def popularity_draw(rng: random.Random) -> int:
    """Guide openings per item: a long tail, drawn alike for demo and synthetic items."""
    return int(rng.paretovariate(1.2) * 10) - 10


def demo_catalogue_load(rng: random.Random) -> int:
    """Publishes the demo catalogue and gives every item a popularity from the same draw."""
    from citygate.catalog import demo
    from citygate.catalog.models import ServiceItem

    demo.load()
    items = list(ServiceItem.objects.all())
    for item in items:
        item.popularity = popularity_draw(rng)
    ServiceItem.objects.bulk_update(items, ["popularity"], batch_size=1000)
    return len(items)


def synthetic_fill(total: int, rng: random.Random) -> int:
    """Adds published synthetic items until the catalogue holds `total`; returns the count."""
    from citygate.catalog.content import ItemRecord
    from citygate.catalog.models import CatalogState, ItemStatus, ServiceItem
    from citygate.catalog.search import stored_terms
    from citygate.directory.models import Department

    departments = {d.code: d for d in Department.objects.all()}
    codes = sorted(departments)
    present = ServiceItem.objects.count()
    batch: list[ServiceItem] = []
    for number in range(present, total):
        record = synthetic_record(number, rng, codes)
        assert isinstance(record, ItemRecord)
        item = ServiceItem(
            code=record.code,
            department=departments[record.department],
            status=ItemStatus.PUBLISHED,
            popularity=popularity_draw(rng),
        )
        item.apply_content(record.content)
        department = departments[record.department]
        item.search_terms = stored_terms(
            content=item.content,
            department_name=department.name_zh,
            department_name_en=department.name_en,
        )
        batch.append(item)
        if len(batch) == 2000:
            ServiceItem.objects.bulk_create(batch)
            batch = []
    ServiceItem.objects.bulk_create(batch)
    CatalogState.bump()
    return ServiceItem.objects.count()
