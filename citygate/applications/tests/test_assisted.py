"""帮办代办: a centre's clerk applies for a resident who confirmed by SMS code or signed paper;
a family member applies for the person who authorised them, for those items, until then."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from citygate.accounts.models import SmsOutboxMessage, User
from citygate.applications import assisted, selectors
from citygate.applications.models import Application, Confirmation
from citygate.applications.tests.conftest import (
    FAMILY_PHONE,
    MINIMUM_LIVING,
    MONDAY,
    PHONE,
    RESIDENCE_PERMIT,
    demo_item,
    make_resident,
    make_staff,
    materials_for,
    upload,
)
from citygate.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from citygate.halls.models import Hall, HallStaff
from citygate.halls.tests.conftest import make_hall
from citygate.inbox.models import Message
from citygate.privacy.models import AccessRecord

pytestmark = pytest.mark.django_db

LIVING = {"household_size": 1, "monthly_income": "900", "address": "苏州市吴江区松陵镇1号"}


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def centre(db: None) -> Hall:
    return make_hall("street-centre")


@pytest.fixture
def centre_clerk(centre: Hall) -> User:
    clerk = make_staff("clerk.centre", "civil-affairs")
    HallStaff.objects.create(user=clerk, hall=centre)
    return clerk


def sent_code() -> str:
    message = SmsOutboxMessage.objects.order_by("-created_at").first()
    assert message is not None
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", message.text)
    assert found is not None
    return found.group(1)


def assisted_submit(clerk: User, resident: User, session_id: uuid.UUID) -> Application:
    item = demo_item(MINIMUM_LIVING)
    materials = [m.pk for m in materials_for(resident, item)]
    return assisted.assisted_submit(
        clerk=clerk,
        session_id=session_id,
        item_code=MINIMUM_LIVING,
        answers=LIVING,
        material_ids=materials,
        idempotency_key="desk-1",
    ).application


def test_a_clerk_applies_for_a_resident_who_reads_out_the_sms_code(
    resident: User,
    centre: Hall,
    centre_clerk: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # When the clerk finds the resident by phone, a code goes to the resident's phone
    with django_capture_on_commit_callbacks(execute=True):
        started = assisted.assisted_start(clerk=centre_clerk, centre_id=centre.pk, phone=PHONE)
    assert started.code_sent
    message = SmsOutboxMessage.objects.get()
    assert centre.name_en in message.text or centre.name_zh in message.text
    # The search was recorded against the resident
    assert (
        AccessRecord.objects.filter(
            subject=resident, actor=centre_clerk, purpose="service_hall_assist"
        ).count()
        == 1
    )

    # A wrong code says how many tries are left; the right one opens the session
    with pytest.raises(InvalidInput) as wrong:
        assisted.assisted_confirm_code(
            clerk=centre_clerk,
            session_id=started.session.pk,
            code="000000" if sent_code() != "000000" else "111111",
        )
    assert "4 tries left" in str(wrong.value.fields["code"])
    session = assisted.assisted_confirm_code(
        clerk=centre_clerk, session_id=started.session.pk, code=sent_code()
    )
    assert session.confirmation == Confirmation.SMS

    application = assisted_submit(centre_clerk, resident, session.pk)

    # The application is the resident's, marked as made for them at the centre
    assert application.applicant == resident
    assert (application.channel, application.centre, application.submitted_by) == (
        "assisted",
        centre,
        centre_clerk,
    )
    assert application.confirmation == "sms"
    assert application.events.get(seq=1).actor_role == "centre"
    assert list(selectors.my_applications(user=resident)) == [application]
    assert (
        Message.objects.filter(
            recipient=resident, template="applications.submitted_for_you"
        ).count()
        == 1
    )


def test_someone_without_a_phone_confirms_on_signed_paper(centre: Hall, centre_clerk: User) -> None:
    from citygate.privacy.testing import consent_all_required

    elder = User.objects.create_user(name="钱老伯")
    elder.id_number = "320508193501011231"
    elder.verification_level = 3
    elder.save()
    consent_all_required(elder)

    started = assisted.assisted_start(
        clerk=centre_clerk, centre_id=centre.pk, id_number="320508193501011231"
    )
    assert not started.code_sent
    with pytest.raises(InvalidInput):
        assisted.assisted_confirm_code(
            clerk=centre_clerk, session_id=started.session.pk, code="123456"
        )
    session = assisted.assisted_confirm_paper(
        clerk=centre_clerk, session_id=started.session.pk, upload=upload()
    )
    assert session.confirmation == Confirmation.PAPER
    assert session.paper_form is not None
    assert session.paper_form.owner == elder

    application = assisted_submit(centre_clerk, elder, session.pk)
    assert application.applicant == elder
    assert application.confirmation == "paper"


def test_a_clerk_not_assigned_to_the_centre_cannot_start(resident: User, centre: Hall) -> None:
    stranger = make_staff("clerk.elsewhere", "civil-affairs")
    with pytest.raises(PermissionDenied):
        assisted.assisted_start(clerk=stranger, centre_id=centre.pk, phone=PHONE)


def test_an_unconfirmed_or_expired_session_cannot_submit(
    resident: User,
    centre: Hall,
    centre_clerk: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        started = assisted.assisted_start(clerk=centre_clerk, centre_id=centre.pk, phone=PHONE)
    with pytest.raises(NotFound):
        assisted_submit(centre_clerk, resident, started.session.pk)
    later = timezone.now() + timedelta(minutes=11)
    with pytest.raises(ApplicationError) as expired:
        assisted.assisted_confirm_code(
            clerk=centre_clerk, session_id=started.session.pk, code=sent_code(), now=later
        )
    assert expired.value.code == "code_expired"


def test_five_wrong_codes_end_the_session(resident: User, centre: Hall, centre_clerk: User) -> None:
    started = assisted.assisted_start(clerk=centre_clerk, centre_id=centre.pk, phone=PHONE)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            assisted.assisted_confirm_code(
                clerk=centre_clerk, session_id=started.session.pk, code="x"
            )
    with pytest.raises(ApplicationError) as locked:
        assisted.assisted_confirm_code(
            clerk=centre_clerk, session_id=started.session.pk, code="123456"
        )
    assert locked.value.code == "code_expired"


# --- Family members ----------------------------------------------------------------------------


@pytest.fixture
def member(db: None) -> User:
    return make_resident(FAMILY_PHONE, name="林小明")


def grant(resident: User, *codes: str, until: date | None = None) -> Any:
    for code in codes:
        demo_item(code)
    return assisted.authorisation_grant(
        grantor=resident,
        grantee_phone=FAMILY_PHONE,
        item_codes=list(codes),
        relation="child",
        valid_until=until or timezone.localdate() + timedelta(days=90),
    )


def family_submit(
    member: User, resident: User, code: str = MINIMUM_LIVING, key: str = "fam-1"
) -> Application:
    item = demo_item(code)
    materials = [m.pk for m in materials_for(resident, item)]
    answers = LIVING if code == MINIMUM_LIVING else {}
    return assisted.family_submit(
        member=member,
        grantor_id=resident.pk,
        item_code=code,
        answers=answers,
        material_ids=materials,
        idempotency_key=key,
    ).application


def test_an_authorised_family_member_applies_and_answers_for_the_person(
    resident: User, member: User
) -> None:
    grant(resident, MINIMUM_LIVING)
    application = family_submit(member, resident)
    assert application.applicant == resident
    assert (application.channel, application.submitted_by) == ("family", member)
    assert application in selectors.my_applications(user=member)
    assert application in selectors.my_applications(user=resident)
    assert Message.objects.filter(
        recipient=resident, template="applications.submitted_by_family"
    ).exists()
    # The member may withdraw for the person (the applicant's actions are theirs too)
    from citygate.applications.services import application_act

    application_act(actor=member, application_id=application.pk, action="withdraw")
    assert application.events.order_by("-seq").first().actor_role == "family"  # type: ignore[union-attr]


def test_the_authorisation_covers_only_its_items_and_its_time(resident: User, member: User) -> None:
    authorisation = grant(resident, MINIMUM_LIVING)
    demo_item(RESIDENCE_PERMIT)
    with pytest.raises(NotFound):
        family_submit(member, resident, RESIDENCE_PERMIT)
    assisted.authorisation_revoke(grantor=resident, authorisation_id=authorisation.pk)
    with pytest.raises(NotFound):
        family_submit(member, resident, key="fam-2")


def test_an_authorisation_that_ended_yesterday_covers_nothing(resident: User, member: User) -> None:
    authorisation = grant(resident, MINIMUM_LIVING)
    type(authorisation).objects.filter(pk=authorisation.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(NotFound):
        family_submit(member, resident)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"grantee_phone": "12345"}, "grantee_phone"),
        ({"grantee_phone": "19999990999"}, "grantee_phone"),  # no such account
        ({"grantee_phone": PHONE}, "grantee_phone"),  # oneself
        ({"relation": "boss"}, "relation"),
        ({"valid_until": MONDAY - timedelta(days=400)}, "valid_until"),
        ({"item_codes": []}, "item_codes"),
        ({"item_codes": ["SZ-GA-0004"]}, "item_codes"),  # not online
    ],
)
def test_a_bad_authorisation_names_its_field(
    resident: User, member: User, changes: dict[str, Any], field: str
) -> None:
    demo_item(MINIMUM_LIVING)
    demo_item("SZ-GA-0004")
    given: dict[str, Any] = {
        "grantee_phone": FAMILY_PHONE,
        "item_codes": [MINIMUM_LIVING],
        "relation": "child",
        "valid_until": timezone.localdate() + timedelta(days=30),
    }
    given.update(changes)
    with pytest.raises(InvalidInput) as refused:
        assisted.authorisation_grant(grantor=resident, **given)
    assert field in refused.value.fields


def test_a_revoked_family_member_no_longer_sees_what_they_made(
    resident: User, member: User
) -> None:
    authorisation = grant(resident, MINIMUM_LIVING)
    application = family_submit(member, resident)
    assert application in selectors.my_applications(user=member)
    assisted.authorisation_revoke(grantor=resident, authorisation_id=authorisation.pk)
    assert application not in selectors.my_applications(user=member)
    assert application in selectors.my_applications(user=resident)


def test_the_signed_paper_goes_with_the_application_and_its_clerk_cannot_handle_it(
    centre: Hall, centre_clerk: User
) -> None:
    from citygate.applications import services
    from citygate.applications.tests.conftest import id_number_for
    from citygate.privacy.testing import consent_all_required

    elder = User.objects.create_user(name="钱老伯")
    elder.id_number = id_number_for(901)
    elder.verification_level = 3
    elder.save()
    consent_all_required(elder)
    started = assisted.assisted_start(
        clerk=centre_clerk, centre_id=centre.pk, id_number=elder.id_number
    )
    session = assisted.assisted_confirm_paper(
        clerk=centre_clerk, session_id=started.session.pk, upload=upload()
    )
    application = assisted_submit(centre_clerk, elder, session.pk)

    # The department sees the signed form among the application's materials
    assert session.paper_form is not None
    session.paper_form.refresh_from_db()
    assert session.paper_form.application == application
    assert application.assisted_session_id == session.pk
    # The clerk who made it (a clerk of the department too) does not also handle it
    with pytest.raises(NotFound):
        services.application_act(actor=centre_clerk, application_id=application.pk, action="accept")
