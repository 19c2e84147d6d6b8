"""Demo applications: a few residents' applications in every kind of state, so that the
resident's pages and the clerk's workbench have something to show from the first start.

Made through the services, dated back from today so the queues are real: one new, one due
soon, one late, one waiting for materials, one waiting for a fee, one completed and rated, one
made at the city centre for an elderly resident, and a family authorisation. Loads once (when
no application exists) and only after the demo people, catalogue and halls.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from citygate.accounts.models import User
from citygate.accounts.services import phone_index
from citygate.applications import assisted, ratings, services
from citygate.applications.models import Application, Channel, Confirmation
from citygate.workdays.selectors import add_working_days, is_working_day

# A one-page PDF: what a scanned material looks like to the checks.
SCAN = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

WANG_XIUYING = "19999990001"
WU_TING = "19999990005"
ZHOU_JIANHUA = "19999990004"
CLERK = "demo.clerk"
PS_ADMIN = "demo.ps-admin"


@dataclass(frozen=True)
class Step:
    action: str
    days_after: int  # working days after submission
    given: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoApplication:
    phone: str
    code: str
    # Working days before today it was submitted.
    days_ago: int
    steps: tuple[Step, ...] = ()
    answers: dict[str, Any] = field(default_factory=dict)
    assisted_at_centre: bool = False
    rating: int | None = None


SUPPLEMENT = {"reason": "房屋租赁合同缺少出租人签名页", "materials": ["出租人签名的租赁合同"]}
APPLICATIONS = (
    # New today, in 市公安局's queue
    DemoApplication(WU_TING, "SZ-GA-0005", 0),
    # Six of its seven working days used: "due soon"
    DemoApplication(ZHOU_JIANHUA, "SZ-GA-0005", 6, (Step("accept", 1),)),
    # Past its promise: late
    DemoApplication(ZHOU_JIANHUA, "SZ-GA-0005", 9, (Step("accept", 1),)),
    # Waiting for the resident's materials
    DemoApplication(
        WU_TING, "SZ-GA-0005", 3, (Step("accept", 1), Step("request_supplement", 2, SUPPLEMENT))
    ),
    # Passed review, waiting for the fee
    DemoApplication(
        WU_TING,
        "SZ-GA-0014",
        2,
        (Step("accept", 0), Step("ask_for_fee", 1, {"amount": "120"})),
        answers={"destination": "other", "purpose": "tourism"},
    ),
    # Completed and rated
    DemoApplication(
        WANG_XIUYING,
        "SZ-GA-0009",
        5,
        (
            Step("accept", 0),
            Step("approve", 1),
            Step("complete", 1, {"result": "无犯罪记录证明已出具，可在电子证照中查看"}),
        ),
        rating=5,
    ),
    # Made for 王秀英 at the city centre, new in 市民政局's queue (no demo clerk there: it
    # stays as submitted)
    DemoApplication(WANG_XIUYING, "SZ-MZ-0003", 1, (Step("accept", 1),), assisted_at_centre=True),
)


def _person(phone: str) -> User | None:
    return User.objects.filter(phone_index=phone_index(phone)).first()


def _materials(owner: User, code: str, uploaded_by: User | None = None) -> list[uuid.UUID]:
    item = services.applicable_item(code)
    return [
        services.material_upload(
            owner=owner,
            upload=SimpleUploadedFile("scan.pdf", SCAN, content_type="application/pdf"),
            item_code=code,
            key=upload.key,
            uploaded_by=uploaded_by,
        ).pk
        for upload in services.form_of(item).uploads
        if upload.required
    ]


def _answers(code: str, given: dict[str, Any]) -> dict[str, Any]:
    item = services.applicable_item(code)
    samples = {
        "text": "苏州市姑苏区十全街100号",
        "integer": 1,
        "money": "1800",
        "phone": "19999990099",
    }
    answers: dict[str, Any] = {}
    for spec in services.form_of(item).fields:
        if spec.required and spec.name not in given:
            answers[spec.name] = (
                spec.choices[0].value if spec.choices else samples.get(spec.type, "—")
            )
    return {**answers, **given}


def _moment(working_days_ago: int, hour: int) -> datetime:
    """A time of day on the working day that many working days before today."""
    day = timezone.localdate()
    left = working_days_ago
    while left:
        day -= timedelta(days=1)
        left -= is_working_day(day)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())


def _staff(code: str) -> User | None:
    department = services.applicable_item(code).department.code
    return (
        User.objects.filter(
            staff_roles__department__code=department, login_name__startswith="demo."
        )
        .order_by("login_name")
        .first()
    )


def load() -> int:
    """Makes the demo applications; the number made (0 when they exist already)."""
    from citygate.halls.models import Hall, HallStaff

    if Application.objects.exists():
        return 0
    clerk = User.objects.filter(login_name=CLERK).first()
    centre = HallStaff.objects.filter(user=clerk).select_related("hall").first() if clerk else None
    made = 0
    for number, spec in enumerate(APPLICATIONS):
        person = _person(spec.phone)
        if person is None or not person.is_real_name_verified:
            continue
        submitted = _moment(spec.days_ago, 9 + number % 6)
        on_behalf = None
        uploader = None
        if spec.assisted_at_centre and clerk and centre:
            hall: Hall = centre.hall
            on_behalf = services.OnBehalf(
                channel=Channel.ASSISTED,
                submitted_by=clerk,
                centre_id=hall.pk,
                confirmation=Confirmation.PAPER,
                centre_name=hall.name_zh,
            )
            uploader = clerk
        application = services.application_submit(
            applicant=person,
            item_code=spec.code,
            answers=_answers(spec.code, spec.answers),
            material_ids=_materials(person, spec.code, uploader),
            idempotency_key=f"demo-{number}",
            on_behalf=on_behalf,
            now=submitted,
        ).application
        actor = _staff(spec.code)
        for step in spec.steps:
            if actor is None:
                break
            day = add_working_days(submitted.date(), step.days_after)
            moment = datetime.combine(
                min(day, timezone.localdate()), time(15), tzinfo=timezone.get_default_timezone()
            )
            services.application_act(
                actor=actor,
                application_id=application.pk,
                action=step.action,
                given=services.ActionInput(
                    reason=step.given.get("reason", ""),
                    materials=step.given.get("materials", []),
                    amount=step.given.get("amount", ""),
                    result=step.given.get("result", ""),
                ),
                now=moment,
            )
        if spec.rating is not None:
            ratings.rating_submit(
                rater=person,
                grade=spec.rating,
                tags=["quick", "one_visit"],
                application_id=application.pk,
            )
        made += 1
    granter = _person(WANG_XIUYING)
    if granter is not None and _person(WU_TING) is not None:
        assisted.authorisation_grant(
            grantor=granter,
            grantee_phone=WU_TING,
            item_codes=["SZ-MZ-0003", "SZ-GA-0009"],
            relation="other_relative",
            valid_until=timezone.localdate() + timedelta(days=180),
        )
    services.applications_deadlines_sweep()
    return made
