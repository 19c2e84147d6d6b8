"""The feed's pages: /news/for-you/ and /me/recommendation/ (推荐设置), without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import Client, RequestFactory

from citygate.accounts.models import User
from citygate.directory.models import Street
from citygate.feed import selectors, services
from citygate.feed.models import InterestTag
from citygate.feed.tests.conftest import signed_in, story, tag
from citygate.news.models import Story

pytestmark = pytest.mark.django_db

FEED = "/news/for-you/"
SETTINGS = "/me/recommendation/"


def test_the_feed_page_shows_each_reason_under_its_story_and_the_way_to_the_settings(
    resident_client: Client, local_story: Story
) -> None:
    # when
    response = resident_client.get(FEED)

    # then
    assert response.status_code == 200
    # Kept by no cache, the browser's included, and by no shared cache.
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control
    html = response.content.decode()
    assert f'href="/news/{local_story.pk}/"' in html
    assert "因为您居住在吴中区" in html
    assert f'href="{SETTINGS}"' in html
    assert "为什么推荐给我" in html


def test_the_feed_page_of_an_anonymous_visitor_shows_latest_and_most_read(
    editor: User,
) -> None:
    story("新的", author=editor, hours_ago=1)
    story("热的", author=editor, hours_ago=50, opens=20)

    html = Client().get(FEED).content.decode()

    assert "最新" in html
    assert "热门" in html
    assert "登录后可选择您关注的话题" in html


def test_the_feed_page_in_english(resident_client: Client, editor: User) -> None:
    story("s", author=editor)
    resident_client.cookies["citygate_lang"] = "en"

    html = resident_client.get(FEED).content.decode()

    assert "News for you" in html
    assert "Latest" in html


def test_the_feed_page_with_a_nonsense_page_number_shows_the_first(
    resident_client: Client, editor: User
) -> None:
    story("s", author=editor)

    for page in ("abc", "-1", "²", "9" * 40):
        response = resident_client.get(FEED, {"page": page})
        assert response.status_code == 200
        assert '<h2 class="feed-title">' in response.content.decode()


def test_the_settings_page_lists_the_tags_with_a_delete_button_each(
    resident: User, resident_client: Client
) -> None:
    # given
    tag("education", "教育", "Education")
    tag("jobs", "就业", "Jobs")
    services.interest_tag_follow(user=resident, slug="education")

    # when
    response = resident_client.get(SETTINGS)

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "推荐设置" in html
    assert "删除“教育”" in html
    assert 'name="tag" value="education"' in html
    assert 'name="tags" value="jobs"' in html  # to follow
    assert 'name="tags" value="education"' not in html
    assert "推荐是怎样产生的" in html


def test_the_settings_page_needs_a_signed_in_person() -> None:
    response = Client().get(SETTINGS)

    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_switching_off_on_the_settings_page_takes_effect_at_once(
    resident: User, resident_client: Client
) -> None:
    # when
    response = resident_client.post(SETTINGS, {"action": "switch", "personalized": "0"})

    # then
    assert response.status_code == 302
    assert not selectors.personalisation(user=resident).active
    followed = resident_client.get(response["Location"]).content.decode()
    assert "个性化推荐已关闭" in followed
    assert re.search(r'<input[^>]*name="personalized"[^>]*value="0"[^>]*checked', followed)


def test_deleting_a_tag_on_the_settings_page_suppresses_it(
    resident: User, resident_client: Client
) -> None:
    education = tag("education")
    services.interest_tag_follow(user=resident, slug="education")

    response = resident_client.post(SETTINGS, {"action": "delete", "tag": "education"})

    assert response.status_code == 302
    assert InterestTag.objects.get(user=resident, tag=education).suppressed


def test_deleting_an_unknown_tag_says_so_and_changes_nothing(resident_client: Client) -> None:
    response = resident_client.post(SETTINGS, {"action": "delete", "tag": "nope"}, follow=True)

    assert "没有这个标签。" in response.content.decode()
    assert not InterestTag.objects.exists()


def test_following_tags_and_choosing_a_district_on_the_settings_page(
    resident: User, resident_client: Client
) -> None:
    tag("education")
    tag("jobs")

    resident_client.post(SETTINGS, {"action": "follow", "tags": ["education", "jobs"]})
    resident_client.post(SETTINGS, {"action": "district", "district": "320506"})

    assert [t.slug for t in selectors.interest_tags(user=resident)] == ["education", "jobs"]
    resident.refresh_from_db()
    assert resident.home_district is not None
    assert resident.home_district.code == "320506"


def test_a_wrong_district_is_shown_beside_its_field(resident_client: Client) -> None:
    response = resident_client.post(SETTINGS, {"action": "district", "district": "999999"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "error-summary" in html


def test_the_street_is_chosen_under_the_district_and_one_of_another_is_refused(
    resident: User, resident_client: Client
) -> None:
    # the page lists the streets grouped by district, with the person's choice selected
    html = resident_client.get(SETTINGS).content.decode()
    assert '<optgroup label="吴中区">' in html
    assert 'value="320506100">甪直镇</option>' in html

    saved = resident_client.post(
        SETTINGS, {"action": "district", "district": "320506", "street": "320506100"}
    )
    refused = resident_client.post(
        SETTINGS, {"action": "district", "district": "320508", "street": "320506103"}
    )

    assert saved.status_code == 302
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "请选择所选区县的街道或镇。" in html
    assert 'id="id_street_error"' in html
    resident.refresh_from_db()
    assert resident.home_district is not None
    assert resident.home_street is not None
    assert (resident.home_district.code, resident.home_street.code) == ("320506", "320506100")
    page = resident_client.get(SETTINGS).content.decode()
    assert 'value="320506100" selected>甪直镇</option>' in page


def test_a_street_retired_since_stays_chosen_on_the_settings_page(
    resident: User, resident_client: Client
) -> None:
    services.home_place_set(user=resident, district="320508", street="320508024")
    Street.objects.filter(code="320508024").update(retired_in=2024)

    page = resident_client.get(SETTINGS).content.decode()
    saved = resident_client.post(
        SETTINGS, {"action": "district", "district": "320508", "street": "320508024"}
    )

    assert 'value="320508024" selected>吴门桥街道（已不在名录中）</option>' in page
    assert saved.status_code == 302
    resident.refresh_from_db()
    assert resident.home_street is not None
    assert resident.home_street.code == "320508024"


def test_the_settings_page_of_a_minor_explains_and_offers_no_switch(minor: User) -> None:
    html = signed_in(minor).get(SETTINGS).content.decode()

    assert "未成年人不提供个性化推荐" in html
    assert 'name="personalized"' not in html


def test_the_account_page_links_to_the_settings(resident_client: Client) -> None:
    html = resident_client.get("/account/").content.decode()

    assert f'href="{SETTINGS}"' in html


def test_the_reading_beacon_include_gives_a_signed_in_reader_a_view_token(
    resident: User, editor: User
) -> None:
    # given
    read_story = story("s", author=editor)
    include = Template('{% include "feed/_reading_beacon.html" %}')
    request = RequestFactory().get("/")

    # when
    request.user = resident
    signed = include.render(Context({"story": read_story, "request": request}))
    request.page_cache_placeholder = "csrf-placeholder"  # type: ignore[attr-defined]
    for_the_cache = include.render(Context({"story": read_story, "request": request}))
    request.user = AnonymousUser()
    del request.page_cache_placeholder  # type: ignore[attr-defined]
    anonymous = include.render(Context({"story": read_story, "request": request}))

    # then
    assert f'data-url="/api/v1/news/stories/{read_story.pk}/reading"' in signed
    assert 'data-view="' in signed
    assert "feed/reading.js" in signed
    assert anonymous.strip() == ""
    assert for_the_cache.strip() == ""


def test_a_visitor_reloading_a_story_counts_one_opening_a_day(editor: User) -> None:
    # given
    read_story = story("热门", author=editor)
    visitor = Client()

    # when the visitor loads the story five times
    for _ in range(5):
        assert visitor.get(f"/news/{read_story.pk}/").status_code == 200

    # then one opening is counted, and another browser counts its own
    assert Story.objects.get(pk=read_story.pk).opens == 1
    Client().get(f"/news/{read_story.pk}/")
    assert Story.objects.get(pk=read_story.pk).opens == 2


def test_a_forged_opened_cookie_is_ignored(editor: User) -> None:
    # given a cookie naming the story that the server did not sign
    read_story = story("热门", author=editor)
    visitor = Client()
    visitor.cookies["citygate_opened"] = f"2099-01-01:{read_story.pk.hex}"

    # when
    visitor.get(f"/news/{read_story.pk}/")

    # then
    assert Story.objects.get(pk=read_story.pk).opens == 1


def test_a_signed_in_readers_page_and_beacon_count_one_opening_together(
    resident: User, resident_client: Client, editor: User
) -> None:
    # given
    read_story = story("热门", author=editor)

    # when the reader loads the page three times and the beacon reports each view
    for _ in range(3):
        page = resident_client.get(f"/news/{read_story.pk}/").content.decode()
        view = re.search(r'data-view="([^"]+)"', page)
        assert view is not None
        services.story_reading_record(
            user=resident, story_id=read_story.pk, seconds=30, view_token=view.group(1)
        )

    # then
    assert Story.objects.get(pk=read_story.pk).opens == 1


def test_a_signed_in_reader_without_personalisation_is_counted_by_the_page_once(
    resident: User, resident_client: Client, editor: User
) -> None:
    # given a reader whose reading is not recorded (the beacon counts nothing for them)
    read_story = story("热门", author=editor)
    services.recommendation_set(user=resident, personalized=False)

    # when
    for _ in range(3):
        resident_client.get(f"/news/{read_story.pk}/")

    # then
    assert Story.objects.get(pk=read_story.pk).opens == 1
