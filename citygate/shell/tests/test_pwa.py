"""The installable web app: manifest, service worker, offline page."""

from __future__ import annotations

import json
import re
import struct

import pytest
from django.test import Client

from citygate.shell.tests.conftest import RESIDENT_PHONE

pytestmark = pytest.mark.django_db


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_manifest_describes_an_installable_app(client: Client) -> None:
    # when
    response = client.get("/manifest.webmanifest")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == "城市通"
    assert manifest["short_name"] == "城市通"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes


def test_manifest_icons_are_pngs_of_the_stated_size(client: Client) -> None:
    # given
    manifest = json.loads(client.get("/manifest.webmanifest").content)

    for icon in manifest["icons"]:
        # when
        response = client.get(icon["src"])

        # then
        assert response.status_code == 200, icon["src"]
        data = response.getvalue()
        width, height = _png_size(data)
        assert f"{width}x{height}" == icon["sizes"]


def test_service_worker_is_served_from_the_root_for_the_whole_site(client: Client) -> None:
    # when
    response = client.get("/sw.js")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_service_worker_caches_only_static_files_and_the_offline_page(client: Client) -> None:
    # when
    script = client.get("/sw.js").content.decode()

    # then
    shell = re.search(r"const SHELL = \[(.*?)\];", script)
    assert shell is not None
    cached = re.findall(r'"([^"]+)"', shell.group(1))
    assert cached, "the worker caches the static shell"
    assert all(url.startswith("/static/") for url in cached)
    assert "OFFLINE_URL" in shell.group(1)
    assert 'const OFFLINE_URL = "/offline/"' in script
    never = re.search(r"const NEVER = \[(.*?)\];", script)
    assert never is not None
    assert '"/api/"' in never.group(1)
    assert '"/account/"' in never.group(1)
    # Pages come from the network; only the cache of static files is ever written.
    assert "cache.put" not in script
    assert script.count("cache.addAll(SHELL)") == 1


def test_service_worker_shell_files_exist(client: Client) -> None:
    # given
    script = client.get("/sw.js").content.decode()
    shell = re.search(r"const SHELL = \[(.*?)\];", script)
    assert shell is not None

    for url in re.findall(r'"([^"]+)"', shell.group(1)):
        # when
        response = client.get(url)

        # then
        assert response.status_code == 200, url


def test_service_worker_version_is_stable_between_requests(client: Client) -> None:
    # when
    first = client.get("/sw.js").content
    second = client.get("/sw.js").content

    # then
    assert first == second


def test_offline_page_works_and_carries_both_languages(client: Client) -> None:
    # when
    response = client.get("/offline/")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "网络未连接" in html
    assert 'lang="en"' in html
    assert "This page needs a network connection." in html


def test_offline_page_signed_in_holds_no_personal_data(resident_client: Client) -> None:
    # when
    html = resident_client.get("/offline/").content.decode()

    # then
    assert RESIDENT_PHONE not in html
    assert f"{RESIDENT_PHONE[:3]}****{RESIDENT_PHONE[-4:]}" not in html


def test_pages_link_the_manifest_and_register_the_worker(client: Client) -> None:
    # when
    html = client.get("/").content.decode()

    # then
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-service-worker="/sw.js"' in html
