"""Checking an image by its link, against real web servers on this machine's loopback."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ApiFactory
from tests.inference.signing import created_manifest, make_authority, sign
from tests.support import images
from tests.support.api import JPEG, assert_problem, count_rows, predict, sign_up
from tests.support.links import LinkServer, link_server, page

# What the tests let links reach: loopback only, and only because the environment is development.
LOOPBACK = {"environment": "development", "link_allowed_private_networks": "127.0.0.0/8"}
FAST_LIMITS = {"link_first_byte_timeout_s": 1.0, "link_total_timeout_s": 2.0}


@pytest.fixture
async def site() -> AsyncIterator[LinkServer]:
    """A web server on 127.0.0.1."""
    async with link_server() as server:
        yield server


@pytest.fixture
async def api(make_api: ApiFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The API allowed to fetch from loopback, with short time limits."""
    async with make_api(**LOOPBACK, **FAST_LIMITS) as client:
        yield client


async def check_link(
    client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST a link to /v1/predictions."""
    return await client.post("/v1/predictions", json={"url": url}, headers=headers)


def prediction_of(response: httpx.Response) -> dict[str, Any]:
    """The one prediction of a successful answer."""
    assert response.status_code in {200, 201}, response.text
    (item,) = response.json()["items"]
    assert item["status"] == "ok", item
    prediction: dict[str, Any] = item["prediction"]
    return prediction


async def test_a_direct_image_link_gets_the_upload_s_verdict_and_history_keeps_the_link(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    data = images.jpeg(seed=31)
    url = site.put("/media/harbour.jpg", data, JPEG)

    uploaded = prediction_of(await predict(api, ("harbour.jpg", data, JPEG)))
    linked = prediction_of(await check_link(api, url))

    assert (linked["verdict"], linked["score"]) == (uploaded["verdict"], uploaded["score"])
    assert linked["image"] == uploaded["image"]  # the same bytes: nothing re-encoded
    assert linked["filename"] == "harbour.jpg"
    assert linked["source"]["url"] == linked["source"]["image_url"] == url
    assert linked["source"]["page_url"] is None
    headers = await sign_up(api, "ada@example.org")
    saved = await check_link(api, url, headers=headers)
    assert saved.status_code == 201
    (listed,) = (await api.get("/v1/predictions", headers=headers)).json()["items"]
    assert listed["source"]["url"] == url and listed["image"]["sha256"] == linked["image"]["sha256"]


async def test_a_page_s_og_image_is_checked_and_every_candidate_listed(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    site.put("/media/lead.jpg", images.jpeg(seed=32), JPEG)
    site.put("/media/card.png", images.png(seed=33), "image/png")
    html = page(
        '<link rel="image_src" href="/media/lead.jpg">',
        '<meta name="twitter:image" content="../media/card.png">',
        '<meta property="og:image" content="lead.jpg?size=large">',
        '<base href="/media/">',
    )
    story = site.put("/news/2026/flood", html, "text/html; charset=utf-8")

    prediction = prediction_of(await check_link(api, story))

    source = prediction["source"]
    assert source["page_url"] == story
    assert source["taken_from"] == "og:image"  # og:image first, wherever it is in the page
    assert source["image_url"] == site.url("/media/lead.jpg?size=large")  # after <base>
    assert [(c["tag"], c["url"]) for c in source["candidates"]] == [
        ("og:image", site.url("/media/lead.jpg?size=large")),
        ("twitter:image", site.url("/media/card.png")),
        ("image_src", site.url("/media/lead.jpg")),
    ]


async def test_a_relative_twitter_image_is_taken_when_the_page_has_nothing_else(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    data = images.png(seed=34)
    site.put("/img/card.png", data, "image/png")
    html = page('<meta name="twitter:image" content="img/card.png">')
    story = site.put("/story", html, "text/html")

    prediction = prediction_of(await check_link(api, story))

    assert prediction["source"]["taken_from"] == "twitter:image"
    assert prediction["source"]["image_url"] == site.url("/img/card.png")
    assert prediction["image"]["byte_size"] == len(data)


async def test_a_page_serving_a_smaller_copy_than_it_declares_says_so(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    site.put("/small.jpg", images.jpeg(seed=35, width=192, height=160), JPEG)
    html = page(
        '<meta property="og:image" content="/small.jpg">',
        '<meta property="og:image:width" content="1920">',
        '<meta property="og:image:height" content="1600">',
    )

    prediction = prediction_of(await check_link(api, site.put("/p", html, "text/html")))

    assert "1920x1600 but served 192x160" in prediction["source"]["note"]


async def test_a_page_whose_og_image_carries_an_ai_c2pa_claim_is_fake_by_provenance(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    manifest = created_manifest(source_type="trainedAlgorithmicMedia", generator="Test Diffusion")
    signed = sign(images.jpeg(seed=36), manifest=manifest, authority=make_authority())
    image_url = site.put("/media/generated.jpg", signed, JPEG)
    html = page(f'<meta property="og:image" content="{image_url}">')
    story = site.put("/story", html, "text/html")

    prediction = prediction_of(await check_link(api, story))

    assert (prediction["verdict"], prediction["decided_by"]) == ("fake", "provenance")
    assert prediction["source"]["image_url"] == image_url
    assert prediction["image"]["byte_size"] == len(signed)  # the original file, manifest and all


async def test_redirects_are_followed_up_to_five_and_loops_are_refused(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    image = site.put("/photo.jpg", images.jpeg(seed=37), JPEG)

    followed = prediction_of(await check_link(api, site.url(f"/hops/4?to={image}")))
    too_many = await check_link(api, site.url(f"/hops/5?to={image}"))
    loop = await check_link(api, site.url("/loop/a"))

    assert followed["source"]["image_url"] == image
    assert "more than 5" in assert_problem(too_many, 422)["detail"]
    assert assert_problem(loop, 422)["type"] == "urn:deepcatcher:problem:too-many-redirects"
    assert "loop" in loop.json()["detail"]


async def test_a_server_sending_a_byte_a_second_is_cut_at_the_total_time_limit(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    started = time.perf_counter()
    response = await check_link(api, site.url("/slow"))
    took = time.perf_counter() - started

    body = assert_problem(response, 422)
    assert body["type"] == "urn:deepcatcher:problem:link-too-slow"
    assert "longer than 2 s" in body["detail"]
    assert 2.0 <= took < 3.5


async def test_a_server_that_never_answers_is_cut_at_the_first_byte_limit(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    started = time.perf_counter()
    response = await check_link(api, site.url("/silent"))

    assert "nothing within 1 s" in assert_problem(response, 422)["detail"]
    assert time.perf_counter() - started < 2.0


async def test_bodies_past_the_size_limit_are_cut_even_when_compressed(
    make_api: ApiFactory, site: LinkServer
) -> None:
    async with make_api(**LOOPBACK, **FAST_LIMITS, max_upload_bytes=1024 * 1024) as api:
        endless = await check_link(api, site.url("/endless"))
        bomb = await check_link(api, site.url("/gzip-bomb"))
        declared = await check_link(api, site.put("/big.jpg", bytes(2 * 1024 * 1024), JPEG))

    for response in (endless, bomb, declared):
        body = assert_problem(response, 413)
        assert body["type"] == "urn:deepcatcher:problem:link-too-large"
        assert "larger than 1048576 bytes" in body["detail"]


@pytest.mark.parametrize(
    ("data", "content_type", "status", "problem"),
    [
        pytest.param(images.png_bomb(), "image/png", 413, "too-many-pixels", id="pixel-bomb"),
        pytest.param(b"just some words", "text/plain", 415, "unsupported-image", id="text"),
        pytest.param(b"%PDF-1.7 fake", "image/jpeg", 415, "unsupported-image", id="wrong-type"),
        pytest.param(page(), "text/html", 422, "no-image-on-page", id="page-without-image"),
    ],
)
async def test_what_is_not_a_checkable_image_is_refused_and_nothing_stored(
    api: httpx.AsyncClient,
    site: LinkServer,
    db_engine: AsyncEngine,
    data: bytes,
    content_type: str,
    status: int,
    problem: str,
) -> None:
    headers = await sign_up(api, "ada@example.org")

    response = await check_link(api, site.put("/thing", data, content_type), headers=headers)

    assert assert_problem(response, status)["type"] == f"urn:deepcatcher:problem:{problem}"
    assert await count_rows(db_engine, "predictions") == 0
    assert await count_rows(db_engine, "images") == 0


async def test_the_bytes_decide_an_image_s_type_not_the_server_s_label(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    data = images.jpeg(seed=38)

    as_text = prediction_of(await check_link(api, site.put("/a", data, "text/plain")))
    as_page = prediction_of(await check_link(api, site.put("/b", data, "text/html")))

    assert as_text["image"]["mime_type"] == as_page["image"]["mime_type"] == JPEG


async def test_a_missing_page_is_a_422_naming_the_server_s_status(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    body = assert_problem(await check_link(api, site.url("/nowhere")), 422)

    assert body["type"] == "urn:deepcatcher:problem:link-unreachable"
    assert body["upstream_status"] == 404 and "404 Not Found" in body["detail"]


async def test_the_fetcher_names_itself_and_sends_back_no_cookie(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    image = site.put("/photo.jpg", images.jpeg(seed=39), JPEG)

    prediction_of(await check_link(api, site.url(f"/cookie?to={image}")))
    prediction_of(await check_link(api, image))

    assert len(site.requests) == 3
    assert all("Deepcatcher" in request.headers["user-agent"] for request in site.requests)
    assert all("cookie" not in request.headers for request in site.requests)


async def test_a_name_is_connected_to_at_its_checked_address_and_sent_as_host(
    api: httpx.AsyncClient, site: LinkServer
) -> None:
    site.put("/photo.jpg", images.jpeg(seed=42), JPEG)

    prediction_of(await check_link(api, f"http://localhost:{site.port}/photo.jpg"))

    (request,) = site.requests
    assert request.headers["host"] == f"localhost:{site.port}"  # the name, not the address
    assert request.client is not None and request.client.host == "127.0.0.1"


@pytest.mark.parametrize(
    "link",
    [
        "file:///etc/passwd",
        "ftp://example.org/a.jpg",
        "http://user:password@example.org/a.jpg",
        "http://example.org:99999/a.jpg",
        "not a link",
    ],
)
async def test_links_that_are_not_plain_http_are_refused(api: httpx.AsyncClient, link: str) -> None:
    response = await check_link(api, link)

    assert assert_problem(response, 422)["type"] == "urn:deepcatcher:problem:invalid-link"


async def test_a_json_body_without_a_link_is_a_422_naming_the_field(
    api: httpx.AsyncClient,
) -> None:
    missing = await api.post("/v1/predictions", json={"address": "https://example.org"})
    neither = await api.post(
        "/v1/predictions", content=b"url=x", headers={"Content-Type": "text/plain"}
    )

    assert assert_problem(missing, 422)["errors"][0]["loc"] == ["body", "url"]
    assert assert_problem(neither, 422)["errors"][0]["loc"] == ["body", "files"]


@pytest.fixture
async def production_api(make_api: ApiFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The API with production settings: links reach public addresses only."""
    async with make_api(environment="production") as client:
        yield client


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("http://127.0.0.1:{port}/photo.jpg", "unsafe-link"),
        ("http://[::1]:{port}/photo.jpg", "unsafe-link"),
        ("http://[::ffff:127.0.0.1]:{port}/photo.jpg", "unsafe-link"),
        ("http://169.254.169.254/latest/meta-data/", "unsafe-link"),
        ("http://10.0.0.1/photo.jpg", "unsafe-link"),
        ("http://192.168.1.1/photo.jpg", "unsafe-link"),
        ("http://[fd00::1]/photo.jpg", "unsafe-link"),
        ("http://0x7f000001:{port}/photo.jpg", "unsafe-link"),
        ("http://2130706433:{port}/photo.jpg", "unsafe-link"),
        ("http://0177.0.0.1:{port}/photo.jpg", "invalid-link"),
        ("http://localhost:{port}/photo.jpg", "unsafe-link"),
    ],
)
async def test_production_refuses_links_to_non_public_addresses_and_stores_nothing(
    production_api: httpx.AsyncClient,
    site: LinkServer,
    db_engine: AsyncEngine,
    link: str,
    problem: str,
) -> None:
    site.put("/photo.jpg", images.jpeg(seed=40), JPEG)
    headers = await sign_up(production_api, "ada@example.org")

    response = await check_link(production_api, link.format(port=site.port), headers=headers)

    assert assert_problem(response, 422)["type"] == f"urn:deepcatcher:problem:{problem}"
    assert site.requests == []  # refused before connecting
    assert await count_rows(db_engine, "predictions") == 0
    assert await count_rows(db_engine, "images") == 0


async def test_a_redirect_to_loopback_is_refused_though_the_first_address_was_allowed(
    make_api: ApiFactory, site: LinkServer, db_engine: AsyncEngine
) -> None:
    image = site.put("/photo.jpg", images.jpeg(seed=41), JPEG)
    settings = {"environment": "development", "link_allowed_private_networks": "127.0.0.2/32"}
    async with link_server(host="127.0.0.2") as other, make_api(**settings) as api:
        headers = await sign_up(api, "ada@example.org")
        allowed = other.put("/photo.jpg", images.jpeg(seed=41), JPEG)
        assert prediction_of(await check_link(api, allowed, headers=headers))
        to_loopback = await check_link(api, other.url(f"/hops/1?to={image}"), headers=headers)
        to_metadata = await check_link(
            api, other.url("/hops/0?to=http://169.254.169.254/latest/"), headers=headers
        )

    for refused in (to_loopback, to_metadata):
        assert assert_problem(refused, 422)["type"] == "urn:deepcatcher:problem:unsafe-link"
    assert site.requests == []
    assert await count_rows(db_engine, "predictions") == 1  # the allowed check only
