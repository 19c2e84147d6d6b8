"""The back office's pages: drafting, review and publication, the four-eyes rule, scoping."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from citygate.accounts import services as account_services
from citygate.accounts.models import User
from citygate.catalog import services
from citygate.catalog.models import ItemRevision, ItemStatus, RevisionState, ServiceItem
from citygate.catalog.tests.staff_helpers import (
    DEPARTMENT,
    OTHER_DEPARTMENT,
    Staff,
    editor_post,
    guide,
    published,
    record,
    signed_in,
    staff,
)
from citygate.privacy.testing import consent_all_required

pytestmark = pytest.mark.django_db

LIST = "/staff/catalog/"
NEW = "/staff/catalog/new/"
PASSWORD = "a-long-development-passphrase"


@pytest.fixture
def people() -> Staff:
    return staff()


def _totp_signed_in(login_name: str, role: str) -> tuple[Client, User]:
    """A staff member made with a password and TOTP secret, signed in through the pages."""
    secret = pyotp.random_base32()
    created = account_services.staff_create(
        login_name=login_name,
        password=PASSWORD,
        role=role,
        department_code=DEPARTMENT,
        totp_secret=secret,
    )
    client = Client()
    first = client.post("/account/staff/login/", {"login_name": login_name, "password": PASSWORD})
    assert first.status_code == 302, first.content
    if time.time() % 30 > 28:
        time.sleep(30 - time.time() % 30 + 0.05)
    second = client.post("/account/staff/login/verify/", {"code": pyotp.TOTP(secret).now()})
    assert second.status_code == 302, second.content
    return client, created.user


def _new_item_post(code: str, **overrides: Any) -> dict[str, Any]:
    data = editor_post(guide(**overrides))
    data.update({"item-code": code, "item-department": DEPARTMENT, "item-district": ""})
    return data


def test_staff_item_goes_from_draft_through_return_to_publication_through_the_pages() -> None:
    # given: a clerk and an administrator of the department, signed in with password and TOTP
    clerk_client, clerk = _totp_signed_in("clerk.zhou", "clerk")
    admin_client, admin = _totp_signed_in("admin.sun", "department_admin")

    # when: the clerk drafts a new item and submits it
    created = clerk_client.post(NEW, _new_item_post("SZ-GA-0100", summary_en=""))
    assert created.status_code == 302, created.content.decode()
    assert created["Location"] == "/staff/catalog/SZ-GA-0100/"
    item = ServiceItem.objects.get(code="SZ-GA-0100")
    revision = ItemRevision.objects.get(item=item)
    submitted = clerk_client.post(f"/staff/catalog/{item.code}/submit/", {"number": "1"})
    assert submitted.status_code == 302

    # and the administrator returns it with a comment
    returned = admin_client.post(
        f"/staff/catalog/{item.code}/versions/1/return/",
        {"return-comment": "请补充英文简介"},
    )
    assert returned.status_code == 302
    revision.refresh_from_db()
    assert revision.state == RevisionState.RETURNED
    assert revision.review_comment == "请补充英文简介"

    # and the clerk sees the comment, edits and submits again
    edit_page = clerk_client.get(f"/staff/catalog/{item.code}/edit/").content.decode()
    assert "请补充英文简介" in edit_page
    edited = clerk_client.post(
        f"/staff/catalog/{item.code}/edit/",
        editor_post(
            guide(summary_en="Apply for a new ID card."),
            action="submit",
            summary="补充英文简介",
        ),
    )
    assert edited.status_code == 302, edited.content.decode()
    revision.refresh_from_db()
    assert revision.state == RevisionState.SUBMITTED

    # and the administrator publishes it
    review_page = admin_client.get("/staff/catalog/review/").content.decode()
    assert "SZ-GA-0100" in review_page
    done = admin_client.post(f"/staff/catalog/{item.code}/versions/1/publish/", {})

    # then
    assert done.status_code == 302
    item.refresh_from_db()
    revision.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert item.published_revision_id == revision.pk
    assert item.content["summary_en"] == "Apply for a new ID card."
    assert revision.created_by_id == clerk.pk
    assert revision.reviewed_by_id == admin.pk
    page = admin_client.get(f"/staff/catalog/{item.code}/").content.decode()
    assert "clerk.zhou" in page
    assert "admin.sun" in page
    assert "补充英文简介" in page


def test_staff_admin_cannot_publish_a_version_they_wrote(people: Staff) -> None:
    # given: a version the administrator wrote and submitted
    revision = services.item_create(record=record("SZ-GA-0101"), by=people.admin)
    services.revision_submit(revision_id=revision.pk, by=people.admin)
    client = signed_in(people.admin)

    # when
    page = client.get("/staff/catalog/SZ-GA-0101/").content.decode()
    response = client.post("/staff/catalog/SZ-GA-0101/versions/1/publish/", {})

    # then
    assert "/versions/1/publish/" not in page
    assert response.status_code == 403
    assert "审核" in response.content.decode()
    revision.refresh_from_db()
    assert revision.state == RevisionState.SUBMITTED
    # and another administrator may
    other = signed_in(people.other_admin)
    assert "/versions/1/publish/" in other.get("/staff/catalog/SZ-GA-0101/").content.decode()
    assert other.post("/staff/catalog/SZ-GA-0101/versions/1/publish/", {}).status_code == 302


def test_staff_admin_who_edited_a_clerks_draft_cannot_publish_it(people: Staff) -> None:
    # given: the clerk's draft, changed by the administrator before it is submitted
    revision = services.item_create(record=record("SZ-GA-0102"), by=people.clerk)
    admin = signed_in(people.admin)
    saved = admin.post(
        "/staff/catalog/SZ-GA-0102/edit/",
        editor_post(guide(summary="管理员改过的简介。"), action="submit"),
    )
    assert saved.status_code == 302

    # when
    response = admin.post("/staff/catalog/SZ-GA-0102/versions/1/publish/", {})

    # then: the last writer is the author, and the author does not review
    assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.state == RevisionState.SUBMITTED
    assert revision.created_by_id == people.admin.pk


def test_staff_clerk_sees_no_review_and_cannot_publish(people: Staff) -> None:
    # given
    revision = services.item_create(record=record("SZ-GA-0103"), by=people.admin)
    services.revision_submit(revision_id=revision.pk, by=people.admin)
    client = signed_in(people.clerk)

    # when
    page = client.get("/staff/catalog/SZ-GA-0103/").content.decode()
    response = client.post("/staff/catalog/SZ-GA-0103/versions/1/publish/", {})
    queue = client.get("/staff/catalog/review/")

    # then
    assert "/versions/1/publish/" not in page
    assert response.status_code == 403
    assert queue.status_code == 403
    revision.refresh_from_db()
    assert revision.state == RevisionState.SUBMITTED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/staff/catalog/SZ-GA-0104/"),
        ("get", "/staff/catalog/SZ-GA-0104/edit/"),
        ("post", "/staff/catalog/SZ-GA-0104/edit/"),
        ("post", "/staff/catalog/SZ-GA-0104/submit/"),
        ("post", "/staff/catalog/SZ-GA-0104/withdraw/"),
        ("post", "/staff/catalog/SZ-GA-0104/versions/1/publish/"),
        ("post", "/staff/catalog/SZ-GA-0104/versions/1/return/"),
    ],
)
def test_staff_item_of_another_department_is_not_found(
    people: Staff, method: str, path: str
) -> None:
    # given: an item of the public security bureau, and a clerk of the transport bureau
    published("SZ-GA-0104", people)
    client = signed_in(people.stranger)

    # when
    response = getattr(client, method)(path, {"number": "1"} if method == "post" else None)

    # then
    assert response.status_code == 404
    list_page = client.get(LIST).content.decode()
    assert "SZ-GA-0104" not in list_page


def test_staff_pages_send_visitors_and_residents_to_the_staff_sign_in() -> None:
    # given
    resident = User.objects.create_user(phone="19999990301")
    consent_all_required(resident)
    resident_client = Client()
    resident_client.force_login(resident)

    # when
    answers = [Client().get(LIST), resident_client.get(LIST), Client().get(NEW)]

    # then
    for answer in answers:
        assert answer.status_code == 302
        assert answer["Location"].startswith("/account/staff/login/")


def test_staff_edit_with_promise_beyond_the_statute_shows_the_rule_beside_the_field(
    people: Staff,
) -> None:
    # given
    published("SZ-GA-0105", people)
    client = signed_in(people.clerk)

    # when
    response = client.post(
        "/staff/catalog/SZ-GA-0105/edit/",
        editor_post(guide(statutory_limit_days=10, promised_limit_days=15)),
    )

    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "承诺时限不能超过法定时限" in page
    assert 'href="#id_content-promised_limit_days"' in page
    assert 'id="id_content-promised_limit_days_error"' in page
    assert not ItemRevision.objects.filter(state=RevisionState.DRAFT).exists()


def test_staff_edit_in_english_names_the_material_row_at_fault(people: Staff) -> None:
    # given: the second material's name is one character, shorter than a name may be
    published("SZ-GA-0106", people)
    client = signed_in(people.clerk, language="en")
    content = guide()
    content["materials"][1]["name"] = "照"

    # when
    response = client.post("/staff/catalog/SZ-GA-0106/edit/", editor_post(content))

    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "Materials, row 2: Material" in page
    assert "Use at least 2 characters." in page
    assert 'href="#id_materials-1-name"' in page


def test_staff_edit_reads_lists_one_per_line_and_skips_blank_and_removed_rows(
    people: Staff,
) -> None:
    # given
    item = published("SZ-GA-0107", people)
    client = signed_in(people.clerk)
    data = editor_post(guide(keywords=["身份证", "补办", "挂失"]))
    data["materials-0-DELETE"] = "on"

    # when
    response = client.post("/staff/catalog/SZ-GA-0107/edit/", data)

    # then
    assert response.status_code == 302, response.content.decode()
    draft = item.revisions.get(state=RevisionState.DRAFT)
    assert draft.content["keywords"] == ["身份证", "补办", "挂失"]
    assert [m["name"] for m in draft.content["materials"]] == ["本人近期照片"]
    assert len(draft.content["fees"]) == 1
    assert draft.number == 2
    item.refresh_from_db()
    assert len(item.content["materials"]) == 2  # the published guide is untouched


def test_staff_edit_with_bad_numbers_and_choices_answers_400_not_500(people: Staff) -> None:
    # given
    published("SZ-GA-0108", people)
    client = signed_in(people.clerk)
    data = editor_post(guide())
    data.update(
        {
            "content-visits": "²",
            "content-online_depth": "9",
            "materials-0-form": "scroll",
            "materials-TOTAL_FORMS": "100000",
        }
    )

    # when
    response = client.post("/staff/catalog/SZ-GA-0108/edit/", data)

    # then
    assert response.status_code == 400


def test_staff_edit_of_a_version_in_review_says_so(people: Staff) -> None:
    # given
    item = published("SZ-GA-0109", people)
    revision = services.revision_save(
        item=item, content=record("SZ-GA-0109", summary="新简介。").content, by=people.clerk
    )
    services.revision_submit(revision_id=revision.pk, by=people.clerk)
    client = signed_in(people.clerk)

    # when
    page = client.get("/staff/catalog/SZ-GA-0109/edit/")
    post = client.post("/staff/catalog/SZ-GA-0109/edit/", editor_post(guide()))

    # then
    assert page.status_code == 200
    assert "等待审核" in page.content.decode()
    assert post.status_code == 409
    revision.refresh_from_db()
    assert revision.content["summary"] == "新简介。"


def test_staff_history_shows_what_changed_in_each_version(people: Staff) -> None:
    # given: version 2 changes a time limit, a keyword, one material and removes the fee
    item = published("SZ-GA-0110", people)
    content = guide(promised_limit_days=15, keywords=["身份证", "挂失"], fees=[])
    content["materials"][0] = {**content["materials"][0], "copies": 2}
    content["materials"].append({"name": "委托书", "form": "original"})
    revision = services.revision_save(
        item=item,
        content=record("SZ-GA-0110", **content).content,
        by=people.clerk,
        summary="缩短承诺时限",
    )
    services.revision_submit(revision_id=revision.pk, by=people.clerk)
    client = signed_in(people.admin)

    # when
    page = client.get("/staff/catalog/SZ-GA-0110/").content.decode()

    # then
    assert "版本 2" in page
    assert "缩短承诺时限" in page
    assert "承诺办结时限（工作日）" in page
    assert "从“20”改为“15”" in page
    assert "新增：挂失" in page
    assert "删除：补领" in page
    assert "新增：委托书" in page
    assert "修改：居民户口簿" in page
    assert "份数：从“0”改为“2”" in page
    assert "删除：工本费" in page
    assert "clerk.li" in page
    assert "/versions/2/publish/" in page
    assert "该事项的第一个版本" in page


def test_staff_withdraw_by_an_admin_marks_the_item_withdrawn(people: Staff) -> None:
    # given
    item = published("SZ-GA-0111", people)

    # when
    by_clerk = signed_in(people.clerk).post(
        "/staff/catalog/SZ-GA-0111/withdraw/", {"withdraw-reason": "事项取消"}
    )
    without_reason = signed_in(people.admin).post("/staff/catalog/SZ-GA-0111/withdraw/", {})
    by_admin = signed_in(people.admin).post(
        "/staff/catalog/SZ-GA-0111/withdraw/", {"withdraw-reason": "事项取消"}
    )

    # then
    assert by_clerk.status_code == 403
    assert without_reason.status_code == 400
    assert by_admin.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN


def test_staff_withdraw_of_an_item_never_published_is_refused(people: Staff) -> None:
    # given
    services.item_create(record=record("SZ-GA-0112"), by=people.clerk)

    # when
    response = signed_in(people.admin).post(
        "/staff/catalog/SZ-GA-0112/withdraw/", {"withdraw-reason": "录错了"}
    )

    # then
    assert response.status_code == 409
    assert ServiceItem.objects.get(code="SZ-GA-0112").status == ItemStatus.DRAFT


def test_staff_return_without_a_comment_is_refused(people: Staff) -> None:
    # given
    revision = services.item_create(record=record("SZ-GA-0113"), by=people.clerk)
    services.revision_submit(revision_id=revision.pk, by=people.clerk)

    # when
    response = signed_in(people.admin).post(
        "/staff/catalog/SZ-GA-0113/versions/1/return/", {"return-comment": "  "}
    )

    # then
    assert response.status_code == 400
    assert "请说明需要修改的内容" in response.content.decode()
    revision.refresh_from_db()
    assert revision.state == RevisionState.SUBMITTED


def test_staff_create_with_a_taken_code_shows_it_beside_the_code(people: Staff) -> None:
    # given
    published("SZ-GA-0114", people)

    # when
    response = signed_in(people.clerk).post(NEW, _new_item_post("SZ-GA-0114"))

    # then
    assert response.status_code == 400
    assert "已有使用该编码的事项" in response.content.decode()
    assert ServiceItem.objects.filter(code="SZ-GA-0114").count() == 1


def test_staff_create_with_a_malformed_code_explains_the_format(people: Staff) -> None:
    # when
    response = signed_in(people.clerk).post(NEW, _new_item_post("ab"))

    # then
    assert response.status_code == 400
    assert 'href="#id_item-code"' in response.content.decode()
    assert not ServiceItem.objects.exists()


def test_staff_create_offers_only_my_departments(people: Staff) -> None:
    # when
    page = signed_in(people.clerk).get(NEW).content.decode()
    sneaky = signed_in(people.clerk).post(
        NEW, {**_new_item_post("SZ-JT-0001"), "item-department": OTHER_DEPARTMENT}
    )

    # then
    assert 'value="public-security"' in page
    assert "市交通局" not in page
    assert sneaky.status_code == 400
    assert not ServiceItem.objects.exists()


def test_staff_list_filters_by_state_and_counts_what_waits_for_review(people: Staff) -> None:
    # given: one published item, one draft, one submitted by the clerk
    published("SZ-GA-0120", people)
    services.item_create(record=record("SZ-GA-0121", name="新生儿落户"), by=people.clerk)
    waiting = services.item_create(record=record("SZ-GA-0122", name="户口迁移"), by=people.clerk)
    services.revision_submit(revision_id=waiting.pk, by=people.clerk)
    client = signed_in(people.admin)

    # when
    everything = client.get(LIST).content.decode()
    submitted = client.get(LIST, {"state": "submitted"}).content.decode()
    drafts = client.get(LIST, {"state": "draft"}).content.decode()
    nonsense = client.get(LIST, {"state": "<script>", "page": "99999999999999"})

    # then
    assert all(code in everything for code in ("SZ-GA-0120", "SZ-GA-0121", "SZ-GA-0122"))
    assert "新生儿落户" in everything  # a draft's name comes from the draft
    assert "审核：1 个版本等待" in everything
    assert "SZ-GA-0122" in submitted
    assert "SZ-GA-0121" not in submitted
    assert "SZ-GA-0121" in drafts
    assert "SZ-GA-0120" not in drafts
    assert nonsense.status_code == 200


def test_staff_list_queries_do_not_grow_with_the_number_of_items(people: Staff) -> None:
    # given
    client = signed_in(people.admin)
    published("SZ-GA-0130", people)
    services.item_create(record=record("SZ-GA-0131"), by=people.clerk)
    client.get(LIST)  # the session and the language are settled
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200

    # when
    for number in range(132, 142):
        if number % 2:
            services.item_create(record=record(f"SZ-GA-0{number}"), by=people.clerk)
        else:
            published(f"SZ-GA-0{number}", people)
    with CaptureQueriesContext(connection) as many:
        page = client.get(LIST)

    # then
    assert page.status_code == 200
    assert "SZ-GA-0141" in page.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_staff_edit_new_row_with_only_a_form_chosen_asks_for_its_name(people: Staff) -> None:
    # given: the blank row after the two materials gets a form but no name
    published("SZ-GA-0150", people)
    data = editor_post(guide())
    data["materials-2-form"] = "copy"

    # when
    response = signed_in(people.clerk).post("/staff/catalog/SZ-GA-0150/edit/", data)

    # then
    assert response.status_code == 400
    assert 'href="#id_materials-2-name"' in response.content.decode()


def test_staff_publish_of_a_version_number_past_any_integer_is_not_found(people: Staff) -> None:
    # given
    published("SZ-GA-0160", people)

    # when
    response = signed_in(people.admin).post(
        "/staff/catalog/SZ-GA-0160/versions/99999999999999999999999/publish/", {}
    )

    # then
    assert response.status_code == 404
