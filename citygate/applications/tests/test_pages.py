"""The resident's application pages over HTTP: applying with files, the receipt, my
applications, one application's history and actions, ratings, family members, and the
departments' figures."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citygate.accounts.models import User
from citygate.applications import services
from citygate.applications.models import (
    Application,
    Authorisation,
    Draft,
    Material,
    Phase,
    Rating,
)
from citygate.applications.services import ActionInput, application_act
from citygate.applications.tests.conftest import (
    FAMILY_PHONE,
    ID_NUMBER,
    MINIMUM_LIVING,
    NAME,
    PDF,
    PHONE,
    RESIDENCE_PERMIT,
    Submit,
    demo_item,
    make_resident,
    signed_in,
    upload,
)
from citygate.catalog import demo
from citygate.catalog.services import item_publish_demo
from citygate.privacy.masking import mask_id_number, mask_name, mask_phone
from citygate.privacy.testing import consent_all_required

pytestmark = pytest.mark.django_db

LIVING = {
    "answer_household_size": "3",
    "answer_monthly_income": "2500",
    "answer_address": "苏州市姑苏区人民路100号",
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def html_of(response: Any) -> str:
    return str(response.content.decode())


def apply_url(code: str) -> str:
    return f"/services/item/{code}/apply/"


def form_key(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert found is not None, "the form carries its idempotency key"
    return found.group(1)


def kept_ids(html: str, key: str) -> list[str]:
    return re.findall(rf'name="kept_{key}" value="([0-9a-f-]+)"', html)


def now() -> Any:
    return timezone.now()


def completed(application: Application, clerk: User) -> Application:
    for action, given in (
        ("accept", ActionInput()),
        ("approve", ActionInput()),
        ("complete", ActionInput(result="居住证已制证，请到派出所领取")),
    ):
        application = application_act(
            actor=clerk, application_id=application.pk, action=action, given=given
        )
    return application


# --- Apply ---------------------------------------------------------------------------------------


def test_apply_page_shows_what_the_account_fills_in_masked_and_does_not_ask_for_it(
    resident: User,
) -> None:
    # given
    item = demo_item(RESIDENCE_PERMIT)

    # when
    response = signed_in(resident, language="en").get(apply_url(item.code))

    # then
    assert response.status_code == 200
    html = html_of(response)
    assert "<h1>" in html
    assert html.count("<h1") == 1
    assert "7 working days" in html
    # (the project's one masking: the name keeps its first character)
    for masked in (mask_name(NAME), mask_id_number(ID_NUMBER), mask_phone(PHONE)):
        assert masked in html, masked
    for clear in (NAME, ID_NUMBER, PHONE):
        assert clear not in html, "a verified value is shown only masked"
    # ...and not asked again: no field for them, only the form's own fields and uploads
    assert not re.search(r'name="answer_(name|id_number|phone)"', html)
    assert 'name="answer_note"' in html
    assert 'enctype="multipart/form-data"' in html
    file_inputs = re.findall(r'<input type="file"[^>]*>', html)
    assert len(file_inputs) == 3
    assert all("multiple" in tag and ".pdf" in tag and "image/png" in tag for tag in file_inputs)
    assert "up to 10 MB each, at most 3 files" in html


def test_apply_page_signs_a_visitor_in_first(db: None) -> None:
    item = demo_item(RESIDENCE_PERMIT)

    response = Client().get(apply_url(item.code))

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_an_item_that_cannot_be_applied_for_online_has_no_apply_page(resident: User) -> None:
    # given a published item whose guide says it is handled at a window
    record = next(r for r in demo.records() if not r.content.can_apply_online)
    item = item_publish_demo(record=record)

    # then there is no such page, signed in or not
    assert signed_in(resident).get(apply_url(item.code)).status_code == 404
    assert Client().get(apply_url(item.code)).status_code == 404
    assert signed_in(resident).get(apply_url("SZ-NO-9999")).status_code == 404


def test_a_person_not_verified_is_told_why_and_sent_to_verify(db: None) -> None:
    # given an account known by its phone only
    person = User.objects.create_user(phone="19999990409")
    consent_all_required(person)
    item = demo_item(RESIDENCE_PERMIT)

    # when
    html = html_of(signed_in(person, language="en").get(apply_url(item.code)))

    # then
    assert "real-name verified account" in html
    assert 'href="/account/real-name/"' in html
    assert 'name="idempotency_key"' not in html


def test_a_bad_answer_shows_beside_its_field_and_the_uploaded_files_are_kept(
    resident: User,
) -> None:
    # given the form of 最低生活保障 with two required uploads
    item = demo_item(MINIMUM_LIVING)
    client = signed_in(resident, language="en")
    key = form_key(html_of(client.get(apply_url(item.code))))

    # when a household size that is not a number is sent with both files
    response = client.post(
        apply_url(item.code),
        {
            **LIVING,
            "answer_household_size": "three",
            "idempotency_key": key,
            "upload_m2": upload(PDF, "authorisation.pdf"),
            "upload_m3": upload(PDF, "income.pdf"),
        },
    )

    # then the message is beside the field and in the summary, and nothing is made
    assert response.status_code == 400
    html = html_of(response)
    assert re.search(r'id="answer-household_size-error">Enter a number\.<', html)
    assert '<a href="#answer-household_size">' in html
    assert re.search(r'aria-describedby="[^"]*answer-household_size-error"', html)
    assert not Application.objects.exists()
    # ...and both files stay attached, with their size and a way to remove them
    assert Material.objects.filter(owner=resident, application=None).count() == 2
    m2, m3 = kept_ids(html, "m2"), kept_ids(html, "m3")
    assert len(m2) == len(m3) == 1
    assert "Already attached" in html
    assert "authorisation.pdf" in html
    assert f'name="remove" value="{m2[0]}"' in html
    assert html.count(f"{len(PDF)}\xa0bytes") == 2  # filesizeformat's no-break space
    assert 'value="三' not in html
    assert 'value="three"' in html

    # when the answer is corrected and the form sent again without choosing the files again
    response = client.post(
        apply_url(item.code),
        {**LIVING, "idempotency_key": key, "kept_m2": m2, "kept_m3": m3},
    )

    # then the application is made with the files uploaded the first time
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.pk}/receipt/"
    assert {str(m.pk) for m in application.materials.all()} == {m2[0], m3[0]}


def test_a_file_ticked_for_removal_is_removed_and_a_missing_one_is_asked_for(
    resident: User,
) -> None:
    # given a first try that kept a file
    item = demo_item(MINIMUM_LIVING)
    client = signed_in(resident, language="en")
    key = form_key(html_of(client.get(apply_url(item.code))))
    first = client.post(
        apply_url(item.code),
        {**LIVING, "answer_household_size": "", "idempotency_key": key, "upload_m2": upload()},
    )
    kept = kept_ids(html_of(first), "m2")

    # when it is sent again with that file ticked for removal
    response = client.post(
        apply_url(item.code),
        {**LIVING, "idempotency_key": key, "kept_m2": kept, "remove": kept},
    )

    # then the file is gone and the two required materials are asked for, beside them
    assert response.status_code == 400
    html = html_of(response)
    assert not Material.objects.exists()
    assert re.search(r'id="upload-m2-error">Upload this material\.<', html)
    assert re.search(r'id="upload-m3-error">Upload this material\.<', html)
    assert not Application.objects.exists()


def test_a_file_that_is_not_what_its_name_says_is_refused_beside_its_upload(
    resident: User,
) -> None:
    item = demo_item(MINIMUM_LIVING)
    client = signed_in(resident, language="en")

    response = client.post(
        apply_url(item.code),
        {
            **LIVING,
            "idempotency_key": "k-refused",
            "upload_m2": upload(b"MZ\x90\x00 not a pdf", "scan.pdf"),
            "upload_m3": upload(),
        },
    )

    assert response.status_code == 400
    html = html_of(response)
    assert re.search(r'id="upload-m2-error">Upload a PDF, JPEG or PNG file\.<', html)
    assert len(kept_ids(html, "m3")) == 1
    assert not kept_ids(html, "m2")


def test_submitting_the_same_form_twice_makes_one_application(resident: User) -> None:
    # given a filled-in form with its hidden key
    item = demo_item(MINIMUM_LIVING)
    client = signed_in(resident)
    key = form_key(html_of(client.get(apply_url(item.code))))

    def send() -> Any:
        return client.post(
            apply_url(item.code),
            {**LIVING, "idempotency_key": key, "upload_m2": upload(), "upload_m3": upload()},
        )

    # when it is sent twice (a double click, or the browser resending the POST)
    first, second = send(), send()

    # then one application is made, and both answers lead to its receipt
    application = Application.objects.get()
    receipt = f"/applications/{application.pk}/receipt/"
    assert (first.status_code, first["Location"]) == (302, receipt)
    assert (second.status_code, second["Location"]) == (302, receipt)
    assert application.materials.count() == 2
    # the second try stored no files of its own
    assert Material.objects.count() == 2


def test_a_draft_is_kept_and_filled_in_when_the_person_comes_back(resident: User) -> None:
    # given
    item = demo_item(MINIMUM_LIVING)
    client = signed_in(resident, language="en")

    # when only some answers are saved as a draft
    response = client.post(
        apply_url(item.code),
        {"action": "draft", "answer_household_size": "4", "answer_note": "父亲长期卧床"},
    )

    # then it is kept, and the form is filled in from it next time
    assert response.status_code == 302
    assert Draft.objects.filter(applicant=resident, item=item).exists()
    html = html_of(client.get(apply_url(item.code)))
    assert 'name="answer_household_size" value="4"' in html
    assert ">父亲长期卧床</textarea>" in html
    assert "Your draft of" in html
    assert not Application.objects.exists()


def test_a_draft_saved_with_a_file_keeps_the_page_open_with_the_file_attached(
    resident: User,
) -> None:
    item = demo_item(MINIMUM_LIVING)

    response = signed_in(resident, language="en").post(
        apply_url(item.code),
        {"action": "draft", "answer_household_size": "4", "upload_m2": upload()},
    )

    assert response.status_code == 200
    html = html_of(response)
    assert "Draft saved." in html
    assert len(kept_ids(html, "m2")) == 1
    assert 'name="answer_household_size" value="4"' in html
    assert Draft.objects.filter(applicant=resident).exists()


def test_a_draft_with_a_bad_answer_says_so_beside_the_field(resident: User) -> None:
    item = demo_item(MINIMUM_LIVING)

    response = signed_in(resident, language="en").post(
        apply_url(item.code), {"action": "draft", "answer_monthly_income": "a lot"}
    )

    assert response.status_code == 400
    assert re.search(r'id="answer-monthly_income-error">Enter a number\.<', html_of(response))
    assert not Draft.objects.exists()


def test_the_receipt_gives_the_number_the_department_and_the_promised_day(
    resident: User,
) -> None:
    # given
    item = demo_item(RESIDENCE_PERMIT)
    client = signed_in(resident, language="en")
    key = form_key(html_of(client.get(apply_url(item.code))))
    response = client.post(apply_url(item.code), {"answer_note": "", "idempotency_key": key})
    application = Application.objects.get()

    # when
    html = html_of(client.get(response["Location"]))

    # then
    assert application.number in html
    assert item.department.name_en in html
    assert application.due_on.isoformat() in html
    assert "What happens next" in html
    assert "data-print-button" in html
    assert "applications/receipt" in html
    assert f'href="/applications/{application.pk}/"' in html


def test_personal_values_typed_into_the_form_reach_neither_the_url_nor_the_logs(
    resident: User, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    # given values that say who the person is
    address = "苏州市姑苏区十全街188号3幢"
    note = "联系电话19999990477，身份证320508199001011236"
    item = demo_item(MINIMUM_LIVING)
    client = signed_in(resident)
    caplog.set_level(logging.DEBUG)

    # when they are typed into a form that first fails, then succeeds
    key = form_key(html_of(client.get(apply_url(item.code))))
    data = {**LIVING, "answer_address": address, "answer_note": note, "idempotency_key": key}
    failed = client.post(apply_url(item.code), {**data, "answer_household_size": "x"})
    files = {"upload_m2": upload(), "upload_m3": upload()}
    done = client.post(apply_url(item.code), {**data, **files})
    receipt = client.get(done["Location"])
    detail = client.get(f"/applications/{Application.objects.get().pk}/")

    # then the answers were taken, and never written into an address or a log line
    assert failed.status_code == 400
    assert done.status_code == 302
    assert address in html_of(detail)
    captured = capsys.readouterr()
    for value in (address, "19999990477", "320508199001011236", NAME, PHONE):
        assert value not in done["Location"]
        assert value not in receipt.request["PATH_INFO"] + receipt.request.get("QUERY_STRING", "")
        assert value not in caplog.text
        assert value not in captured.out + captured.err
    assert 'method="post"' in html_of(failed)


# --- My applications ---------------------------------------------------------------------------


def test_my_applications_are_listed_newest_first_with_their_state_and_due_day(
    resident: User, submit: Submit
) -> None:
    # given
    older = submit(resident, RESIDENCE_PERMIT, now=now() - timedelta(days=2))
    newer = submit(resident, MINIMUM_LIVING, now=now())

    # when
    html = html_of(signed_in(resident, language="en").get("/applications/"))

    # then
    assert html.index(newer.number) < html.index(older.number)
    assert "Submitted, waiting to be accepted" in html
    assert f"Promised by {older.due_on.isoformat()}" in html


def test_the_list_page_costs_the_same_queries_however_many_applications_there_are(
    resident: User, submit: Submit
) -> None:
    # given one application
    client = signed_in(resident)
    submit(resident, RESIDENCE_PERMIT, now=now())
    client.get("/applications/")  # the first request warms the session and the snapshots
    with CaptureQueriesContext(connection) as one:
        assert client.get("/applications/").status_code == 200

    # when there are several, for different items and procedures
    for code in (MINIMUM_LIVING, RESIDENCE_PERMIT, MINIMUM_LIVING, RESIDENCE_PERMIT):
        submit(resident, code, now=now())
    with CaptureQueriesContext(connection) as many:
        response = client.get("/applications/")

    # then
    assert html_of(response).count('href="/applications/') >= 5
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_list_pages_through_many_applications(resident: User, submit: Submit) -> None:
    for _n in range(21):
        submit(resident, RESIDENCE_PERMIT, now=now())
    client = signed_in(resident, language="en")

    first, second = client.get("/applications/"), client.get("/applications/?page=2")

    assert "Page 1 of 2" in html_of(first)
    assert 'href="?page=2"' in html_of(first)
    assert html_of(first).count('<li><a href="/applications/') == 20
    assert html_of(second).count('<li><a href="/applications/') == 1


def test_another_persons_application_is_not_found_on_any_page(
    resident: User, other_resident: User, submit: Submit
) -> None:
    # given
    application = submit(resident, MINIMUM_LIVING)
    material = application.materials.first()
    assert material is not None
    stranger = signed_in(other_resident)

    # then
    assert stranger.get(f"/applications/{application.pk}/").status_code == 404
    assert stranger.get(f"/applications/{application.pk}/receipt/").status_code == 404
    assert stranger.get(f"/applications/materials/{material.pk}/").status_code == 404
    assert (
        stranger.post(
            f"/applications/{application.pk}/", {"action": "withdraw", "confirmed": "yes"}
        ).status_code
        == 404
    )
    assert signed_in(resident).get(f"/applications/{uuid.uuid4()}/").status_code == 404
    application.refresh_from_db()
    assert application.state == "submitted"


def test_the_owner_downloads_a_material_named_by_its_id(resident: User, submit: Submit) -> None:
    application = submit(resident, MINIMUM_LIVING)
    material = application.materials.first()
    assert material is not None

    response = signed_in(resident).get(f"/applications/materials/{material.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert f'filename="{material.pk}.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_the_detail_page_shows_steps_history_answers_and_materials(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    # given an accepted application
    application = submit(resident, RESIDENCE_PERMIT, now=now(), note="租住在亲戚家")
    application_act(actor=police_clerk, application_id=application.pk, action="accept")

    # when
    html = html_of(signed_in(resident, language="en").get(f"/applications/{application.pk}/"))

    # then
    assert html.count("<h1") == 1
    assert 'aria-current="step"' in html
    assert "Under review" in html
    assert "Submitted" in html
    assert "Accept" in html
    assert "租住在亲戚家" in html
    assert mask_name(NAME) in html
    assert NAME not in html
    assert "Working days left" in html
    assert "?confirm=withdraw" in html


def test_withdrawing_asks_for_confirmation_first(resident: User, submit: Submit) -> None:
    # given
    application = submit(resident, RESIDENCE_PERMIT, now=now())
    client = signed_in(resident, language="en")

    # when the withdraw link is followed, a confirmation is asked, and nothing changes yet
    confirm = client.get(f"/applications/{application.pk}/?confirm=withdraw")
    assert confirm.status_code == 200
    assert "Withdraw the application?" in html_of(confirm)
    unconfirmed = client.post(f"/applications/{application.pk}/", {"action": "withdraw"})
    assert unconfirmed.status_code == 302
    assert unconfirmed["Location"].endswith("?confirm=withdraw")
    application.refresh_from_db()
    assert application.state == "submitted"

    # when it is confirmed
    done = client.post(
        f"/applications/{application.pk}/", {"action": "withdraw", "confirmed": "yes"}
    )

    # then
    application.refresh_from_db()
    assert done.status_code == 302
    assert (application.state, application.outcome) == ("withdrawn", "withdrawn")
    html = html_of(client.get(f"/applications/{application.pk}/"))
    assert "Rate this service" not in html  # a withdrawn application is not rated


def test_the_supplement_from_the_page_hands_in_files_and_restarts_the_clock(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    # given an application whose clerk asked for more materials two weeks ago
    start = now() - timedelta(days=21)
    application = submit(resident, RESIDENCE_PERMIT, now=start)
    application_act(
        actor=police_clerk,
        application_id=application.pk,
        action="accept",
        now=start + timedelta(days=1),
    )
    paused = application_act(
        actor=police_clerk,
        application_id=application.pk,
        action="request_supplement",
        given=ActionInput(reason="租赁合同缺少签名", materials=["签名完整的房屋租赁合同"]),
        now=start + timedelta(days=7),
    )
    assert paused.phase == Phase.PAUSED
    client = signed_in(resident, language="en")
    page = html_of(client.get(f"/applications/{application.pk}/"))
    assert "签名完整的房屋租赁合同" in page
    assert "租赁合同缺少签名" in page
    assert 'name="upload_supplement"' in page

    # when the resident hands in the contract with a note
    response = client.post(
        f"/applications/{application.pk}/",
        {"action": "supplement", "upload_supplement": upload(), "comment": "已补签名"},
    )

    # then the clock runs again, later by the working days it waited
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.phase) == ("review", Phase.RUNNING)
    assert application.paused_since is None
    assert application.paused_days > 0
    assert application.due_on > paused.due_on
    handed = application.materials.get(key="supplement")
    assert handed.event is not None
    assert handed.event.action == "supplement"
    html = html_of(client.get(f"/applications/{application.pk}/"))
    assert "Hand in the materials asked for" not in html
    assert "已补签名" in html


def test_a_supplement_with_nothing_in_it_is_asked_for_again(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    application = submit(resident, RESIDENCE_PERMIT, now=now())
    application_act(actor=police_clerk, application_id=application.pk, action="accept")
    application_act(
        actor=police_clerk,
        application_id=application.pk,
        action="request_supplement",
        given=ActionInput(reason="缺少材料", materials=["租赁合同"]),
    )

    response = signed_in(resident, language="en").post(
        f"/applications/{application.pk}/", {"action": "supplement", "comment": ""}
    )

    assert response.status_code == 400
    assert "Hand in the materials asked for, or say why not." in html_of(response)
    application.refresh_from_db()
    assert application.phase == Phase.PAUSED


# --- Ratings -------------------------------------------------------------------------------------


def test_a_completed_application_is_rated_once_and_a_second_rating_is_refused(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    # given a completed application
    application = completed(submit(resident, RESIDENCE_PERMIT, now=now()), police_clerk)
    client = signed_in(resident, language="en")
    html = html_of(client.get(f"/applications/{application.pk}/"))
    assert "Rate this service" in html
    assert "Very satisfied" in html
    assert "Quick" in html

    # when it is rated
    rating = {"action": "rate", "rate-grade": "4", "rate-tags": ["quick", "clear_guide"]}
    first = client.post(f"/applications/{application.pk}/", rating)

    # then the rating is kept and shown instead of the form
    assert first.status_code == 302
    kept = Rating.objects.get(application=application)
    assert (kept.grade, kept.tags) == (4, ["quick", "clear_guide"])
    html = html_of(client.get(f"/applications/{application.pk}/"))
    assert "Rate this service" not in html
    assert "Satisfied" in html

    # when the same form is sent again
    second = client.post(f"/applications/{application.pk}/", {**rating, "rate-grade": "1"})

    # then it is refused, and the first rating stands
    assert second.status_code == 409
    assert "You have already rated this." in html_of(second)
    assert Rating.objects.get(application=application).grade == 4


def test_a_poor_rating_is_followed_up_and_the_resident_settles_or_reopens_it_once(
    resident: User, police_clerk: User, police_admin: User, submit: Submit
) -> None:
    from citygate.applications.ratings import follow_up_answer

    # given a poor rating the department answered
    application = completed(submit(resident, RESIDENCE_PERMIT, now=now()), police_clerk)
    client = signed_in(resident, language="en")
    client.post(
        "/ratings/",
        {
            "action": "rate",
            "target": f"application:{application.pk}",
            f"application-{application.pk}-grade": "1",
            f"application-{application.pk}-tags": ["slow"],
        },
    )
    rating = Rating.objects.get(application=application)
    follow_up = rating.follow_up
    follow_up_answer(actor=police_admin, follow_up_id=follow_up.pk, answer="已约谈窗口人员")
    html = html_of(client.get("/ratings/"))
    assert "已约谈窗口人员" in html
    assert "Settled" in html
    assert "reopen" in html.lower()

    # when the resident reopens it with a reason
    reopened = client.post(
        "/ratings/",
        {
            "action": "reopen",
            "follow_up": follow_up.pk,
            f"reopen-{follow_up.pk}-reason": "仍未解决",
        },
    )

    # then it goes back to the department, and cannot be reopened again
    assert reopened.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.state == "reopened"
    follow_up_answer(actor=police_admin, follow_up_id=follow_up.pk, answer="已重新办理")
    html = html_of(client.get("/ratings/"))
    assert "已重新办理" in html
    assert 'name="action" value="reopen"' not in html
    again = client.post(
        "/ratings/",
        {"action": "reopen", "follow_up": follow_up.pk, f"reopen-{follow_up.pk}-reason": "再开"},
    )
    assert again.status_code == 403


def test_the_ratings_page_offers_closed_applications_not_yet_rated(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    application = completed(submit(resident, RESIDENCE_PERMIT, now=now()), police_clerk)

    html = html_of(signed_in(resident, language="en").get("/ratings/"))

    assert "Waiting for your rating" in html
    assert f'value="application:{application.pk}"' in html
    assert html.count("<h1") == 1


# --- Family members ------------------------------------------------------------------------------


def test_a_family_member_authorised_on_the_page_applies_for_the_resident(
    resident: User,
) -> None:
    # given a resident who authorises their son for one item
    son = make_resident(FAMILY_PHONE, name="林小军", id_number="320508201001011232")
    item = demo_item(RESIDENCE_PERMIT)
    mother = signed_in(resident, language="en")
    assert item.code in html_of(mother.get("/account/family/"))
    granted = mother.post(
        "/account/family/",
        {
            "action": "grant",
            "grant-grantee_phone": FAMILY_PHONE,
            "grant-relation": "child",
            "grant-item_codes": [item.code],
            "grant-valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    assert granted.status_code == 302
    authorisation = Authorisation.objects.get()
    assert FAMILY_PHONE not in granted["Location"]

    # when the son opens the link he is given and applies
    member = signed_in(son, language="en")
    held = html_of(member.get("/account/family/"))
    link = f"/services/item/{item.code}/apply/?for={resident.pk}"
    assert link in held
    assert mask_name(NAME) in held
    form = html_of(member.get(link))
    assert f"You are applying for {mask_name(NAME)}" in form
    response = member.post(
        link,
        {"answer_note": "", "idempotency_key": form_key(form), "upload_m2": upload()},
    )

    # then the application is the mother's, made by her family member, with her materials
    application = Application.objects.get()
    assert response.status_code == 302
    assert (application.applicant, application.submitted_by) == (resident, son)
    material = application.materials.get()
    assert (material.owner, material.uploaded_by) == (resident, son)
    assert "By your family member" in html_of(mother.get("/applications/"))
    assert "For your family member" in html_of(member.get("/applications/"))

    # when the mother revokes the authorisation, the link no longer opens a form
    mother.post("/account/family/", {"action": "revoke", "authorisation": authorisation.pk})
    assert member.get(link).status_code == 404


def test_applying_for_someone_without_their_authorisation_is_not_found(
    resident: User, other_resident: User
) -> None:
    item = demo_item(RESIDENCE_PERMIT)

    response = signed_in(other_resident).get(f"{apply_url(item.code)}?for={resident.pk}")

    assert response.status_code == 404


def test_a_wrong_authorisation_shows_its_errors_beside_the_fields(resident: User) -> None:
    # given
    item = demo_item(RESIDENCE_PERMIT)
    client = signed_in(resident, language="en")
    grant = {
        "action": "grant",
        "grant-grantee_phone": "12345",
        "grant-relation": "child",
        "grant-item_codes": [item.code],
        "grant-valid_until": "2020-01-01",
    }

    # when the services refuse the number and the day, and the form the missing services
    refused = client.post("/account/family/", grant)
    unchosen = client.post("/account/family/", {**grant, "grant-item_codes": []})

    # then each message is beside its field, and nothing is authorised
    assert refused.status_code == unchosen.status_code == 400
    html = html_of(refused)
    assert re.search(r'id="id_grant-grantee_phone_error"><li>Enter an 11-digit', html)
    assert re.search(r'id="id_grant-valid_until_error"><li>Choose a day from today', html)
    assert re.search(
        r'id="id_grant-item_codes_error"><li>Choose the services the person may apply for',
        html_of(unchosen),
    )
    assert not Authorisation.objects.exists()


# --- Public figures ------------------------------------------------------------------------------


def test_the_performance_page_lists_a_department_after_a_completed_application(
    resident: User, police_clerk: User, submit: Submit
) -> None:
    # given nothing completed yet
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Public Security" not in html_of(client.get("/performance/"))

    # when an application is completed
    completed(submit(resident, RESIDENCE_PERMIT, now=now()), police_clerk)

    # then its department is listed with its figures, for anyone
    response = client.get("/performance/")
    assert response.status_code == 200
    html = html_of(response)
    assert demo_item(RESIDENCE_PERMIT).department.name_en in html
    assert "100%" in html
    assert 'tabindex="0"' in html
    assert "<table>" in html


def test_every_page_has_a_title_and_one_heading_in_both_languages(
    resident: User, submit: Submit
) -> None:
    application = submit(resident, MINIMUM_LIVING, now=now())
    paths = [
        apply_url(MINIMUM_LIVING),
        f"/applications/{application.pk}/receipt/",
        "/applications/",
        f"/applications/{application.pk}/",
        "/ratings/",
        "/account/family/",
        "/performance/",
    ]
    for language in ("zh-hans", "en"):
        client = signed_in(resident, language=language)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            html = html_of(response)
            assert html.count("<h1") == 1, path
            assert re.search(r"<title>[^<]+ · ", html), path


def test_the_supplement_service_takes_files_only_while_the_application_waits_for_them(
    resident: User, submit: Submit
) -> None:
    from citygate.core.errors import ApplicationError

    application = submit(resident, RESIDENCE_PERMIT, now=now())

    with pytest.raises(ApplicationError):
        services.supplement_material_upload(
            owner=resident, upload=upload(), application_id=application.pk
        )
    assert not Material.objects.filter(key="supplement").exists()


FOREIGN_INVESTMENT_REPORT = "SZ-SHW-0001"  # 外商投资企业信息报告: enterprises only


def test_an_enterprise_service_is_applied_for_an_enterprise_the_person_acts_for(
    resident: User,
) -> None:
    from citygate.accounts.models import Enterprise

    # given an item for enterprises, and a resident who represents none
    item = demo_item(FOREIGN_INVESTMENT_REPORT)
    client = signed_in(resident)
    first = html_of(client.get(apply_url(item.code)))
    # then the page says how to get there instead of a form
    assert 'href="/account/enterprises/"' in first
    assert 'name="idempotency_key"' not in first

    # given the resident is the legal representative of an enterprise
    enterprise = Enterprise.objects.create(
        credit_code="91320594MA1QDEM01A",
        name="苏州金鸡湖精密制造有限公司",
        legal_rep=resident,
        verified_at=timezone.now(),
    )
    page = html_of(client.get(apply_url(item.code)))
    assert f'value="{enterprise.pk}" checked' in page
    slots = [u.key for u in services.form_of(item).uploads if u.required]

    # when the form is sent for it
    response = client.post(
        apply_url(item.code),
        {
            "idempotency_key": form_key(page),
            "enterprise": str(enterprise.pk),
            **{f"upload_{key}": upload() for key in slots},
        },
    )

    # then the application is the enterprise's
    assert response.status_code == 302, html_of(response)
    assert Application.objects.get().enterprise == enterprise


def test_the_account_page_leads_to_the_persons_applications_ratings_and_family(
    resident: User,
) -> None:
    page = html_of(signed_in(resident).get("/account/"))
    for path in ("/applications/", "/appointments/", "/ratings/", "/account/family/"):
        assert f'href="{path}"' in page
