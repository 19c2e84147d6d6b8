"""The feed's API: GET /api/v1/news/feed, GET/PUT /api/v1/me/recommendation and the reading
beacon POST /api/v1/news/stories/{id}/reading."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from citygate.accounts.models import User
from citygate.accounts.services import api_token_issue
from citygate.directory.models import District, Street
from citygate.feed import selectors, services
from citygate.feed.models import InterestTag, StoryOpen
from citygate.feed.tests.conftest import id_number_born_years_ago, signed_in, story, tag
from citygate.news.models import Story

pytestmark = pytest.mark.django_db

FEED = "/api/v1/news/feed"
SETTINGS = "/api/v1/me/recommendation"


def reading_url(story_id: object) -> str:
    return f"/api/v1/news/stories/{story_id}/reading"


def put(client: Client, body: dict[str, Any]) -> Any:
    return client.put(SETTINGS, data=json.dumps(body), content_type="application/json")


def post_reading(
    client: Client, story_id: object, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Any:
    return client.post(
        reading_url(story_id),
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_the_feed_answers_each_story_with_its_reason(
    resident_client: Client, local_story: Story
) -> None:
    # when
    response = resident_client.get(FEED)

    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"items", "page", "total", "has_next", "personalized"}
    assert body["personalized"] is True
    (item,) = body["items"]
    assert set(item) == {
        "id",
        "title",
        "summary",
        "channel",
        "published_at",
        "cover_url",
        "url",
        "reason",
    }
    assert item["id"] == str(local_story.pk)
    assert item["url"] == f"/news/{local_story.pk}/"
    assert item["cover_url"] is None
    assert item["channel"]["slug"] == "city"
    assert item["reason"] == {"code": "district", "text": "因为您居住在吴中区"}


def test_the_feed_speaks_the_readers_language(resident_client: Client, local_story: Story) -> None:
    resident_client.cookies["citygate_lang"] = "en"

    (item,) = resident_client.get(FEED).json()["items"]

    assert item["reason"]["text"] == "Because you live in Wuzhong District"


def test_an_anonymous_visitor_gets_the_feed_that_is_the_same_for_everyone(editor: User) -> None:
    story("s", author=editor)

    body = Client().get(FEED).json()

    assert body["personalized"] is False
    assert body["items"][0]["reason"] == {"code": "latest", "text": "最新"}


def test_the_feed_refuses_a_token_it_does_not_know_rather_than_serving_a_visitor() -> None:
    response = Client().get(FEED, HTTP_AUTHORIZATION="Bearer cg_nonsense")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_the_feed_pages_twenty_stories_at_a_time(resident_client: Client, editor: User) -> None:
    for i in range(25):
        story(f"s{i}", author=editor, hours_ago=i + 1)

    first = resident_client.get(FEED).json()
    second = resident_client.get(FEED, {"page": 2}).json()
    beyond = resident_client.get(FEED, {"page": 10**9}).json()

    assert (len(first["items"]), first["has_next"], first["total"]) == (20, True, 25)
    assert (len(second["items"]), second["has_next"]) == (5, False)
    assert beyond["items"] == []
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(ids)) == 25


def test_the_feed_takes_a_fixed_number_of_queries_however_many_stories(
    resident: User, resident_client: Client, editor: User, wuzhong: District
) -> None:
    # given a person with a followed topic and a district, and stories with tags and districts
    education = tag("education")
    services.interest_tag_follow(user=resident, slug="education")
    services.home_district_set(user=resident, code="320506")

    def queries_for_feed_of(count: int) -> int:
        while Story.objects.count() < count:
            story("s", author=editor, tags=[education], districts=[wuzhong])
        with CaptureQueriesContext(connection) as captured:
            assert resident_client.get(FEED).status_code == 200
        return len(captured)

    # when
    few, many = queries_for_feed_of(3), queries_for_feed_of(30)

    # then
    assert few == many
    assert many <= 11


def test_switching_personalisation_off_through_the_api_changes_the_next_feed(
    resident: User, resident_client: Client, editor: User
) -> None:
    # given
    education = tag("education")
    story("followed", author=editor, hours_ago=10, tags=[education])
    story("newest", author=editor, hours_ago=1)
    services.interest_tag_follow(user=resident, slug="education")
    assert resident_client.get(FEED).json()["items"][0]["reason"]["code"] == "followed_tag"

    # when
    response = put(resident_client, {"personalized": False})

    # then
    assert response.status_code == 200
    assert response.json()["personalized"] is False
    assert response.json()["reason"]["code"] == "switched_off"
    items = resident_client.get(FEED).json()["items"]
    assert [i["title"] for i in items] == ["newest", "followed"]
    assert {i["reason"]["code"] for i in items} == {"latest"}


def test_recommendation_settings_list_the_tags_with_their_source_and_the_district(
    resident: User, resident_client: Client
) -> None:
    # given
    tag("education", "教育", "Education")
    services.interest_tag_follow(user=resident, slug="education")
    services.home_district_set(user=resident, code="320506")

    # when
    body = resident_client.get(SETTINGS).json()

    # then
    assert body == {
        "personalized": True,
        "reason": None,
        "tags": [{"slug": "education", "name": "教育", "source": "declared"}],
        "district": {"code": "320506", "name": "吴中区"},
        "street": None,
    }


def test_a_street_alone_sets_its_district_and_a_new_district_forgets_it(
    resident: User, resident_client: Client
) -> None:
    # given a person in 吴中区 with no street
    services.home_district_set(user=resident, code="320506")

    # when they give a street of 苏州工业园区 alone
    body = put(resident_client, {"street": "320576050"}).json()

    # then the street says the district
    assert body["district"] == {"code": "320576", "name": "苏州工业园区"}
    assert body["street"] == {"code": "320576050", "name": "娄葑街道"}
    # a change of district alone keeps a street inside it and forgets one outside
    assert put(resident_client, {"district": "320576"}).json()["street"]["code"] == "320576050"
    assert put(resident_client, {"district": "320508"}).json()["street"] is None
    # clearing the street keeps the district
    put(resident_client, {"street": "320508018"})
    body = put(resident_client, {"street": None}).json()
    assert (body["district"]["code"], body["street"]) == ("320508", None)


def test_a_street_of_another_district_or_unknown_is_refused_by_name_and_changes_nothing(
    resident: User, resident_client: Client
) -> None:
    tag("education")
    services.home_district_set(user=resident, code="320506")

    other = put(
        resident_client, {"tags": ["education"], "district": "320508", "street": "320576050"}
    )
    unknown = put(resident_client, {"street": "320508999"})
    nul = put(resident_client, {"street": "3205\u0000"})

    assert other.status_code == 400
    assert set(other.json()["fields"]) == {"street"}
    assert unknown.status_code == 400
    assert set(unknown.json()["fields"]) == {"street"}
    assert nul.status_code == 400
    assert set(nul.json()["fields"]) == {"street"}
    resident.refresh_from_db()
    assert resident.home_district is not None
    assert (resident.home_district.code, resident.home_street) == ("320506", None)
    assert not selectors.interest_tags(user=resident)


def test_every_wrong_field_is_named_at_once_with_the_street_of_another_district(
    resident: User, resident_client: Client
) -> None:
    response = put(resident_client, {"tags": ["nope"], "district": "320508", "street": "320576050"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"tags.0", "street"}


def test_a_retired_street_stays_the_persons_own_through_a_round_trip(
    resident: User, resident_client: Client, other_resident: User
) -> None:
    # given a person whose street a newer edition of the list has retired
    services.home_place_set(user=resident, district="320508", street="320508024")
    Street.objects.filter(code="320508024").update(retired_in=2024)
    tag("education")

    # when their client sends back what it read, with one change
    body = resident_client.get(SETTINGS).json()
    response = put(
        resident_client,
        {
            "tags": ["education"],
            "district": body["district"]["code"],
            "street": body["street"]["code"],
        },
    )

    # then it is kept; nobody else can choose it
    assert response.status_code == 200
    assert response.json()["street"]["code"] == "320508024"
    refused = put(signed_in(other_resident), {"street": "320508024"})
    assert refused.status_code == 400
    assert set(refused.json()["fields"]) == {"street"}


def test_two_stale_copies_of_a_person_never_leave_a_street_outside_its_district(
    resident: User,
) -> None:
    services.home_place_set(user=resident, district="320506", street="320506100")
    first, second = User.objects.get(pk=resident.pk), User.objects.get(pk=resident.pk)

    services.home_district_set(user=first, code="320508")
    services.recommendation_update(user=second, street="320506103", street_given=True)
    services.recommendation_update(user=first, district="320508", district_given=True)

    saved = User.objects.select_related("home_district", "home_street").get(pk=resident.pk)
    assert saved.home_district is not None
    assert saved.home_district.code == "320508"
    assert saved.home_street is None
    services.recommendation_update(user=first, street="320506103", street_given=True)
    services.home_district_set(user=second, code="320506")
    saved = User.objects.select_related("home_district", "home_street").get(pk=resident.pk)
    assert saved.home_street is not None
    assert saved.home_street.district_id == saved.home_district_id


def test_putting_the_tags_keeps_the_listed_ones_and_deletes_the_rest(
    resident: User, resident_client: Client
) -> None:
    tag("education")
    tag("jobs")
    services.interest_tag_follow(user=resident, slug="education")

    response = put(resident_client, {"tags": ["jobs"], "district": "320508"})

    assert response.status_code == 200
    body = response.json()
    assert [t["slug"] for t in body["tags"]] == ["jobs"]
    assert body["district"]["code"] == "320508"
    assert body["personalized"] is True


def test_putting_unknown_tags_names_each_field_and_changes_nothing(
    resident: User, resident_client: Client
) -> None:
    # given
    tag("education")
    services.interest_tag_follow(user=resident, slug="education")

    # when
    response = put(
        resident_client,
        {"personalized": False, "tags": ["education", "nope"], "district": "999999"},
    )

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {"tags.1": "没有这个标签。", "district": "请从列出的区县中选择。"}
    after = resident_client.get(SETTINGS).json()
    assert after["personalized"] is True
    assert [t["slug"] for t in after["tags"]] == ["education"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"personalized": "yes"}, "personalized"),
        ({"tags": "education"}, "tags"),
        ({"tags": [1]}, "tags.0"),
        ({"unknown": 1}, "unknown"),
        ({"district": 320506}, "district"),
    ],
)
def test_putting_a_wrong_shape_names_the_field(
    resident_client: Client, body: dict[str, Any], field: str
) -> None:
    response = put(resident_client, body)

    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_a_minor_sees_personalisation_off_with_the_reason_and_cannot_switch_it_on(
    minor: User,
) -> None:
    client = signed_in(minor)

    shown = client.get(SETTINGS).json()
    refused = put(client, {"personalized": True})

    assert shown["personalized"] is False
    assert shown["reason"] == {"code": "minor", "text": "未成年人不提供个性化推荐。"}
    assert refused.status_code == 403
    assert refused.json()["code"] == "personalisation_not_for_minors"
    assert set(refused.json()["fields"]) == {"personalized"}


def test_recommendation_settings_need_a_signed_in_person() -> None:
    assert Client().get(SETTINGS).status_code == 401
    assert put(Client(), {"personalized": False}).status_code == 401


def test_the_reading_beacon_records_a_view_once_however_often_it_reports(
    resident: User, resident_client: Client, editor: User
) -> None:
    # given
    read_story = story("s", author=editor)
    view = services.view_token(user=resident, story_id=read_story.pk)

    # when the beacon reports the same view twice (no CSRF header: a beacon cannot send one)
    responses = [
        post_reading(resident_client, read_story.pk, {"seconds": 45, "view": view})
        for _ in range(2)
    ]

    # then
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].json() == {"recorded": True}
    assert StoryOpen.objects.get(user=resident, story=read_story).seconds == 45


def test_the_reading_beacon_from_a_session_needs_the_pages_view_token(
    resident_client: Client, editor: User
) -> None:
    read_story = story("s", author=editor)

    missing = post_reading(resident_client, read_story.pk, {"seconds": 45})
    forged = post_reading(resident_client, read_story.pk, {"seconds": 45, "view": "x"})

    for response in (missing, forged):
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"view"}
    assert not StoryOpen.objects.exists()


def test_an_app_with_a_bearer_token_reports_reading_without_a_view_token(
    resident: User, editor: User
) -> None:
    read_story = story("s", author=editor)
    token = api_token_issue(user=resident)

    response = post_reading(
        Client(), read_story.pk, {"seconds": 30}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    assert StoryOpen.objects.get(user=resident).seconds == 30


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"seconds": -1}, "seconds"),
        ({"seconds": "10"}, "seconds"),
        ({"seconds": 1.5}, "seconds"),
        ({}, "seconds"),
        ({"seconds": 3, "extra": 1}, "extra"),
    ],
)
def test_the_reading_beacon_names_a_wrong_field(
    resident: User, resident_client: Client, editor: User, body: dict[str, Any], field: str
) -> None:
    read_story = story("s", author=editor)
    body = {**body, "view": services.view_token(user=resident, story_id=read_story.pk)}

    response = post_reading(resident_client, read_story.pk, body)

    assert response.status_code in {400, 422}
    assert field in response.json()["fields"]


def test_the_reading_beacon_of_an_anonymous_visitor_is_not_recorded(editor: User) -> None:
    read_story = story("s", author=editor)

    response = post_reading(Client(), read_story.pk, {"seconds": 10})

    assert response.status_code == 401
    assert not StoryOpen.objects.exists()


def test_the_reading_beacon_for_an_unknown_story_is_not_found(
    resident: User, resident_client: Client
) -> None:
    unknown = uuid.uuid4()
    view = services.view_token(user=resident, story_id=unknown)

    response = post_reading(resident_client, unknown, {"seconds": 10, "view": view})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_reading_beacon_never_logs_who_read_what(
    resident: User, resident_client: Client, editor: User, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    read_story = story("s", author=editor, tags=[tag("transport", "交通")])
    view = services.view_token(user=resident, story_id=read_story.pk)

    # when
    post_reading(resident_client, read_story.pk, {"seconds": 10, "view": view})

    # then the story's read is logged, but not with the reader, the topic or the token
    lines = [r.getMessage() for r in caplog.records if "feed.story_read" in r.getMessage()]
    assert len(lines) == 1
    assert str(read_story.pk) in lines[0]
    assert str(resident.pk) not in lines[0]
    logged = caplog.text
    assert "交通" not in logged
    assert "transport" not in logged
    assert view not in logged


def test_a_stories_cover_is_addressed_through_the_news_media_view(
    resident_client: Client, editor: User
) -> None:
    # given a published story with a cover, as covers.cover_store names it
    name = "0123456789abcdef0123456789abcdef.png"
    covered = story("有封面", author=editor)
    Story.objects.filter(pk=covered.pk).update(cover=f"news/{name}")

    # when
    items = resident_client.get(FEED).json()["items"]

    # then the address is the media view's, which checks that a published story shows it
    url = next(item["cover_url"] for item in items if item["id"] == str(covered.pk))
    match = resolve(url)
    assert match.view_name == "news:media"
    assert match.kwargs == {"name": name}


@pytest.mark.parametrize("address", [FEED, SETTINGS, "/news/for-you/", "/me/recommendation/"])
def test_what_was_learned_before_a_person_was_known_as_a_minor_is_deleted(
    resident: User, resident_client: Client, editor: User, address: str
) -> None:
    # given a person who read and followed before their ID number showed they are a minor
    transport, education = tag("transport"), tag("education")
    read_story = story("s", author=editor, tags=[transport])
    view = services.view_token(user=resident, story_id=read_story.pk)
    services.story_reading_record(
        user=resident, story_id=read_story.pk, seconds=300, view_token=view
    )
    services.interest_tag_follow(user=resident, slug="education")
    assert InterestTag.objects.filter(user=resident, tag=transport).exists()
    resident.id_number = id_number_born_years_ago(12)
    resident.save()

    # when the feed next reads about them
    assert resident_client.get(address).status_code == 200

    # then their reading and what was learned from it are gone; what they followed stays
    assert not StoryOpen.objects.filter(user=resident).exists()
    kept = InterestTag.objects.filter(user=resident)
    assert [(t.tag_id, t.source) for t in kept] == [(education.pk, "declared")]
