"""Error pages, security headers, and what the web passes on to the API."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.web.deps import get_inference
from services.web.security.headers import CONTENT_SECURITY_POLICY
from tests.support.processes import closed_port_url
from tests.support.transports import RecordingTransport
from tests.web.conftest import WebFactory
from tests.web.pages import HTMX, csrf_token, post_form, sign_up


async def test_unknown_pages_get_a_friendly_404(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    for path in ("/no-such-page", "/predictions/not-an-id"):
        page = await web.get(path)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")
        assert "Page not found" in page.text


async def test_a_down_api_gives_a_503_page_not_a_stack_trace(make_web: WebFactory) -> None:
    async with make_web(api_transport=httpx.AsyncHTTPTransport(), api_url=closed_port_url()) as web:
        home = await web.get("/")
        sign_in = await post_form(
            web, "/account/sign-in", {"email": "ada@example.org", "password": "whatever12"}
        )
    assert home.status_code == 200  # pages that need no service still work
    assert sign_in.status_code == 503
    assert "Temporarily unavailable" in sign_in.text and "Traceback" not in sign_in.text


async def test_unexpected_errors_get_a_500_page(make_web: WebFactory) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    async with make_web() as web:
        app: FastAPI = web._transport.app  # type: ignore[attr-defined]
        app.dependency_overrides[get_inference] = broken
        # Starlette re-raises after sending the 500 page (for servers to log); a server keeps going.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as browser:
            page = await browser.get("/about")
    assert page.status_code == 500
    assert "Something went wrong" in page.text
    assert "boom" not in page.text and "Traceback" not in page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


async def test_htmx_errors_come_back_as_a_flash(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    missing = "/predictions/00000000-0000-0000-0000-000000000000/delete"
    response = await post_form(web, missing, headers=HTMX)
    assert response.status_code == 404
    assert response.headers["HX-Reswap"] == "none"
    assert 'hx-swap-oob="true"' in response.text and "flash-error" in response.text


async def test_forms_without_the_csrf_token_are_refused(web: httpx.AsyncClient) -> None:
    await csrf_token(web)
    forged = await web.post("/account/sign-out")
    wrong = await web.post("/account/sign-out", data={"csrf_token": "guessed"})
    assert forged.status_code == 403 and wrong.status_code == 403
    assert "This form has expired" in forged.text


async def test_every_response_carries_the_security_headers(web: httpx.AsyncClient) -> None:
    for path in ("/", "/about", "/no-such-page", "/static/css/app.css"):
        response = await web.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


async def test_pages_have_no_inline_scripts_or_styles(web: httpx.AsyncClient) -> None:
    page = await web.get("/")
    assert "<script>" not in page.text and "<style" not in page.text and " style=" not in page.text


async def test_htmx_is_served_from_the_npm_package(web: httpx.AsyncClient) -> None:
    htmx = await web.get("/static/vendor/htmx/htmx.min.js")
    assert htmx.status_code == 200
    assert "javascript" in htmx.headers["content-type"]
    assert "2.0.11" in htmx.text


async def test_the_request_id_travels_to_the_api(make_web: WebFactory, api_app: FastAPI) -> None:
    api = RecordingTransport(httpx.ASGITransport(app=api_app))
    async with make_web(api_transport=api) as web:
        await sign_up(web, "ada@example.org")
        page = await web.get("/account", headers={"X-Request-ID": "trace-me-123"})
    assert page.status_code == 200 and page.headers["X-Request-ID"] == "trace-me-123"
    to_api = [r for r in api.requests if r.url.path == "/v1/api-keys"]
    assert to_api and to_api[-1].headers["X-Request-ID"] == "trace-me-123"
    assert to_api[-1].headers["Authorization"].startswith("Bearer ")


async def test_readiness_follows_the_api(web: httpx.AsyncClient, make_web: WebFactory) -> None:
    assert (await web.get("/healthz")).json() == {"status": "ok"}
    assert (await web.get("/readyz")).status_code == 200
    async with make_web(
        api_transport=httpx.AsyncHTTPTransport(), api_url=closed_port_url()
    ) as down:
        assert (await down.get("/readyz")).status_code == 503
