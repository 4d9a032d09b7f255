"""The web calls the inference service with the shared service token."""

from __future__ import annotations

from pydantic import SecretStr

from tests.web.conftest import WebFactory


async def test_the_web_reads_the_model_with_the_service_token(make_web: WebFactory) -> None:
    async with make_web() as web:
        page = await web.get("/about")
    assert page.status_code == 200, page.text


async def test_a_refused_service_token_shows_unavailable_not_sign_in(
    make_web: WebFactory,
) -> None:
    async with make_web(inference_token=SecretStr("wrong-token-wrong-token-wrong")) as web:
        page = await web.get("/about")
    assert page.status_code == 503
    assert "refused this site&#39;s service token" in page.text
