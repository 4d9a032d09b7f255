"""Steps route tests take through the web app, as a browser would send them."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx

from services.web.security.cookies import SessionCipher
from tests.support.api import PASSWORD

HTMX = {"HX-Request": "true"}
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
PREDICTION_LINK = re.compile(r"/predictions/([0-9a-f-]{36})")


async def csrf_token(web: httpx.AsyncClient, path: str = "/") -> str:
    """The CSRF token a page's forms carry (opening the page starts the session)."""
    page = await web.get(path)
    match = CSRF_FIELD.search(page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


async def post_form(
    web: httpx.AsyncClient, path: str, data: dict[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    """Submit a form the way a browser does, with the page's CSRF token."""
    token = await csrf_token(web)
    return await web.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


async def sign_up(web: httpx.AsyncClient, email: str) -> None:
    """Register through the web form; the client is then signed in."""
    response = await post_form(
        web, "/account/register", {"email": email, "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 303, response.text


async def check(
    web: httpx.AsyncClient, *files: tuple[str, bytes, str], htmx: bool = False
) -> httpx.Response:
    """Upload images on the home page."""
    token = await csrf_token(web)
    return await web.post(
        "/check",
        data={"csrf_token": token},
        files=[("files", file) for file in files],
        headers=HTMX if htmx else {},
    )


async def checked_prediction_ids(
    web: httpx.AsyncClient, *files: tuple[str, bytes, str]
) -> list[str]:
    """Check images while signed in; the ids of the saved predictions, in upload order."""
    response = await check(web, *files)
    assert response.status_code == 200, response.text
    ids = list(dict.fromkeys(PREDICTION_LINK.findall(response.text)))
    assert len(ids) == len(files), response.text
    return ids


def session_data(web: httpx.AsyncClient, *, secret_key: str) -> dict[str, Any]:
    """What the encrypted session cookie holds (decrypted as the web app does)."""
    cookie = web.cookies["deepcatcher_session"]
    data: dict[str, Any] = json.loads(
        base64.b64decode(SessionCipher(secret_key).unsign(cookie.encode()))
    )
    return data
