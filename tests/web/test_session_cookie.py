"""The session cookie is encrypted and Secure outside development; pages are never cached."""

from __future__ import annotations

import base64
import binascii

import httpx

from tests.web.conftest import WEB_SECRET, WebFactory
from tests.web.pages import HTMX, post_form, session_data, sign_up


def _readable_parts(cookie: str) -> str:
    """The cookie as sent, plus whatever of it decodes as base64, to look for secrets in."""
    decoded = []
    for part in cookie.split("."):
        try:
            decoded.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except (binascii.Error, ValueError):
            continue
    return cookie + b"".join(decoded).decode("latin-1")


async def test_the_cookie_does_not_show_the_api_token_or_the_account(
    web: httpx.AsyncClient,
) -> None:
    await sign_up(web, "ada@example.org")
    cookie = web.cookies["deepcatcher_session"]
    token = session_data(web, secret_key=WEB_SECRET)["token"]
    assert token.startswith("dct_")
    readable = _readable_parts(cookie)
    assert token not in readable and token[4:20] not in readable
    assert "ada@example.org" not in readable


async def test_a_tampered_cookie_signs_nobody_in(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    cookie = web.cookies["deepcatcher_session"]
    web.cookies.clear()
    web.cookies["deepcatcher_session"] = cookie[:-8] + (
        "A" * 8 if cookie[-8:] != "A" * 8 else "B" * 8
    )
    page = await web.get("/account")
    assert page.status_code == 303 and page.headers["location"].startswith("/account/sign-in")


async def test_the_cookie_is_secure_by_default_outside_development(make_web: WebFactory) -> None:
    async with make_web(secure_cookies=None) as web:
        test_cookie = (await web.get("/")).headers["set-cookie"].lower()
    async with make_web(secure_cookies=None, environment="development") as web:
        development_cookie = (await web.get("/")).headers["set-cookie"].lower()
    assert "; secure" in test_cookie
    assert "secure" not in development_cookie


async def test_signed_in_pages_and_the_new_api_key_are_not_stored(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    pages = [await web.get(path) for path in ("/", "/account", "/predictions", "/bulk")]
    new_key = await post_form(web, "/account/api-keys", {"name": "CMS"}, headers=HTMX)
    full_page_key = await post_form(web, "/account/api-keys", {"name": "CMS 2"})
    static = await web.get("/static/vendor/htmx/htmx.min.js")
    assert "dck_" in new_key.text and "dck_" in full_page_key.text
    for response in (*pages, new_key, full_page_key):
        assert response.headers["Cache-Control"] == "no-store", response.url
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
