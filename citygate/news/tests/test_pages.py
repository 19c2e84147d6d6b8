"""The news pages, the staff pages' scoping, and the public API."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from citygate.accounts.models import StaffRole, User
from citygate.accounts.roles import Role
from citygate.directory.models import District
from citygate.news import services
from citygate.news.models import Story, StoryState
from citygate.news.tests.conftest import staff_client, story_input

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def published(author: User, publish: Callable[[Story], Story]) -> Story:
    district = District.objects.order_by("code").first()
    assert district is not None
    story = services.story_create(
        editor=author,
        data=story_input(districts=[district.code], cover_alt="地铁站台"),
        cover=SimpleUploadedFile("c.png", PNG),
    )
    return publish(story)


def test_the_story_page_shows_the_story_and_counts_the_opening(published: Story) -> None:
    # when
    response = Client().get(f"/news/{published.pk}/")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "地铁新线路下月开通" in page
    assert "新线路于下月开通" in page
    assert 'alt="地铁站台"' in page
    assert "service.weibo.com/share" in page
    assert '<script src="https://' not in page
    assert Story.objects.get(pk=published.pk).opens == 1
    assert '<h1 lang="zh-Hans">' in page


def test_the_cover_of_a_published_story_is_served_and_a_drafts_is_not(
    author: User, published: Story
) -> None:
    # given
    draft = services.story_create(
        editor=author, data=story_input(cover_alt="草稿图"), cover=SimpleUploadedFile("d.png", PNG)
    )
    public_name = published.cover.removeprefix("news/")
    draft_name = draft.cover.removeprefix("news/")

    # then
    served = Client().get(f"/news/media/{public_name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG  # type: ignore[attr-defined]
    assert Client().get(f"/news/media/{draft_name}").status_code == 404
    assert staff_client(author).get(f"/news/media/{draft_name}").status_code == 200
    assert Client().get("/news/media/..%2F..%2Fsettings.py").status_code == 404


def test_a_draft_cover_shown_to_an_editor_is_never_kept_by_a_shared_cache(
    author: User, published: Story
) -> None:
    # given
    draft = services.story_create(
        editor=author, data=story_input(cover_alt="草稿图"), cover=SimpleUploadedFile("d.png", PNG)
    )

    # when
    for_editor = staff_client(author).get(f"/news/media/{draft.cover.removeprefix('news/')}")
    for_anyone = Client().get(f"/news/media/{published.cover.removeprefix('news/')}")

    # then
    assert for_editor.status_code == 200
    assert for_editor["Cache-Control"] == "private, no-store"
    assert for_anyone["Cache-Control"] == "public, max-age=300, must-revalidate"


def test_a_retracted_storys_cover_is_no_longer_served(author: User, published: Story) -> None:
    # given
    name = published.cover.removeprefix("news/")
    assert Client().get(f"/news/media/{name}").status_code == 200

    # when
    services.story_retract(editor=author, story_id=published.pk, notice="信息有误，已撤回。")

    # then
    assert Client().get(f"/news/media/{name}").status_code == 404


def test_a_correction_notice_is_shown_at_the_top(author: User, published: Story) -> None:
    services.story_correct(editor=author, story_id=published.pk, notice="日期应为6月1日。")
    page = Client().get(f"/news/{published.pk}/").content.decode()
    assert page.index("日期应为6月1日。") < page.index("<h1 ")


def test_a_retracted_story_shows_only_its_title_and_the_notice(
    author: User, published: Story
) -> None:
    # given
    services.story_retract(editor=author, story_id=published.pk, notice="信息有误，已撤回。")

    # when
    page = Client().get(f"/news/{published.pk}/").content.decode()

    # then
    assert "地铁新线路下月开通" in page
    assert "信息有误，已撤回。" in page
    assert "新线路于下月开通" not in page
    assert "/news/media/" not in page
    assert "地铁新线路下月开通" not in Client().get("/news/").content.decode()


def test_a_draft_is_not_found_by_the_public(draft: Story) -> None:
    assert Client().get(f"/news/{draft.pk}/").status_code == 404
    assert Client().get(f"/api/v1/news/stories/{draft.pk}").status_code == 404


def test_the_front_page_channel_page_and_home_strip_list_published_stories(
    published: Story, draft: Story
) -> None:
    for path in ("/news/", "/news/c/services/", "/"):
        page = Client().get(path).content.decode()
        assert f"/news/{published.pk}/" in page, path
        assert f"/news/{draft.pk}/" not in page, path
    assert Client().get("/news/c/nope/").status_code == 404
    assert f"/news/{published.pk}/" not in Client().get("/news/c/policy/").content.decode()


def test_the_api_lists_stories_by_channel_in_few_queries(published: Story) -> None:
    # when
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/news/stories?channel=services")

    # then
    body = response.json()
    assert response.status_code == 200
    assert [item["id"] for item in body["items"]] == [str(published.pk)]
    assert body["items"][0]["tags"] == ["transport"]
    assert body["total"] == 1
    assert len(queries) <= 5
    assert client.get("/api/v1/news/stories?channel=policy").json()["items"] == []
    refused = client.get("/api/v1/news/stories?channel=nope")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert set(refused.json()["fields"]) == {"channel"}


def test_the_api_gives_one_story_and_a_retracted_one_without_its_body(
    author: User, published: Story
) -> None:
    client = Client()
    one = client.get(f"/api/v1/news/stories/{published.pk}").json()
    assert one["body"] == published.body
    assert one["state"] == StoryState.PUBLISHED
    services.story_retract(editor=author, story_id=published.pk, notice="撤回")
    gone = client.get(f"/api/v1/news/stories/{published.pk}").json()
    assert gone["body"] == ""
    assert gone["retraction"] == "撤回"
    assert client.get("/api/v1/news/stories/not-a-uuid").status_code == 422


def _signed_in_staff(role: str) -> Client:
    user = User.objects.create_user(login_name=f"staff.{role}", name="职员")
    StaffRole.objects.create(user=user, role=role, department=None)
    return staff_client(user)


def test_staff_pages_refuse_other_staff_and_send_residents_to_sign_in(
    resident: User, draft: Story
) -> None:
    resident_client = Client()
    resident_client.force_login(resident)
    auditor = _signed_in_staff(Role.AUDITOR)
    for path in ("/staff/news/", "/staff/news/new/", f"/staff/news/{draft.pk}/"):
        assert resident_client.get(path).status_code == 302, path
        assert auditor.get(path).status_code == 403, path


def test_an_editor_writes_a_story_through_the_page(author: User) -> None:
    # given
    client = staff_client(author)

    # when
    response = client.post(
        "/staff/news/new/",
        {
            "title": "公积金提取新办法",
            "summary": "",
            "body": '<p onclick="x()">线上即可办理。</p>',
            "channel": "policy",
            "tags": ["housing"],
            "language": "zh-hans",
            "cover": SimpleUploadedFile("c.png", PNG),
            "cover_alt": "公积金中心",
        },
    )

    # then
    story = Story.objects.get(title="公积金提取新办法")
    assert response.status_code == 302
    assert story.body == "<p>线上即可办理。</p>"
    assert story.cover.startswith("news/")
    assert client.get(f"/staff/news/{story.pk}/").status_code == 200
    assert client.get(f"/staff/news/{story.pk}/history/").status_code == 200


def test_the_editor_page_shows_a_services_error_beside_its_field(author: User) -> None:
    response = staff_client(author).post(
        "/staff/news/new/",
        {
            "title": "标题",
            "body": "<p>文</p>",
            "channel": "news",
            "language": "zh-hans",
            "cover": SimpleUploadedFile("c.jpg", PNG),
            "cover_alt": "图",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="id_cover_error"[^>]*>\s*<li>The file', page)


def test_the_review_page_shows_the_diff_and_records_the_decision(
    author: User, reviewers: list[User], draft: Story
) -> None:
    # given: returned once, then changed
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    services.story_review(
        reviewer=reviewers[0], story_id=draft.pk, level=1, decision="return", comment="改日期"
    )
    services.story_update(
        editor=author, story_id=draft.pk, data=story_input(body="<p>新线路于6月开通。</p>")
    )
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    client = staff_client(reviewers[0])

    # when
    page = client.get(f"/staff/news/{draft.pk}/review/").content.decode()
    response = client.post(
        f"/staff/news/{draft.pk}/review/", {"decision": "approve", "version": 2, "level": 1}
    )

    # then
    assert 'class="diff-added"' in page
    assert "新线路于6月开通。" in page
    assert 'class="diff-removed"' in page
    assert "Everyday services" in page  # the channel by its name, not its slug
    assert response.status_code == 302
    assert Story.objects.get(pk=draft.pk).reviewed_level == 1


def test_the_author_is_told_on_the_review_page_that_they_may_not_review(
    author: User, draft: Story
) -> None:
    services.story_submit_for_review(editor=author, story_id=draft.pk)
    client = staff_client(author)
    page = client.get(f"/staff/news/{draft.pk}/review/").content.decode()
    assert "another editor has to review it" in page
    client.post(
        f"/staff/news/{draft.pk}/review/", {"decision": "approve", "version": 1, "level": 1}
    )
    assert Story.objects.get(pk=draft.pk).reviewed_level == 0


def test_a_correction_publishes_its_notice_but_never_replaces_the_text(
    author: User, published: Story
) -> None:
    # given
    client = staff_client(author)
    form = client.get(f"/staff/news/{published.pk}/correct/").content.decode()

    # when: a body is posted along with the notice
    client.post(
        f"/staff/news/{published.pk}/correct/",
        {"notice": "日期应为6月1日。", "body": "<p>全文改写，未经审核。</p>", "confirm": "on"},
    )

    # then
    story = Story.objects.get(pk=published.pk)
    assert 'name="body"' not in form
    assert "retract the story and write a corrected one" in form
    assert story.correction == "日期应为6月1日。"
    assert story.body == published.body


def test_a_correction_needs_the_confirmation_box(author: User, published: Story) -> None:
    client = staff_client(author)
    client.post(f"/staff/news/{published.pk}/correct/", {"notice": "更正"})
    assert Story.objects.get(pk=published.pk).correction == ""
    client.post(f"/staff/news/{published.pk}/correct/", {"notice": "更正", "confirm": "on"})
    assert Story.objects.get(pk=published.pk).correction == "更正"


def test_the_staff_home_links_the_newsroom_for_editors_only(author: User) -> None:
    assert "/staff/news/" in staff_client(author).get("/staff/").content.decode()
    other = _signed_in_staff(Role.OPERATOR)
    assert "/staff/news/" not in other.get("/staff/").content.decode()


def test_saving_or_sending_a_story_without_the_version_seen_changes_nothing(
    author: User, draft: Story
) -> None:
    # given
    client = staff_client(author)
    fields = {"title": "无版本号的修改", "body": "<p>正文</p>", "channel": "services"}
    fields["language"] = "zh-hans"

    # when
    saved = client.post(f"/staff/news/{draft.pk}/edit/", fields)
    sent = client.post(f"/staff/news/{draft.pk}/submit/", {}, follow=True)

    # then
    story = Story.objects.get(pk=draft.pk)
    assert saved.status_code == 200
    assert story.version == draft.version
    assert story.title == draft.title
    assert story.state == StoryState.DRAFT
    assert "reload the story and try again" in sent.content.decode()
