"""Fixtures of the applications tests: demo items, verified residents, clerks of departments.

Services take `now`, so that the tests run in a real week of the calendar: MONDAY_MORNING is
Monday 2026-09-28 at 09:00 in Suzhou, three days before the National Day holiday (2026-10-01
to 10-07; Saturday 10-10 is an exchanged working day).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import date, datetime, time
from functools import cache
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from citygate.accounts.models import StaffRole, User, VerificationLevel
from citygate.accounts.roles import Role
from citygate.accounts.testing import signed_in_client
from citygate.applications import services
from citygate.applications.models import Application, Material
from citygate.catalog import demo
from citygate.catalog.content import ItemRecord
from citygate.catalog.models import ServiceItem
from citygate.catalog.services import item_publish_demo
from citygate.directory.models import Department
from citygate.privacy.testing import consent_all_required

TZ = timezone.get_default_timezone()
MONDAY = date(2026, 9, 28)
MONDAY_MORNING = datetime(2026, 9, 28, 9, 0, tzinfo=TZ)
# Fictional numbers and people: the 199 9999 range belongs to nobody outside these tests.
PHONE = "19999990401"
OTHER_PHONE = "19999990402"
FAMILY_PHONE = "19999990403"
NAME = "林晓梅"
ID_NUMBER = "320508199001011232"

# 居住证申领 (public security): default procedure, promised 7 working days.
RESIDENCE_PERMIT = "SZ-GA-0005"
# 最低生活保障申请 (civil affairs): two-level procedure, promised 20 working days.
MINIMUM_LIVING = "SZ-MZ-0002"
# 食品经营许可证核发 (market regulation): with a site inspection, promised 3 days.
FOOD_LICENCE = "SZ-SJ-0003"
# 普通护照签发 (public security): with a fee, promised 7 days.
PASSPORT = "SZ-GA-0014"

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


@cache
def _records() -> dict[str, ItemRecord]:
    return {record.code: record for record in demo.records()}


def demo_item(code: str) -> ServiceItem:
    """One item of the demo catalogue, published (the others are not loaded)."""
    found = ServiceItem.objects.filter(code=code, status="published").first()
    return found or item_publish_demo(record=_records()[code])


def id_number_for(serial: int) -> str:
    """A well-formed GB 11643 number (Gusu district, born 1990-01-01) for a test person."""
    body = f"32050819900101{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def make_resident(phone: str, *, name: str = NAME, id_number: str = "") -> User:
    """A real-name verified resident; the ID number follows from the phone unless given."""
    user = User.objects.create_user(phone=phone, name=name)
    user.id_number = id_number or (ID_NUMBER if phone == PHONE else id_number_for(int(phone[-3:])))
    user.verification_level = VerificationLevel.REAL_NAME
    user.verified_at = timezone.now()
    user.save()
    consent_all_required(user)
    return user


def make_staff(login_name: str, department: str, role: str = Role.CLERK) -> User:
    user = User.objects.create_user(login_name=login_name, name="王建国")
    StaffRole.objects.create(
        user=user, role=role, department=Department.objects.get(code=department)
    )
    return user


signed_in = signed_in_client


def upload(content: bytes = PDF, name: str = "scan.pdf") -> SimpleUploadedFile:
    types = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
    return SimpleUploadedFile(name, content, content_type=types.get(name[-3:], "text/plain"))


def materials_for(applicant: User, item: ServiceItem) -> list[Material]:
    """One PDF for every required upload of the item's form."""
    form = services.form_of(item)
    return [
        services.material_upload(owner=applicant, upload=upload(), item_code=item.code, key=u.key)
        for u in form.uploads
        if u.required
    ]


Submit = Callable[..., Application]


@pytest.fixture
def submit() -> Submit:
    """Submits a complete application for `code` by `applicant` at `now`."""

    def run(
        applicant: User, code: str, *, now: datetime = MONDAY_MORNING, **answers: Any
    ) -> Application:
        item = demo_item(code)
        form = services.form_of(item)
        given: dict[str, Any] = {}
        for spec in form.fields:
            if spec.required:
                given[spec.name] = _sample(spec)
        given.update(answers)
        materials = materials_for(applicant, item)
        return services.application_submit(
            applicant=applicant,
            item_code=code,
            answers=given,
            material_ids=[m.pk for m in materials],
            idempotency_key=str(uuid.uuid4()),
            now=now,
        ).application

    return run


def _sample(spec: Any) -> Any:
    samples = {
        "text": "苏州市姑苏区人民路100号",
        "textarea": "说明",
        "integer": 3,
        "money": "2500.00",
        "date": "2026-10-12",
        "boolean": True,
        "phone": "19999990499",
    }
    if spec.type == "choice":
        return spec.choices[0].value
    return samples[spec.type]


@pytest.fixture
def resident(db: None) -> User:
    return make_resident(PHONE)


@pytest.fixture
def other_resident(db: None) -> User:
    return make_resident(OTHER_PHONE, name="赵一", id_number="320508198502023334")


@pytest.fixture
def police_clerk(db: None) -> User:
    return make_staff("clerk.police", "public-security")


@pytest.fixture
def police_admin(db: None) -> User:
    return make_staff("admin.police", "public-security", Role.DEPARTMENT_ADMIN)


@pytest.fixture
def civil_clerk(db: None) -> User:
    return make_staff("clerk.civil", "civil-affairs")


@pytest.fixture
def civil_admin(db: None) -> User:
    return make_staff("admin.civil", "civil-affairs", Role.DEPARTMENT_ADMIN)


@pytest.fixture
def civil_admin_two(db: None) -> User:
    return make_staff("admin.civil2", "civil-affairs", Role.DEPARTMENT_ADMIN)


def stream(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)
