"""Registering, signing in and out, and API keys."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from tests.support.api import PASSWORD
from tests.web.conftest import WEB_SECRET, WebFactory
from tests.web.pages import HTMX, csrf_token, post_form, session_data, sign_up

KEY_ID = re.compile(r"/account/api-keys/([0-9a-f-]{36})/revoke")


async def test_registering_signs_in_with_a_safe_session_cookie(web: httpx.AsyncClient) -> None:
    await csrf_token(web)
    response = await post_form(
        web,
        "/account/register",
        {"email": "ada@example.org", "password": PASSWORD, "confirm": PASSWORD, "next": "/about"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/about"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    home = await web.get("/")
    assert "ada@example.org" in home.text and "Welcome to Deepcatcher" in home.text


async def test_the_cookie_is_secure_when_configured(make_web: WebFactory) -> None:
    async with make_web(secure_cookies=True) as web:
        page = await web.get("/")
    assert "; secure" in page.headers["set-cookie"].lower()


async def test_registration_errors_are_shown_by_their_field(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    await post_form(web, "/account/sign-out")
    taken = await post_form(
        web,
        "/account/register",
        {"email": "ada@example.org", "password": PASSWORD, "confirm": PASSWORD},
    )
    short = await post_form(
        web,
        "/account/register",
        {"email": "bob@example.org", "password": "short", "confirm": "short"},
    )
    differ = await post_form(
        web, "/account/register", {"email": "cat@example.org", "password": PASSWORD, "confirm": "x"}
    )
    assert taken.status_code == 422 and "already exists" in taken.text
    assert 'value="ada@example.org"' in taken.text  # what was typed stays
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert differ.status_code == 422 and "The two passwords differ." in differ.text


async def test_wrong_password_is_refused_in_words(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    await post_form(web, "/account/sign-out")
    response = await post_form(
        web, "/account/sign-in", {"email": "ada@example.org", "password": "wrong password!"}
    )
    assert response.status_code == 401
    assert "That email and password don&#39;t match." in response.text


async def test_sign_in_returns_only_to_pages_of_this_site(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    await post_form(web, "/account/sign-out")
    credentials = {"email": "ada@example.org", "password": PASSWORD}
    inside = await post_form(web, "/account/sign-in", credentials | {"next": "/predictions"})
    outside = await post_form(web, "/account/sign-in", credentials | {"next": "//evil.example/x"})
    assert inside.headers["location"] == "/predictions"
    assert outside.headers["location"] == "/"


async def test_signing_out_revokes_the_api_token(web: httpx.AsyncClient, api_app: FastAPI) -> None:
    await sign_up(web, "ada@example.org")
    token = session_data(web, secret_key=WEB_SECRET)["token"]
    signed_out = await post_form(web, "/account/sign-out")
    assert signed_out.status_code == 303
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api_app), base_url="http://api.test"
    ) as api:
        me = await api.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    home = await web.get("/")
    assert "You are signed out." in home.text and "ada@example.org" not in home.text


async def test_an_expired_session_sends_people_to_sign_in(
    web: httpx.AsyncClient, api_app: FastAPI
) -> None:
    await sign_up(web, "ada@example.org")
    token = session_data(web, secret_key=WEB_SECRET)["token"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api_app), base_url="http://api.test"
    ) as api:
        await api.post("/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    page = await web.get("/predictions")
    assert page.status_code == 303
    assert page.headers["location"] == "/account/sign-in?next=/predictions"
    sign_in = await web.get(page.headers["location"])
    assert "Your session has ended" in sign_in.text
    htmx = await post_form(web, "/account/api-keys", {"name": "x"}, headers=HTMX)
    assert htmx.headers["HX-Redirect"].startswith("/account/sign-in")


async def test_api_keys_are_shown_once_listed_and_revoked(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    created = await post_form(web, "/account/api-keys", {"name": "Newsroom CMS"}, headers=HTMX)
    assert created.status_code == 200
    assert created.text.lstrip().startswith('<div id="api-keys"')
    key = re.search(r'value="(dck_[^"]+)"', created.text)
    assert key, created.text
    assert f"Bearer {key.group(1)}" in created.text  # the curl example uses the new key
    account = await web.get("/account")
    assert key.group(1) not in account.text and "Newsroom CMS" in account.text
    assert 'href="http://localhost:8002/docs"' in account.text
    (key_id,) = set(KEY_ID.findall(account.text))
    revoked = await post_form(web, f"/account/api-keys/{key_id}/revoke")
    assert revoked.status_code == 303
    assert "Revoked" in (await web.get("/account")).text


async def test_an_api_key_needs_a_name(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    response = await post_form(web, "/account/api-keys", {"name": "  "})
    assert response.status_code == 422
    assert "Give the key a name" in response.text
