"""The web forwards to the API only the browser address it determined itself."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.support.transports import RecordingTransport
from tests.web.conftest import WebFactory
from tests.web.pages import post_form

SPOOFED = {"X-Forwarded-For": "198.51.100.7"}


async def _forwarded_address(make_web: WebFactory, api_app: FastAPI, **settings: str) -> str:
    api = RecordingTransport(httpx.ASGITransport(app=api_app))
    async with make_web(api_transport=api, **settings) as web:
        credentials = {"email": "ada@example.org", "password": "wrong password!"}
        await post_form(web, "/account/sign-in", credentials, headers=SPOOFED)
    (sign_in,) = [r for r in api.requests if r.url.path == "/v1/auth/token"]
    return sign_in.headers["X-Forwarded-For"]


async def test_a_browsers_forwarded_for_is_not_passed_on(
    make_web: WebFactory, api_app: FastAPI
) -> None:
    # The test client connects from 127.0.0.1, which is no trusted proxy by default.
    assert await _forwarded_address(make_web, api_app) == "127.0.0.1"


async def test_a_trusted_proxys_forwarded_for_is(make_web: WebFactory, api_app: FastAPI) -> None:
    forwarded = await _forwarded_address(make_web, api_app, forwarded_allow_ips="127.0.0.1")
    assert forwarded == "198.51.100.7"
