"""``manage.py load_demo_data``: a named persona for every role, for development and demos.

Idempotent: `make run` calls it on every start; it creates what is missing and otherwise says
the data is already loaded. It refuses to run unless DEBUG is on (``--force`` overrides), as
it creates staff accounts with published passwords and TOTP secrets.

Phone numbers are in the fictional 199 9999 00xx range; ID numbers have valid check characters
but belong to nobody we know of. docs/personas.md lists every persona and how to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone, translation

from citygate.accounts import services
from citygate.accounts.models import Enterprise, User
from citygate.applications import demo as applications_demo
from citygate.campaigns import demo as campaigns_demo
from citygate.catalog import demo as catalog_demo
from citygate.directory.models import Department, District
from citygate.feed import demo as feed_demo
from citygate.halls import demo as halls_demo
from citygate.news import demo as news_demo
from citygate.privacy.models import ConsentChannel


@dataclass(frozen=True)
class Resident:
    key: str
    role: str
    phone: str
    language: str
    elderly_mode: bool = False
    name: str = ""
    id_number: str = ""


@dataclass(frozen=True)
class Staff:
    login_name: str
    role: str
    department: str | None
    password: str
    totp_secret: str


RESIDENTS = (
    # 80 years old, born in the former 沧浪区 (320502, merged into 姑苏区 in 2012): her number
    # keeps the retired code. Uses elderly mode.
    Resident(
        "wang_xiuying",
        "resident (elderly, real-name)",
        "19999990001",
        "zh-hans",
        elderly_mode=True,
        name="王秀英",
        id_number="320502194803050021",
    ),
    Resident("chen_siyuan", "resident (young, phone only)", "19999990002", "zh-hans"),
    Resident("emma_schmidt", "resident (foreign, English, phone only)", "19999990003", "en"),
    Resident(
        "zhou_jianhua",
        "enterprise legal representative",
        "19999990004",
        "zh-hans",
        name="周建华",
        id_number="320583197806120031",
    ),
    Resident(
        "wu_ting",
        "enterprise agent",
        "19999990005",
        "zh-hans",
        name="吴婷",
        id_number="32050619900923004X",
    ),
)

# A fictional manufacturer in Suzhou Industrial Park (registration division 320594).
ENTERPRISE_CODE = "91320594MA1QDEM01A"
ENTERPRISE_NAME = "苏州金鸡湖精密制造有限公司"
AGENT_DAYS = 365

STAFF = (
    Staff(
        "demo.clerk",
        "clerk",
        "public-security",
        "citygate-demo-clerk",
        "EIBZMF5MHTEDNB3THEN4ZJWHOQBIL2N5",
    ),
    # Publishes what demo.clerk drafts: a guide needs a second person of the department.
    Staff(
        "demo.ps-admin",
        "department_admin",
        "public-security",
        "citygate-demo-ps-admin",
        "6CGT7FXMT67TDWFSUXZ4CJV5GNKNUIGG",
    ),
    Staff(
        "demo.hr-admin",
        "department_admin",
        "human-resources",
        "citygate-demo-hr-admin",
        "N7BSX4RPD7QM3SDDS63WOF3D37LRICJ5",
    ),
    Staff(
        "demo.editor",
        "editor",
        "broadcasting",
        "citygate-demo-editor",
        "ZL5RLREL5HMWXPRHEDMWWEVRNYEX4GID",
    ),
    Staff(
        "demo.operator",
        "operator",
        "big-data",
        "citygate-demo-operator",
        "PKQFGKGWGAEE4DBQPQK26GCUOIYIFPRL",
    ),
    Staff(
        "demo.auditor",
        "auditor",
        None,
        "citygate-demo-auditor",
        "UQLBLUISKTXKZ4UFYLSYXYENDEPIQNWV",
    ),
)


class Command(BaseCommand):
    help = "Load the demo personas (residents, enterprise, staff) once; DEBUG only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even though DEBUG is off (never in production)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Demo data holds published passwords; it loads only with DEBUG on (or --force)."
            )
        if not District.objects.exists() or not Department.objects.exists():
            raise CommandError("Departments and districts are missing: run migrate first.")

        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            created = self._load()
        if not created:
            self.stdout.write("Demo data is already loaded.")
            return
        self.stdout.write(f"Loaded demo data: {', '.join(created)}.")
        self.stdout.write("Personas and how to sign in: docs/personas.md")

    def _load(self) -> list[str]:
        created: list[str] = []
        people: dict[str, User] = {}
        for resident in RESIDENTS:
            user, new = self._resident(resident)
            people[resident.key] = user
            if new:
                created.append(resident.key)

        if not Enterprise.objects.filter(credit_code=ENTERPRISE_CODE).exists():
            enterprise = services.enterprise_register(
                user=people["zhou_jianhua"], credit_code=ENTERPRISE_CODE, name=ENTERPRISE_NAME
            )
            services.enterprise_agent_authorise(
                enterprise=enterprise,
                by=people["zhou_jianhua"],
                phone=RESIDENTS[4].phone,
                valid_until=timezone.localdate() + timedelta(days=AGENT_DAYS),
            )
            created.append("enterprise")

        for staff in STAFF:
            if not User.objects.filter(login_name=staff.login_name).exists():
                services.staff_create(
                    login_name=staff.login_name,
                    password=staff.password,
                    role=staff.role,
                    department_code=staff.department,
                    totp_secret=staff.totp_secret,
                )
                created.append(staff.login_name)

        items = catalog_demo.load()
        if items:
            created.append(f"{items} service items")
        # Halls handle published items and take the demo clerk on: after both exist.
        halls = halls_demo.load()
        if halls:
            created.append(f"{halls} hall rows")
        # Applications need the people, the items and the demo clerk's hall.
        applications = applications_demo.load()
        if applications:
            created.append(f"{applications} applications")
        # Stories are written by demo.editor and reviewed by the news demo's own editors.
        stories = news_demo.load()
        if stories:
            created.append(f"{stories} news stories")
        feeds = feed_demo.load()
        if feeds:
            created.append(f"{feeds} residents' news feeds")
        # Campaigns need the demo staff, the stories and the residents' districts.
        campaigns = campaigns_demo.load()
        if campaigns:
            created.append(f"{campaigns} campaigns")
        return created

    def _resident(self, resident: Resident) -> tuple[User, bool]:
        existing = User.objects.filter(phone_index=services.phone_index(resident.phone)).first()
        if existing is not None:
            return existing, False
        user = services.user_register(
            phone=resident.phone, language=resident.language, channel=ConsentChannel.APP
        )
        if resident.elderly_mode:
            services.user_preferences_update(user=user, elderly_mode=True)
        if resident.id_number:
            user = services.user_real_name_verify(
                user=user,
                name=resident.name,
                id_number=resident.id_number,
                consent=True,
                channel=ConsentChannel.APP,
            )
        return user, True
