"""Applying: answers checked field by field, materials checked by content, what the account
knows filled in, drafts, idempotent submission with receipts numbered without gaps."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.utils import translation

from citygate.accounts.models import User, VerificationLevel
from citygate.applications import services
from citygate.applications.models import Application, Draft, Material
from citygate.applications.tests.conftest import (
    ID_NUMBER,
    JPEG,
    MINIMUM_LIVING,
    MONDAY_MORNING,
    NAME,
    PDF,
    PHONE,
    PNG,
    RESIDENCE_PERMIT,
    Submit,
    demo_item,
    materials_for,
    upload,
)
from citygate.core.errors import ApplicationError, InvalidInput, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def submit_with(
    applicant: User, code: str, answers: Mapping[str, object], key: str = "k-1"
) -> services.Submission:
    item = demo_item(code)
    materials = materials_for(applicant, item)
    return services.application_submit(
        applicant=applicant,
        item_code=code,
        answers=answers,
        material_ids=[m.pk for m in materials],
        idempotency_key=key,
        now=MONDAY_MORNING,
    )


LIVING = {"household_size": "3", "monthly_income": "2,500.5", "address": "苏州市姑苏区人民路100号"}


def test_answers_are_cleaned_and_the_verified_identity_is_kept_not_asked(resident: User) -> None:
    application = submit_with(resident, MINIMUM_LIVING, LIVING).application
    stored = json.loads(Application.objects.get(pk=application.pk).answers)
    assert stored["fields"] == {
        "household_size": 3,
        "monthly_income": "2500.50",
        "address": "苏州市姑苏区人民路100号",
    }
    assert stored["verified"] == {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}


def test_answers_are_encrypted_at_rest(resident: User) -> None:
    from django.db import connection

    application = submit_with(resident, MINIMUM_LIVING, LIVING).application
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT answers FROM applications_application WHERE id = %s",
            [application.pk.hex if connection.vendor == "sqlite" else application.pk],
        )
        raw = cursor.fetchone()[0]
    for personal in ("人民路", NAME, ID_NUMBER):
        assert personal not in raw


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({**LIVING, "household_size": "2.5"}, "answers.household_size"),
        ({**LIVING, "household_size": "0"}, "answers.household_size"),
        ({**LIVING, "monthly_income": "1.234"}, "answers.monthly_income"),
        ({**LIVING, "monthly_income": "很多"}, "answers.monthly_income"),
        ({**LIVING, "address": ""}, "answers.address"),
        ({**LIVING, "address": "第一行\n第二行"}, "answers.address"),
        ({**LIVING, "address": "x" * 201}, "answers.address"),
        ({**LIVING, "address": ["a list"]}, "answers.address"),
        ({**LIVING, "nickname": "小林"}, "answers.nickname"),
    ],
)
def test_a_bad_answer_names_its_field_and_nothing_is_saved(
    resident: User, answers: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        submit_with(resident, MINIMUM_LIVING, answers)
    assert field in refused.value.fields
    assert not Application.objects.exists()
    # The materials stay the person's, ready for the corrected attempt
    assert Material.objects.filter(owner=resident, application=None).exists()


def test_a_missing_required_material_names_the_upload(resident: User) -> None:
    item = demo_item(MINIMUM_LIVING)
    form = services.form_of(item)
    required = [u.key for u in form.uploads if u.required]
    assert required, "the residence permit's guide asks for materials"
    with pytest.raises(InvalidInput) as refused:
        services.application_submit(
            applicant=resident,
            item_code=MINIMUM_LIVING,
            answers=LIVING,
            material_ids=[],
            idempotency_key="k",
            now=MONDAY_MORNING,
        )
    assert set(refused.value.fields) == {f"materials.{key}" for key in required}


def test_the_form_asks_for_the_guides_materials_but_not_the_id_card_or_electronic_licences() -> (
    None
):
    item = demo_item(RESIDENCE_PERMIT)
    names = [u.name_zh for u in services.form_of(item).uploads]
    guide = item.guide
    assert "居民身份证" not in names
    for material in guide.materials:
        if material.e_licence:
            assert material.name not in names
    assert names  # the others are asked for


def test_the_same_key_and_request_return_the_first_application(resident: User) -> None:
    first = submit_with(resident, MINIMUM_LIVING, LIVING, key="same")
    item = demo_item(MINIMUM_LIVING)
    again = services.application_submit(
        applicant=resident,
        item_code=MINIMUM_LIVING,
        answers=LIVING,
        material_ids=[m.pk for m in first.application.materials.all()],
        idempotency_key="same",
        now=MONDAY_MORNING,
    )
    assert first.created
    assert not again.created
    assert again.application.pk == first.application.pk
    assert Application.objects.count() == 1
    assert item.pk == first.application.item_id


def test_the_same_key_with_a_different_request_is_a_conflict(resident: User) -> None:
    submit_with(resident, MINIMUM_LIVING, LIVING, key="same")
    with pytest.raises(ApplicationError) as conflict:
        submit_with(resident, MINIMUM_LIVING, {**LIVING, "household_size": "4"}, key="same")
    assert (conflict.value.code, conflict.value.status) == ("idempotency_conflict", 409)


@pytest.mark.parametrize("key", ["", " ", "x" * 81, "键", "a\nb"])
def test_an_unusable_idempotency_key_is_refused(resident: User, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        submit_with(resident, MINIMUM_LIVING, LIVING, key=key)
    assert "idempotency_key" in refused.value.fields


def test_numbers_count_up_within_a_day(resident: User, submit: Submit) -> None:
    numbers = [submit(resident, RESIDENCE_PERMIT).number for _ in range(3)]
    assert numbers == ["SQ20260928000001", "SQ20260928000002", "SQ20260928000003"]


def test_an_unverified_account_is_asked_to_verify_first(db: None) -> None:
    from citygate.privacy.testing import consent_all_required

    person = User.objects.create_user(phone="19999990488")
    consent_all_required(person)
    assert person.verification_level == VerificationLevel.PHONE
    with pytest.raises(ApplicationError) as refused:
        submit_with(person, MINIMUM_LIVING, LIVING)
    assert refused.value.code == "real_name_required"


def test_an_item_that_cannot_be_applied_for_online_is_refused(resident: User) -> None:
    item = demo_item("SZ-GA-0004")  # 临时居民身份证申领: issued at the window on the spot
    assert not item.guide.can_apply_online
    with pytest.raises(ApplicationError) as refused:
        services.application_submit(
            applicant=resident,
            item_code=item.code,
            answers={},
            material_ids=[],
            idempotency_key="k",
            now=MONDAY_MORNING,
        )
    assert refused.value.code == "not_online"
    with pytest.raises(NotFound):
        services.applicable_item("SZ-NOPE-9999")


def test_a_material_of_someone_else_cannot_be_handed_in(
    resident: User, other_resident: User
) -> None:
    item = demo_item(MINIMUM_LIVING)
    theirs = materials_for(other_resident, item)
    with pytest.raises(InvalidInput) as refused:
        services.application_submit(
            applicant=resident,
            item_code=MINIMUM_LIVING,
            answers=LIVING,
            material_ids=[m.pk for m in theirs],
            idempotency_key="k",
            now=MONDAY_MORNING,
        )
    assert "material_ids" in refused.value.fields


def test_a_material_already_handed_in_cannot_be_handed_in_again(resident: User) -> None:
    first = submit_with(resident, MINIMUM_LIVING, LIVING, key="one")
    with pytest.raises(InvalidInput):
        services.application_submit(
            applicant=resident,
            item_code=MINIMUM_LIVING,
            answers=LIVING,
            material_ids=[m.pk for m in first.application.materials.all()],
            idempotency_key="two",
            now=MONDAY_MORNING,
        )


def slot_key() -> str:
    return services.form_of(demo_item(MINIMUM_LIVING)).uploads[0].key


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 a program", "scan.pdf", "Upload a PDF, JPEG or PNG file."),
        (PNG, "photo.jpg", "The file's name does not match what it contains."),
        (
            PDF + b"<< /S /JavaScript /JS (app.alert(1)) >>",
            "scan.pdf",
            "PDF files with scripts or attachments are not accepted.",
        ),
        (b"", "empty.pdf", "The file is empty."),
        (b"plain text", "notes", "Upload a PDF, JPEG or PNG file."),
    ],
)
def test_a_file_is_checked_by_its_content_not_its_name(
    resident: User, content: bytes, name: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.material_upload(
            owner=resident, upload=upload(content, name), item_code=MINIMUM_LIVING, key=slot_key()
        )
    assert refused.value.fields["file"] == message
    assert not Material.objects.exists()


def test_a_good_file_is_stored_under_its_id_not_its_name(resident: User) -> None:
    material = services.material_upload(
        owner=resident,
        upload=upload(JPEG, "林晓梅的身份证.jpg"),
        item_code=MINIMUM_LIVING,
        key=slot_key(),
    )
    assert material.content_type == "image/jpeg"
    stored = str(material.file.name)
    assert "林晓梅" not in stored
    assert str(material.id) in stored
    assert material.original_name == "林晓梅的身份证.jpg"


def test_a_file_over_the_slots_limit_is_refused(resident: User) -> None:
    big = PDF + b"0" * (10 * 2**20)
    with pytest.raises(InvalidInput) as refused:
        services.material_upload(
            owner=resident, upload=upload(big), item_code=MINIMUM_LIVING, key=slot_key()
        )
    assert "10 MB" in str(refused.value.fields["file"])


def test_an_unknown_upload_slot_is_refused(resident: User) -> None:
    demo_item(MINIMUM_LIVING)
    with pytest.raises(InvalidInput) as refused:
        services.material_upload(
            owner=resident, upload=upload(), item_code=MINIMUM_LIVING, key="nope"
        )
    assert "key" in refused.value.fields


def test_a_draft_keeps_a_partial_form_and_is_gone_after_submission(resident: User) -> None:
    demo_item(MINIMUM_LIVING)
    draft = services.draft_save(
        applicant=resident, item_code=MINIMUM_LIVING, answers={"household_size": "3"}
    )
    assert json.loads(draft.answers) == {"household_size": 3}
    with pytest.raises(InvalidInput):
        services.draft_save(
            applicant=resident, item_code=MINIMUM_LIVING, answers={"household_size": "many"}
        )
    submit_with(resident, MINIMUM_LIVING, LIVING)
    assert not Draft.objects.filter(applicant=resident).exists()


def test_the_receipt_message_names_no_personal_data(resident: User) -> None:
    from citygate.inbox.models import Message

    application = submit_with(resident, MINIMUM_LIVING, LIVING).application
    message = Message.objects.get(recipient=resident, template="applications.submitted")
    text = json.dumps(message.params, ensure_ascii=False)
    assert application.number in text
    for personal in (NAME, ID_NUMBER, PHONE, "人民路"):
        assert personal not in text


def test_personal_data_never_reaches_the_log(
    resident: User, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    submit_with(resident, MINIMUM_LIVING, LIVING)
    services.material_upload(
        owner=resident,
        upload=upload(PDF, "林晓梅-320508199001011236.pdf"),
        item_code=MINIMUM_LIVING,
        key=slot_key(),
    )
    with pytest.raises(InvalidInput):
        submit_with(
            resident,
            MINIMUM_LIVING,
            {**LIVING, "address": "苏州市吴中区木渎镇1号\n2"},
            key=str(uuid.uuid4()),
        )
    logged = capsys.readouterr().err + caplog.text
    for personal in (NAME, ID_NUMBER, PHONE, "人民路", "木渎镇", "林晓梅"):
        assert personal not in logged


FOREIGN_INVESTMENT_REPORT = "SZ-SHW-0001"  # 外商投资企业信息报告: enterprises only


def enterprise_of(person: User, code: str = "91320594MA1QDEM01A") -> Any:
    from django.utils import timezone

    from citygate.accounts.models import Enterprise

    return Enterprise.objects.create(
        credit_code=code,
        name="苏州金鸡湖精密制造有限公司",
        legal_rep=person,
        verified_at=timezone.now(),
    )


def test_an_enterprise_item_is_applied_for_an_enterprise_the_applicant_represents(
    resident: User, other_resident: User
) -> None:
    item = demo_item(FOREIGN_INVESTMENT_REPORT)
    materials = [m.pk for m in materials_for(resident, item)]

    def apply(enterprise_id: uuid.UUID | None, key: str) -> services.Submission:
        return services.application_submit(
            applicant=resident,
            item_code=item.code,
            answers={},
            material_ids=materials,
            idempotency_key=key,
            enterprise_id=enterprise_id,
            now=MONDAY_MORNING,
        )

    with pytest.raises(InvalidInput) as unnamed:
        apply(None, "e-1")
    assert unnamed.value.fields == {"enterprise": "Choose the enterprise you apply for."}
    theirs = enterprise_of(other_resident)
    with pytest.raises(InvalidInput) as not_mine:
        apply(theirs.pk, "e-2")
    assert not_mine.value.fields == {"enterprise": "You do not act for this enterprise."}
    mine = enterprise_of(resident, "91320505MA1XJY2K2Y")

    application = apply(mine.pk, "e-3").application

    assert application.enterprise == mine
    verified = json.loads(Application.objects.get(pk=application.pk).answers)["verified"]
    assert verified["credit_code"] == "91320505MA1XJY2K2Y"


def test_a_personal_item_is_not_applied_for_an_enterprise(resident: User) -> None:
    mine = enterprise_of(resident)
    with pytest.raises(InvalidInput) as refused:
        services.application_submit(
            applicant=resident,
            item_code=demo_item(RESIDENCE_PERMIT).code,
            answers={},
            material_ids=[],
            idempotency_key="p-1",
            enterprise_id=mine.pk,
            now=MONDAY_MORNING,
        )
    assert "enterprise" in refused.value.fields


def test_a_pdf_hiding_a_script_behind_escapes_or_compression_is_refused() -> None:
    import io
    import zlib

    from citygate.applications.files import FileRefused, sniff

    escaped = PDF + b"<< /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> >>"
    packed = zlib.compress(b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
    in_stream = (
        PDF + b"1 0 obj << /Type /ObjStm /Filter /FlateDecode >> stream\n" + packed + b"\nendstream"
    )
    for content in (escaped, in_stream):
        with pytest.raises(FileRefused) as refused:
            sniff(io.BytesIO(content), "scan.pdf")
        assert refused.value.reason == "active"
    # A compressed page of drawing is fine
    page = (
        PDF
        + b"2 0 obj << /Filter /FlateDecode >> stream\n"
        + zlib.compress(b"0 0 m 10 10 l S")
        + b"\nendstream"
    )
    assert sniff(io.BytesIO(page), "scan.pdf").kind == "pdf"


def test_a_wrong_answer_and_a_missing_material_are_named_together(resident: User) -> None:
    demo_item(MINIMUM_LIVING)
    with pytest.raises(InvalidInput) as refused:
        services.application_submit(
            applicant=resident,
            item_code=MINIMUM_LIVING,
            answers={**LIVING, "household_size": "many"},
            material_ids=[],
            idempotency_key="both",
            now=MONDAY_MORNING,
        )
    fields = set(refused.value.fields)
    assert "answers.household_size" in fields
    assert any(name.startswith("materials.") for name in fields)
