"""The demo residents' feed: a home district (most with a street) and a couple of followed
topics each.

Called by accounts' ``load_demo_data`` after the residents exist. Idempotent: a resident who
already has a district or topics keeps them. The newsroom's topics are created here when
missing (by slug), so the demo works before the newsroom loads its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from citygate.accounts.models import User
from citygate.accounts.services import phone_index
from citygate.feed import services
from citygate.feed.models import InterestTag
from citygate.news.models import NewsTag

# The city's everyday topics: slug, Chinese name, English name.
TAGS = (
    ("education", "教育", "Education"),
    ("transport", "交通", "Transport"),
    ("health", "医疗", "Health"),
    ("elderly-care", "养老", "Elderly care"),
    ("jobs", "就业", "Jobs"),
    ("housing", "住房", "Housing"),
    ("culture", "文旅", "Culture and tourism"),
    ("environment", "环境", "Environment"),
    ("water", "水务", "Water"),
)


@dataclass(frozen=True)
class DemoFeed:
    phone: str
    district: str
    street: str | None
    tags: tuple[str, ...]


RESIDENTS = (
    DemoFeed("19999990001", "320508", "320508018", ("elderly-care", "health")),  # 王秀英, 平江街道
    DemoFeed("19999990002", "320506", "320506103", ("jobs", "transport")),  # 陈思远, 木渎镇
    DemoFeed("19999990003", "320576", "320576054", ("culture", "education")),  # Emma, 金鸡湖街道
    DemoFeed("19999990004", "320509", None, ("jobs", "environment")),  # 周建华, 吴江区
    DemoFeed("19999990005", "320507", "320507001", ("education", "housing")),  # 吴婷, 元和街道
)


def tags_ensure() -> int:
    """Creates the topics that are missing; returns how many were created."""
    created = 0
    for order, (slug, name_zh, name_en) in enumerate(TAGS):
        _tag, new = NewsTag.objects.get_or_create(
            slug=slug, defaults={"name_zh": name_zh, "name_en": name_en, "order": order}
        )
        created += new
    return created


def load() -> int:
    """Gives each demo resident their district (and most a street) and topics; returns how
    many were set up."""
    tags_ensure()
    set_up = 0
    for demo in RESIDENTS:
        user = User.objects.filter(phone_index=phone_index(demo.phone)).first()
        if user is None:
            continue
        changed = False
        if user.home_district_id is None:
            services.home_place_set(user=user, district=demo.district, street=demo.street)
            changed = True
        if not InterestTag.objects.filter(user=user).exists():
            for slug in demo.tags:
                services.interest_tag_follow(user=user, slug=slug)
            changed = True
        set_up += changed
    return set_up
