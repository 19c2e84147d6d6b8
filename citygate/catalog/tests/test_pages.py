"""The public catalogue pages: an item's guide, life events, the search page, categories."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from citygate.catalog.models import CatalogState, ItemStatus, ServiceItem
from citygate.catalog.tests.factories import publish
from citygate.catalog.views import VIEWS_PER_WRITE, openings_forget
from citygate.core.pagecache import pages_forget

pytestmark = pytest.mark.django_db


@pytest.fixture
def replacement() -> ServiceItem:
    return publish(
        "居民身份证补领",
        name_en="Replacing a lost resident ID card",
        summary="居民身份证丢失后申请补领。",
        summary_en="Apply for a new ID card after losing yours.",
        online_depth=4,
        appointment=True,
        conditions="本市户籍居民。",
        process=["网上申请", "现场采集", "领取新证"],
        materials=[
            {"name": "居民户口簿", "form": "original", "copies": 0, "e_licence": True},
            {"name": "照片", "form": "electronic", "necessity": "optional"},
        ],
        fees=[{"name": "工本费", "standard": "40元/证", "basis": "发改价格〔2003〕2322号"}],
        legal_basis=["《中华人民共和国居民身份证法》"],
        enquiry_phone="12345",
        faq=[{"question": "补领要多久？", "answer": "一般20个工作日。"}],
        life_events=["residence-permit"],
    )


def test_item_page_shows_the_whole_guide_in_chinese(
    client: Client, replacement: ServiceItem
) -> None:
    # when
    response = client.get(f"/services/item/{replacement.code}/")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "居民身份证补领",
        "本市户籍居民。",
        "居民户口簿",
        "可用电子证照",
        "现场采集",
        "40元/证",
        "《中华人民共和国居民身份证法》",
        "补领要多久？",
        'href="tel:12345"',
        "居住证一件事",
    ]:
        assert text in html, text
    # An item that can be applied for online offers that first, and a visit beside it.
    assert f'href="/services/item/{replacement.code}/apply/"' in html
    assert f'href="/appointments/book/?item={replacement.code}"' in html


def test_item_page_in_english_names_the_item_in_english_and_says_details_are_chinese(
    client: Client, replacement: ServiceItem
) -> None:
    client.cookies["citygate_lang"] = "en"
    html = client.get(f"/services/item/{replacement.code}/").content.decode()
    assert "<h1>Replacing a lost resident ID card</h1>" in html
    assert "Apply for a new ID card after losing yours." in html
    assert "The details of this guide are published in Chinese." in html


def test_item_page_offers_only_what_the_item_allows(client: Client) -> None:
    # given an item that can neither be applied for online nor booked
    item = publish("不动产登记信息查询", online_depth=1, appointment=False)

    # when
    html = client.get(f"/services/item/{item.code}/").content.decode()

    # then there is a phone call, not a booking
    assert "/appointments/book/" not in html
    assert 'href="tel:' in html
    assert client.get(f"/services/item/{item.code}/apply/").status_code == 404


def test_item_page_of_a_withdrawn_item_says_so_and_offers_nothing(
    client: Client, replacement: ServiceItem
) -> None:
    ServiceItem.objects.filter(pk=replacement.pk).update(status=ItemStatus.WITHDRAWN)
    CatalogState.bump()
    html = client.get(f"/services/item/{replacement.code}/").content.decode()
    assert "该事项已停止办理" in html
    assert "/appointments/book/" not in html


def test_item_page_of_an_unknown_or_unpublished_item_is_not_found(client: Client) -> None:
    ServiceItem.objects.create(code="DRAFT-ONLY", department_id=1)
    assert client.get("/services/item/DRAFT-ONLY/").status_code == 404
    assert client.get("/services/item/NO-SUCH/").status_code == 404
    assert client.get("/api/v1/services/items/NO-SUCH").json()["code"] == "not_found"


def test_item_page_counts_openings_in_batches(client: Client, replacement: ServiceItem) -> None:
    openings_forget()
    for _ in range(VIEWS_PER_WRITE * 2 + 3):
        client.get(f"/services/item/{replacement.code}/")
    replacement.refresh_from_db()
    assert replacement.popularity == VIEWS_PER_WRITE * 2


def test_item_page_query_count_does_not_grow_with_the_catalogue(
    client: Client, replacement: ServiceItem
) -> None:
    def rendering_queries() -> int:
        cache.clear()
        pages_forget()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/services/item/{replacement.code}/").status_code == 200
        return len(queries)

    first = rendering_queries()
    for number in range(20):
        publish(f"其他事项{number}", appointment=True)
    assert rendering_queries() == first


def test_item_page_is_served_from_the_cache_until_the_catalogue_changes(
    client: Client, replacement: ServiceItem
) -> None:
    # given a page rendered once
    client.get(f"/services/item/{replacement.code}/")

    # when it is asked for again, it costs at most the catalogue-state read
    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"/services/item/{replacement.code}/")
    assert len(queries) <= 1
    assert again.status_code == 200

    # and once a new version is published, the page shows it
    publish("居民身份证补领", code=replacement.code, summary="新版办事指南。")
    assert "新版办事指南。" in client.get(f"/services/item/{replacement.code}/").content.decode()


def test_cached_page_carries_each_visitor_their_own_csrf_token(
    replacement: ServiceItem,
) -> None:
    # given two visitors of the same cached page
    first, second = Client(), Client()
    path = f"/services/item/{replacement.code}/"
    first_html = first.get(path).content.decode()
    second_html = second.get(path).content.decode()

    # then no placeholder is left, and each page's token works with its visitor's cookie only
    assert not re.search(r'value="csrf-[0-9a-f]{32}"', first_html + second_html)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second_html)
    assert token is not None
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = second.cookies
    switched = strict.post("/elderly/", {"elderly": "1", "csrfmiddlewaretoken": token.group(1)})
    assert switched.status_code == 302
    stranger = Client(enforce_csrf_checks=True)
    stranger.cookies = first.cookies
    refused = stranger.post("/elderly/", {"elderly": "1", "csrfmiddlewaretoken": token.group(1)})
    assert refused.status_code == 403


def test_item_api_returns_the_published_guide(client: Client, replacement: ServiceItem) -> None:
    body = client.get(f"/api/v1/services/items/{replacement.code}").json()
    assert body["name"] == "居民身份证补领"
    assert body["guide"]["materials"][0]["name"] == "居民户口簿"
    assert body["status"] == "published"


def test_life_event_page_lists_its_published_items(
    client: Client, replacement: ServiceItem
) -> None:
    html = client.get("/services/events/residence-permit/").content.decode()
    assert "居住证一件事" in html
    assert f'href="/services/item/{replacement.code}/"' in html
    assert client.get("/services/events/no-such-event/").status_code == 404

    events = client.get("/api/v1/life-events").json()
    assert {"slug": "residence-permit"}.items() <= events[4].items() or any(
        e["slug"] == "residence-permit" and e["items"] == [replacement.code] for e in events
    )


def test_home_links_a_life_event_once_it_has_items(
    client: Client, replacement: ServiceItem
) -> None:
    html = client.get("/").content.decode()
    assert 'href="/services/events/residence-permit/"' in html
    assert 'href="/services/events/newborn/"' not in html


def test_category_page_lists_its_items(client: Client, replacement: ServiceItem) -> None:
    html = client.get("/services/id-residence/").content.decode()
    assert f'href="/services/item/{replacement.code}/"' in html
    assert "可网办" in html


def test_search_page_posts_and_shows_ranked_results(
    client: Client, replacement: ServiceItem
) -> None:
    # when
    response = client.post("/search/", {"q": "身份证丢了"})

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "找到 1 项服务" in html
    assert f'href="/services/item/{replacement.code}/"' in html


def test_search_page_with_nothing_typed_says_what_to_do(client: Client) -> None:
    html = client.post("/search/", {"q": "  "}).content.decode()
    assert "请输入您要找的服务。" in html
    assert 'aria-invalid="true"' in html


def test_search_page_unknown_department_is_a_field_error(client: Client) -> None:
    html = client.post("/search/", {"q": "身份证", "department": "nope"}).content.decode()
    assert "请从列表中选择部门。" in html


def test_search_page_found_nothing_offers_other_ways(
    client: Client, replacement: ServiceItem
) -> None:
    html = client.post("/search/", {"q": "天气预报"}).content.decode()
    assert "没有找到相关服务。" in html


def test_page_asked_for_with_a_query_string_is_neither_cached_nor_served_from_the_cache(
    client: Client, replacement: ServiceItem
) -> None:
    # given
    path = f"/services/item/{replacement.code}/"
    pages_forget()

    # when the page is asked for with a query string, each time is rendered afresh
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(path, {"next": "csrf-0123"}).content.decode()
        assert len(queries) > 1

    # then nothing was stored, and no token sits outside the token fields
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    assert html.count(token.group(1)) == html.count('name="csrfmiddlewaretoken"')
    with CaptureQueriesContext(connection) as plain:
        client.get(path)
    assert len(plain) > 1  # the plain address was not cached by the asks with a query


def test_search_page_filters_by_district(client: Client) -> None:
    # given a district's own item and a city-level one
    publish("农村宅基地使用审批", department="agriculture", district="320506")
    publish("宅基地政策咨询", department="agriculture")

    # when
    wuzhong = client.post("/search/", {"q": "宅基地", "district": "320506"}).content.decode()
    gusu = client.post("/search/", {"q": "宅基地", "district": "320508"}).content.decode()

    # then
    assert "农村宅基地使用审批" in wuzhong
    assert "农村宅基地使用审批" not in gusu
    assert "宅基地政策咨询" in gusu
    bad = client.post("/search/", {"q": "宅基地", "district": "999999"}).content.decode()
    assert "请从列表中选择区县。" in bad
