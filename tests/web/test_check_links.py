"""The home page's "Paste a link": a plain form post, with the page's image shown by its address."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.images import jpeg, png
from tests.support.links import LinkServer, link_server, page
from tests.web.conftest import ApiAppFactory, WebFactory
from tests.web.pages import csrf_token, post_form, sign_up

LOOPBACK = {"environment": "development", "link_allowed_private_networks": "127.0.0.0/8"}


@pytest.fixture
async def site() -> AsyncIterator[LinkServer]:
    """A web server on 127.0.0.1 with a news page whose og:image is a photo."""
    async with link_server() as server:
        server.put("/media/lead.jpg", jpeg(seed=61), "image/jpeg")
        server.put("/media/card.png", png(seed=62), "image/png")
        tags = (
            '<meta property="og:image" content="/media/lead.jpg">',
            '<meta name="twitter:image" content="/media/card.png">',
        )
        server.put("/news/story", page(*tags), "text/html")
        yield server


@pytest.fixture
async def web(
    make_api_app: ApiAppFactory, make_web: WebFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """The web in front of an API that may fetch links from loopback."""
    async with (
        make_api_app(**LOOPBACK) as api,
        make_web(api_transport=httpx.ASGITransport(app=api)) as client,
    ):
        yield client


async def test_the_home_page_has_a_link_form_that_needs_no_script(web: httpx.AsyncClient) -> None:
    home = await web.get("/")

    form = home.text.split('<form class="link-form"', 1)[1].split("</form>", 1)[0]
    assert 'action="/check/link" method="post"' in form
    assert 'name="url" type="url"' in form and 'name="csrf_token"' in form
    assert "Paste a link" in form


async def test_a_pasted_page_link_shows_the_page_s_image_by_its_address_with_the_verdict(
    web: httpx.AsyncClient, site: LinkServer
) -> None:
    story = site.url("/news/story")

    result = await post_form(web, "/check/link", {"url": story})

    assert result.status_code == 200
    text = result.text
    image = site.url("/media/lead.jpg")
    assert f'<img src="{image}"' in text  # the picture, by its address, before the verdict
    assert text.index(f'<img src="{image}"') < text.index('class="result-title"')
    assert "og:image" in text and f'href="{story}"' in text
    assert "Check this one" in text and site.url("/media/card.png") in text
    policy = result.headers["content-security-policy"]
    assert f"img-src 'self' data: blob: http://127.0.0.1:{site.port};" in policy
    assert f'value="{story}"' in text  # the field keeps the link


async def test_a_signed_in_link_check_is_saved_and_shown_from_history(
    web: httpx.AsyncClient, site: LinkServer
) -> None:
    await sign_up(web, "ada@example.org")

    result = await post_form(web, "/check/link", {"url": site.url("/media/lead.jpg")})

    assert "Open evidence" in result.text and "/image?w=320" in result.text
    assert "img-src 'self' data: blob:;" in result.headers["content-security-policy"]


async def test_a_link_that_cannot_be_checked_gives_a_friendly_card(
    web: httpx.AsyncClient, site: LinkServer
) -> None:
    missing = await post_form(web, "/check/link", {"url": site.url("/gone")})
    empty = await post_form(web, "/check/link", {"url": "  "})
    token = await csrf_token(web)
    unsigned = await web.post("/check/link", data={"url": site.url("/gone")})

    assert missing.status_code == 200 and "answered 404 Not Found" in missing.text
    assert "result-failed" in missing.text
    assert empty.status_code == 422 and "Paste a link" in empty.text
    assert unsigned.status_code == 403 and token
