"""The home page: the city's front door."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from citygate.shell.selectors import SERVICE_CATEGORIES

pytestmark = pytest.mark.django_db


def test_home_default_language_is_simplified_chinese(client: Client) -> None:
    # when
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html
    assert "城市通" in html
    assert "长辈版" in html


def test_home_signed_out_shows_every_category_and_a_sign_in_prompt(client: Client) -> None:
    # when
    response = client.get("/")

    # then
    html = response.content.decode()
    for name in ["户籍身份", "社保就业", "医疗健康", "住房公积金", "教育", "交通出行", "水电气"]:
        assert name in html
    for name in ["企业服务", "民政服务", "投诉建议"]:
        assert name in html
    for category in SERVICE_CATEGORIES:
        assert f'href="/services/{category.slug}/"' in html
    assert "登录后查看您的消息" in html
    assert 'href="/account/login/"' in html


def test_home_signed_in_shows_an_honest_empty_notice_list(resident_client: Client) -> None:
    # when
    response = resident_client.get("/")

    # then
    html = response.content.decode()
    assert "暂无消息" in html
    assert "登录后查看您的消息" not in html


def test_home_life_events_without_published_items_are_marked_coming_soon_and_not_linked(
    client: Client,
) -> None:
    # when
    html = client.get("/").content.decode()

    # then
    for name in [
        "新生儿出生一件事",
        "开办企业一件事",
        "退休一件事",
        "二手房交易一件事",
        "居住证一件事",
    ]:
        assert name in html
    events = html[html.index('id="events-title"') : html.index('id="notices-title"')]
    assert events.count("即将上线") == 5
    assert "<a " not in events


def test_home_news_strip_is_an_honest_empty_state(client: Client) -> None:
    # when
    html = client.get("/").content.decode()

    # then
    assert "暂无新闻" in html


def test_home_in_elderly_mode_shows_fewer_bigger_tiles(client: Client) -> None:
    # given
    client.cookies["citygate_elderly"] = "1"

    # when
    html = client.get("/").content.decode()

    # then
    assert '<html lang="zh-Hans" class="elderly">' in html
    tiles = re.findall(r'class="tile"', html)
    assert 0 < len(tiles) < len(SERVICE_CATEGORIES)
    assert "一件事一次办" not in html
    assert 'href="tel:12345"' in html
    assert "标准版" in html


def test_home_with_english_cookie_is_in_english(client: Client) -> None:
    # given
    client.cookies["citygate_lang"] = "en"

    # when
    html = client.get("/").content.decode()

    # then
    assert '<html lang="en"' in html
    assert "CityGate" in html
    assert "Senior mode" in html
    assert "城市通" not in html


def test_home_viewport_never_locks_zoom(client: Client) -> None:
    # when
    html = client.get("/").content.decode()

    # then
    viewport = re.search(r'<meta name="viewport" content="([^"]+)"', html)
    assert viewport is not None
    assert "maximum-scale" not in viewport.group(1)
    assert "user-scalable" not in viewport.group(1)


def test_home_has_no_inline_script_or_style_the_policy_would_block(client: Client) -> None:
    # when
    response = client.get("/")

    # then
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert " style=" not in html
    assert "<style" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag
    assert not re.search(r"\son[a-z]+=", html)
