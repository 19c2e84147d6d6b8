"""The demo residents' feed: a home district and a couple of followed topics each.

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
    tags: tuple[str, ...]


RESIDENTS = (
    DemoFeed("19999990001", "320508", ("elderly-care", "health")),  # 王秀英, 姑苏区
    DemoFeed("19999990002", "320506", ("jobs", "transport")),  # 陈思远, 吴中区
    DemoFeed("19999990003", "320576", ("culture", "education")),  # Emma Schmidt, 园区
    DemoFeed("19999990004", "320509", ("jobs", "environment")),  # 周建华, 吴江区
    DemoFeed("19999990005", "320507", ("education", "housing")),  # 吴婷, 相城区
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
    """Gives each demo resident their district and topics; returns how many were set up."""
    tags_ensure()
    set_up = 0
    for demo in RESIDENTS:
        user = User.objects.filter(phone_index=phone_index(demo.phone)).first()
        if user is None:
            continue
        changed = False
        if user.home_district_id is None:
            services.home_district_set(user=user, code=demo.district)
            changed = True
        if not InterestTag.objects.filter(user=user).exists():
            for slug in demo.tags:
                services.interest_tag_follow(user=user, slug=slug)
            changed = True
        set_up += changed
    return set_up
