"""The shell's other pages, and the frame every page shares."""

from __future__ import annotations

import pytest
from django.test import Client

from citygate.shell.selectors import SERVICE_CATEGORIES

pytestmark = pytest.mark.django_db

SHELL_PAGES = ["/", "/services/", "/services/health/", "/messages/", "/search/", "/offline/"]


@pytest.mark.parametrize("path", SHELL_PAGES)
def test_page_frame_offers_language_and_elderly_switches_and_agreements(
    client: Client, path: str
) -> None:
    # when
    response = client.get(path)

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html
    assert 'action="/elderly/"' in html
    assert 'href="/privacy/agreements/terms/"' in html
    assert 'href="/privacy/agreements/privacy/"' in html
    assert f'name="next" value="{path}"' in html


@pytest.mark.parametrize("category", SERVICE_CATEGORIES, ids=lambda c: c.slug)
def test_category_page_without_published_items_says_so_honestly(
    client: Client, category: object
) -> None:
    # when
    response = client.get(f"/services/{category.slug}/")  # type: ignore[attr-defined]

    # then
    assert response.status_code == 200
    assert "该分类下暂无服务事项" in response.content.decode()


def test_category_page_unknown_slug_is_not_found(client: Client) -> None:
    # when
    response = client.get("/services/no-such-category/")

    # then
    assert response.status_code == 404


def test_services_page_lists_every_category(client: Client) -> None:
    # when
    html = client.get("/services/").content.decode()

    # then
    for category in SERVICE_CATEGORIES:
        assert f'href="/services/{category.slug}/"' in html


def test_search_page_shows_what_was_typed_only_in_its_own_field(client: Client) -> None:
    # given
    typed = "13912345678 张三 320508199001011234"

    # when
    response = client.post("/search/", {"q": typed})

    # then the text is back in the search box, nowhere else, and the page is never stored
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{typed}"' in html
    for part in typed.split():
        assert html.count(part) == 1
    assert "no-store" in response["Cache-Control"]
    # The switches return to the path, never to the query that was typed.
    assert 'name="next" value="/search/"' in html


def test_messages_page_signed_out_prompts_to_sign_in(client: Client) -> None:
    # when
    html = client.get("/messages/").content.decode()

    # then
    assert "登录后查看您的消息" in html


def test_messages_page_signed_in_is_an_honest_empty_state(resident_client: Client) -> None:
    # when
    html = resident_client.get("/messages/").content.decode()

    # then
    assert "暂无消息" in html


def test_tab_bar_marks_the_current_page(client: Client) -> None:
    # when
    html = client.get("/services/").content.decode()

    # then
    assert 'href="/services/" aria-current="page"' in html
    assert 'href="/" aria-current="page"' not in html


def test_home_search_form_posts_so_the_query_never_sits_in_a_url(client: Client) -> None:
    # when
    html = client.get("/").content.decode()

    # then
    assert '<form class="search" method="post" action="/search/"' in html


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_shell_pages_refuse_methods_other_than_get(client: Client, method: str) -> None:
    # when
    response = getattr(client, method)("/services/")

    # then
    assert response.status_code == 405


def test_styleguide_is_served_in_tests(client: Client) -> None:
    # when
    response = client.get("/styleguide/")

    # then
    assert response.status_code == 200


def test_styleguide_is_not_served_in_production(client: Client, settings: object) -> None:
    # given
    settings.DEBUG = False  # type: ignore[attr-defined]
    settings.TESTING = False  # type: ignore[attr-defined]

    # when
    response = client.get("/styleguide/")

    # then
    assert response.status_code == 404
