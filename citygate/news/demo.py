"""Demo news: a dozen stories about Suzhou's city services, published through the real review,
and the editors who review them.

Written for the demo (plausible, not reports of real events). Each story goes through every
review level by three editors other than its author (demo.editor), dated back over the last
two weeks so that the front page, the channels and "most read" have something to show. Loads
once (when no story exists) and only after the demo staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from citygate.accounts import services as accounts
from citygate.accounts.models import User
from citygate.news import services
from citygate.news.models import Story

AUTHOR = "demo.editor"
DEPARTMENT = "broadcasting"


@dataclass(frozen=True)
class Reviewer:
    login_name: str
    password: str
    totp_secret: str


# One per default review level: 初审, 复审, 终审 (docs/personas.md).
REVIEWERS = (
    Reviewer("demo.editor-first", "citygate-demo-editor-first", "DQYZCSMHIN32WM47ABK6F2YK76CHQMKJ"),
    Reviewer(
        "demo.editor-second", "citygate-demo-editor-second", "2Z3G4U7T5X7L24VADHPPLBLU56BRRGBN"
    ),
    Reviewer("demo.editor-final", "citygate-demo-editor-final", "V7MBDPJAQH2H5ANVMYWT7TOTYIOQTHAI"),
)


@dataclass(frozen=True)
class DemoStory:
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    channel: str
    tags: tuple[str, ...]
    districts: tuple[str, ...]
    days_ago: int
    source: str = "城市通编辑部"
    opens: int = 0


STORIES = (
    DemoStory(
        "城市通上线“一件事”办理：新生儿出生后五项手续一次办",
        "出生医学证明、户口登记、医保参保、社保卡申领和生育津贴，如今在城市通里提交一次即可。",
        (
            "家有新生儿的市民，过去要分别跑医院、派出所和医保窗口。现在打开城市通的“出生一件事”，"
            "填写一张表、上传一次材料，五个部门在后台同步办理。",
            "办理进度会逐项推送到“我的消息”，有需要补充的材料也会写明原因。",
            "不方便线上操作的家庭，可以到就近的政务服务中心，由工作人员帮办代办。",
        ),
        "news",
        ("health",),
        (),
        1,
        opens=320,
    ),
    DemoStory(
        "地铁换乘更方便：城市通可查实时到站和车厢拥挤度",
        "轨道交通各线路的实时到站时间接入城市通，部分线路还能看到各节车厢的拥挤程度。",
        (
            "在首页搜索“地铁”或“到站”，即可查看附近车站的下一班车时间。",
            "早晚高峰时段，系统会提示相对宽松的车厢位置，方便乘客分散候车。",
        ),
        "services",
        ("transport",),
        ("320508", "320576"),
        2,
        opens=210,
    ),
    DemoStory(
        "长辈版全新改版：字更大、按钮更大，常用服务放首页",
        "城市通长辈版把社保查询、医保缴费、预约挂号等老年人常用服务放在首页，字体和按钮全面放大。",
        (
            "点击页面顶部的“长辈版”即可切换，设置会一直保留。",
            "首页还设有一键拨打12345热线的按钮，遇到问题可以直接电话咨询。",
        ),
        "services",
        ("elderly-care",),
        (),
        3,
        opens=150,
    ),
    DemoStory(
        "一图读懂：住房公积金提取办理指南",
        "租房、购房、退休等情形如何提取公积金，需要哪些材料，在哪里办理，一文说清。",
        (
            "租住商品房的职工，可凭租赁备案信息按月或按季提取，全程线上办理。",
            "购买自住住房的，在网签备案后即可申请提取，材料由系统自动调取。",
            "退休职工提取账户余额，可在城市通提交申请，无需到窗口。",
        ),
        "policy",
        ("housing",),
        (),
        4,
        opens=95,
    ),
    DemoStory(
        "今年秋季入学报名开始，学区查询和材料预审可在线完成",
        "小学和初中新生入学报名开始，家长可先在线查询学区并提交材料预审。",
        (
            "家长登录后选择“入学报名”，系统会根据户籍和房产信息提示对应学校。",
            "材料预审通过后，无需再到学校现场核验；如需补充，会在消息中说明。",
        ),
        "news",
        ("education",),
        ("320506", "320507"),
        5,
        opens=260,
    ),
    DemoStory(
        "吴江区新增三处社区嵌入式养老服务站",
        "三处服务站提供助餐、日间照料和健康咨询，周边老人可就近使用。",
        (
            "服务站设在居民小区内，步行十分钟即可到达，午餐可在城市通提前预订。",
            "行动不便的老人可申请送餐上门，由社区志愿者配送。",
        ),
        "services",
        ("elderly-care",),
        ("320509",),
        6,
    ),
    DemoStory(
        "高校毕业生就业见习补贴申领指南",
        "符合条件的见习单位和见习人员可申领补贴，申请、审核和发放全程可查。",
        (
            "见习单位在城市通企业端提交见习协议和人员名单，人社部门在规定时限内审核。",
            "见习人员可在“我的”页面查看补贴发放进度。",
        ),
        "policy",
        ("jobs",),
        (),
        7,
        opens=40,
    ),
    DemoStory(
        "平江路历史街区夜游季开幕，预约入园错峰出行",
        "夜游季期间，街区多处园林延长开放时间，建议提前在城市通预约。",
        (
            "预约成功后凭电子码入园，每个时段限定人数，避免排队拥挤。",
            "周边停车位紧张，建议乘坐地铁或公交前往。",
        ),
        "culture",
        ("culture", "transport"),
        ("320508",),
        8,
        opens=180,
    ),
    DemoStory(
        "供水管网改造：部分小区本周计划停水，请提前储水",
        "为提升供水水质和水压，部分老旧小区将进行管网改造，停水时间和范围已公布。",
        (
            "停水信息会提前一天通过城市通推送给相关小区居民。",
            "施工期间如遇紧急用水需求，可拨打12345热线反映。",
        ),
        "services",
        ("water",),
        ("320505",),
        9,
        opens=75,
    ),
    DemoStory(
        "太湖沿岸生态修复完成，新增十公里滨湖步道",
        "修复后的湖岸种植了本地水生植物，滨湖步道与已有的骑行道连成一片。",
        (
            "步道沿线设有休息点和公共厕所，入口位置可在城市通地图中查看。",
            "请游客爱护湿地环境，不要投喂野生鸟类。",
        ),
        "culture",
        ("environment", "culture"),
        ("320506",),
        10,
    ),
    DemoStory(
        "政策解读：城乡居民医保参保缴费常见问题",
        "新一年度居民医保开始缴费，参保对象、缴费标准和待遇享受时间等问题集中解答。",
        (
            "已参保的居民可在城市通直接续缴，家庭成员可以代缴。",
            "新生儿、新落户人员可随时参保，按规定享受待遇。",
        ),
        "policy",
        ("health",),
        (),
        12,
        opens=130,
    ),
    DemoStory(
        "昆山、太仓公交线路优化调整，新增两条跨区线路",
        "调整后，两地之间的通勤时间缩短约二十分钟，首末班时间同步延长。",
        (
            "新线路的站点和时刻表已在城市通“公交查询”中更新。",
            "原有线路的部分站点有所调整，乘客出行前请先查询。",
        ),
        "news",
        ("transport",),
        ("320583", "320585"),
        13,
        opens=60,
    ),
)


def _body(paragraphs: tuple[str, ...]) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _editor(login_name: str) -> User | None:
    return User.objects.filter(login_name=login_name).first()


def _reviewers() -> list[User]:
    people = []
    for reviewer in REVIEWERS:
        found = _editor(reviewer.login_name)
        if found is None:
            found = accounts.staff_create(
                login_name=reviewer.login_name,
                password=reviewer.password,
                role="editor",
                department_code=DEPARTMENT,
                totp_secret=reviewer.totp_secret,
            ).user
        people.append(found)
    return people


def load() -> int:
    """Adds the demo editors and stories if there are no stories yet; how many were added."""
    reviewers = _reviewers()
    author = _editor(AUTHOR)
    if author is None or Story.objects.exists():
        return 0
    now = timezone.now()
    for demo in STORIES:
        written = now - timedelta(days=demo.days_ago, hours=3)
        story = services.story_create(
            editor=author,
            data=services.StoryInput(
                title=demo.title,
                summary=demo.summary,
                body=_body(demo.paragraphs),
                channel=demo.channel,
                tags=demo.tags,
                districts=demo.districts,
                source=demo.source,
            ),
            now=written,
        )
        services.story_submit_for_review(editor=author, story_id=story.pk)
        levels = len(services.review_levels())
        for level, reviewer in enumerate(reviewers[:levels], start=1):
            services.story_review(
                reviewer=reviewer,
                story_id=story.pk,
                level=level,
                decision="approve",
                now=written + timedelta(hours=level),
            )
        Story.objects.filter(pk=story.pk).update(opens=demo.opens)
    return len(STORIES)
