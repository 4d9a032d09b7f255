"""The API calls the inference service with the shared service token."""

from __future__ import annotations

from pydantic import SecretStr

from tests.conftest import ApiFactory
from tests.support import images
from tests.support.api import JPEG, assert_problem, predict
from tests.support.apps import INFERENCE_AUTH
from tests.support.transports import RecordingTransport


async def test_the_api_sends_the_service_token(
    make_api: ApiFactory, inference_transport: RecordingTransport
) -> None:
    async with make_api() as client:
        response = await predict(client, ("a.jpg", images.jpeg(seed=1), JPEG))
    assert response.status_code == 200, response.text
    sent = {request.headers.get("Authorization") for request in inference_transport.requests}
    assert sent == {INFERENCE_AUTH["Authorization"]}


async def test_a_refused_service_token_is_a_503_not_the_callers_fault(
    make_api: ApiFactory,
) -> None:
    async with make_api(inference_token=SecretStr("wrong-token-wrong-token-wrong")) as client:
        response = await predict(client, ("a.jpg", images.jpeg(seed=2), JPEG))
    assert_problem(response, 503)
    assert response.headers["Retry-After"]
