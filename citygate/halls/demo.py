"""Demo halls: the city centre, a centre in each district, and a few street-level centres.

For development and demos only. The names follow the usual pattern of Suzhou's service
centres, but the addresses, phone numbers and coordinates are illustrative (roughly in the
right district), not official data. `load()` is idempotent: it creates what is missing and
returns how many rows it created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from django.db import transaction

from citygate.accounts.models import User
from citygate.catalog.models import CatalogState, ServiceItem
from citygate.catalog.selectors import published_items
from citygate.directory.models import District
from citygate.halls.models import Hall, HallItem, HallLevel, HallSession, HallStaff, HallWindow
from citygate.halls.services import hall_staff_assign

HOURS_ZH = "周一至周五 9:00-12:00，13:30-17:00（法定节假日休息，调休上班日照常办公）"
HOURS_EN = (
    "Monday to Friday 9:00-12:00 and 13:30-17:00 (closed on public holidays, open on the "
    "working weekend days that make up for them)"
)
SESSIONS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 0)))

# Words in the names of the common personal items a street-level centre handles.
STREET_ITEM_WORDS = ("社保卡", "社会保障卡", "居住证", "尊老金", "老年", "医保", "户口", "残疾")

# The demo clerk persona of `load_demo_data` works at the city centre.
DEMO_CLERK = "demo.clerk"
CITY_CENTRE = "suzhou-city-centre"


@dataclass(frozen=True)
class DemoHall:
    code: str
    level: str
    district: str
    name_zh: str
    name_en: str
    address_zh: str
    address_en: str
    latitude: str
    longitude: str
    phone: str
    windows: int
    capacity: int


HALLS = (
    DemoHall(
        CITY_CENTRE,
        HallLevel.CITY,
        "320508",
        "苏州市政务服务中心",
        "Suzhou Government Service Centre",
        "苏州市姑苏区三香路998号",
        "998 Sanxiang Road, Gusu District, Suzhou",
        "31.298600",
        "120.583900",
        "0512-12345",
        8,
        6,
    ),
    DemoHall(
        "gusu-centre",
        HallLevel.DISTRICT,
        "320508",
        "姑苏区政务服务中心",
        "Gusu District Government Service Centre",
        "苏州市姑苏区人民路2066号",
        "2066 Renmin Road, Gusu District, Suzhou",
        "31.318200",
        "120.618500",
        "0512-65100001",
        5,
        4,
    ),
    DemoHall(
        "huqiu-centre",
        HallLevel.DISTRICT,
        "320505",
        "苏州高新区（虎丘区）政务服务中心",
        "Suzhou New District (Huqiu) Government Service Centre",
        "苏州市虎丘区狮山路88号",
        "88 Shishan Road, Huqiu District, Suzhou",
        "31.297800",
        "120.547200",
        "0512-68750001",
        5,
        4,
    ),
    DemoHall(
        "wuzhong-centre",
        HallLevel.DISTRICT,
        "320506",
        "吴中区政务服务中心",
        "Wuzhong District Government Service Centre",
        "苏州市吴中区东吴北路95号",
        "95 Dongwu North Road, Wuzhong District, Suzhou",
        "31.270900",
        "120.631700",
        "0512-65250001",
        5,
        4,
    ),
    DemoHall(
        "xiangcheng-centre",
        HallLevel.DISTRICT,
        "320507",
        "相城区政务服务中心",
        "Xiangcheng District Government Service Centre",
        "苏州市相城区采莲路1288号",
        "1288 Cailian Road, Xiangcheng District, Suzhou",
        "31.369100",
        "120.642400",
        "0512-66180001",
        5,
        4,
    ),
    DemoHall(
        "wujiang-centre",
        HallLevel.DISTRICT,
        "320509",
        "吴江区政务服务中心",
        "Wujiang District Government Service Centre",
        "苏州市吴江区中山南路1979号",
        "1979 Zhongshan South Road, Wujiang District, Suzhou",
        "31.138500",
        "120.645600",
        "0512-63980001",
        5,
        4,
    ),
    DemoHall(
        "changshu-centre",
        HallLevel.DISTRICT,
        "320581",
        "常熟市政务服务中心",
        "Changshu Government Service Centre",
        "常熟市海虞北路58号",
        "58 Haiyu North Road, Changshu",
        "31.662800",
        "120.752200",
        "0512-52800001",
        5,
        4,
    ),
    DemoHall(
        "zhangjiagang-centre",
        HallLevel.DISTRICT,
        "320582",
        "张家港市政务服务中心",
        "Zhangjiagang Government Service Centre",
        "张家港市人民中路16号",
        "16 Renmin Middle Road, Zhangjiagang",
        "31.875400",
        "120.555800",
        "0512-58680001",
        5,
        4,
    ),
    DemoHall(
        "kunshan-centre",
        HallLevel.DISTRICT,
        "320583",
        "昆山市政务服务中心",
        "Kunshan Government Service Centre",
        "昆山市前进西路1801号",
        "1801 Qianjin West Road, Kunshan",
        "31.385600",
        "120.958100",
        "0512-57500001",
        5,
        4,
    ),
    DemoHall(
        "taicang-centre",
        HallLevel.DISTRICT,
        "320585",
        "太仓市政务服务中心",
        "Taicang Government Service Centre",
        "太仓市县府东街99号",
        "99 Xianfu East Street, Taicang",
        "31.457300",
        "121.130200",
        "0512-53520001",
        5,
        4,
    ),
    DemoHall(
        "sip-centre",
        HallLevel.DISTRICT,
        "320576",
        "苏州工业园区政务服务中心",
        "Suzhou Industrial Park Government Service Centre",
        "苏州工业园区现代大道999号",
        "999 Xiandai Avenue, Suzhou Industrial Park",
        "31.318600",
        "120.723500",
        "0512-66680001",
        5,
        4,
    ),
    DemoHall(
        "pingjiang-street",
        HallLevel.STREET,
        "320508",
        "平江街道便民服务中心",
        "Pingjiang Subdistrict Service Centre",
        "苏州市姑苏区白塔东路26号",
        "26 Baita East Road, Gusu District, Suzhou",
        "31.322600",
        "120.631900",
        "0512-67270001",
        2,
        2,
    ),
    DemoHall(
        "shuangta-street",
        HallLevel.STREET,
        "320508",
        "双塔街道便民服务中心",
        "Shuangta Subdistrict Service Centre",
        "苏州市姑苏区十全街318号",
        "318 Shiquan Street, Gusu District, Suzhou",
        "31.298300",
        "120.628700",
        "0512-65190001",
        2,
        2,
    ),
    DemoHall(
        "shishan-street",
        HallLevel.STREET,
        "320505",
        "狮山横塘街道便民服务中心",
        "Shishan Hengtang Subdistrict Service Centre",
        "苏州市虎丘区金山路150号",
        "150 Jinshan Road, Huqiu District, Suzhou",
        "31.286400",
        "120.563100",
        "0512-68250001",
        2,
        2,
    ),
    DemoHall(
        "loufeng-street",
        HallLevel.STREET,
        "320576",
        "娄葑街道便民服务中心",
        "Loufeng Subdistrict Service Centre",
        "苏州工业园区东环路1500号",
        "1500 Donghuan Road, Suzhou Industrial Park",
        "31.304700",
        "120.668200",
        "0512-62740001",
        2,
        2,
    ),
    DemoHall(
        "mudu-town",
        HallLevel.STREET,
        "320506",
        "木渎镇便民服务中心",
        "Mudu Town Service Centre",
        "苏州市吴中区木渎镇中山东路70号",
        "70 Zhongshan East Road, Mudu Town, Wuzhong District, Suzhou",
        "31.262800",
        "120.520400",
        "0512-66360001",
        2,
        2,
    ),
    DemoHall(
        "yuanhe-street",
        HallLevel.STREET,
        "320507",
        "元和街道便民服务中心",
        "Yuanhe Subdistrict Service Centre",
        "苏州市相城区御窑路100号",
        "100 Yuyao Road, Xiangcheng District, Suzhou",
        "31.374500",
        "120.633800",
        "0512-65780001",
        2,
        2,
    ),
)


def _items_for(
    spec: DemoHall, district: District, bookable: list[ServiceItem]
) -> list[ServiceItem]:
    if spec.level == HallLevel.CITY:
        return [item for item in bookable if item.district_id is None]
    if spec.level == HallLevel.DISTRICT:
        return [item for item in bookable if item.district_id in (None, district.pk)]
    return [
        item
        for item in bookable
        if item.district_id in (None, district.pk)
        and any(word in item.name_zh for word in STREET_ITEM_WORDS)
    ]


def _hall(spec: DemoHall, order: int) -> tuple[Hall, int]:
    district = District.objects.get(code=spec.district)
    hall, created = Hall.objects.get_or_create(
        code=spec.code,
        defaults={
            "name_zh": spec.name_zh,
            "name_en": spec.name_en,
            "level": spec.level,
            "district": district,
            "address_zh": spec.address_zh,
            "address_en": spec.address_en,
            "latitude": Decimal(spec.latitude),
            "longitude": Decimal(spec.longitude),
            "phone": spec.phone,
            "hours_zh": HOURS_ZH,
            "hours_en": HOURS_EN,
            "order": order,
        },
    )
    made = int(created)
    if created:
        HallSession.objects.bulk_create(
            HallSession(hall=hall, weekday=weekday, start=start, end=end)
            for weekday in range(5)
            for start, end in SESSIONS
        )
        made += 10
    return hall, made


def _windows(hall: Hall, spec: DemoHall, items: list[ServiceItem]) -> int:
    made = 0
    for number in range(1, spec.windows + 1):
        window, created = HallWindow.objects.get_or_create(
            hall=hall,
            number=f"{number:02d}",
            defaults={
                # 无差别综合受理: every window takes every item; the last one hands results out.
                "name_zh": "综合受理" if number < spec.windows or number == 1 else "综合出件",
                "name_en": (
                    "All services" if number < spec.windows or number == 1 else "Collection"
                ),
            },
        )
        made += int(created)
        if number < spec.windows or number == 1:
            window.items.add(*items)
    return made


def _hall_items(hall: Hall, spec: DemoHall, items: list[ServiceItem]) -> int:
    made = 0
    for item in items:
        _entry, created = HallItem.objects.get_or_create(
            hall=hall, item=item, defaults={"slot_minutes": 30, "capacity": spec.capacity}
        )
        made += int(created)
    return made


def assign_demo_clerk() -> int:
    """Assigns the demo clerk persona to the city centre, once both exist."""
    clerk = User.objects.filter(login_name=DEMO_CLERK).first()
    hall = Hall.objects.filter(code=CITY_CENTRE).first()
    if clerk is None or hall is None or HallStaff.objects.filter(user=clerk, hall=hall).exists():
        return 0
    hall_staff_assign(user=clerk, hall=hall)
    return 1


@transaction.atomic
def load() -> int:
    """Creates the demo halls, their hours, windows and items; returns the rows created."""
    bookable = list(published_items().filter(appointment=True))
    made = 0
    for order, spec in enumerate(HALLS):
        hall, created = _hall(spec, order)
        items = _items_for(spec, hall.district, bookable)
        made += created + _windows(hall, spec, items) + _hall_items(hall, spec, items)
    if made:
        # Guide pages list the halls that handle their item: cached pages must be rendered again.
        CatalogState.bump()
    return made + assign_demo_clerk()
