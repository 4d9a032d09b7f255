"""Schemathesis against the API's own OpenAPI schema: no 5xx, and every answer matches it.

The API runs as a real process (with the real inference service behind it), signed in as a
test user; generated requests exercise every operation except the two that end the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation, BaseSchema

from services.common.processes import free_port
from tests.faults.conftest import Stack
from tests.support.api import PASSWORD
from tests.support.models import write_tiny_model

SESSION_ENDERS = [("/v1/users/me", "DELETE"), ("/v1/auth/logout", "POST")]


@pytest.fixture(scope="module")
def live_api(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Inference and API processes for the whole module."""
    folder = tmp_path_factory.mktemp("schemathesis")
    inference_port, api_port = free_port(), free_port()
    stack = Stack(
        folder=folder,
        env={
            "DEEPCATCHER_INFERENCE_PORT": str(inference_port),
            "DEEPCATCHER_INFERENCE_MODEL_PATH": str(write_tiny_model(folder=folder)),
            "DEEPCATCHER_API_DATABASE_URL": database_url,
            "DEEPCATCHER_API_IMAGE_DIR": str(folder / "images"),
            "DEEPCATCHER_API_INFERENCE_URL": f"http://127.0.0.1:{inference_port}",
            "DEEPCATCHER_API_QUEUE_NAME": f"deepcatcher:schemathesis:{api_port}",
            "DEEPCATCHER_API_RATE_LIMIT_ANONYMOUS": "100000/minute",
            "DEEPCATCHER_API_RATE_LIMIT_USER": "100000/minute",
            "DEEPCATCHER_API_RATE_LIMIT_AUTH": "100000/minute",
        },
        api_url=f"http://127.0.0.1:{api_port}",
        inference_url=f"http://127.0.0.1:{inference_port}",
    )
    try:
        stack.start_inference()
        stack.start_api()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def auth_headers(live_api: Stack) -> dict[str, str]:
    """A signed-in test user's Authorization header."""
    with httpx.Client(base_url=live_api.api_url, timeout=30) as client:
        client.post("/v1/auth/register", json={"email": "fuzz@example.org", "password": PASSWORD})
        token = client.post(
            "/v1/auth/token", data={"username": "fuzz@example.org", "password": PASSWORD}
        )
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@pytest.fixture(scope="module")
def api_schema(live_api: Stack) -> BaseSchema:
    """The live API's schema, without the operations that would end the test user's session."""
    schema: BaseSchema = schemathesis.openapi.from_url(f"{live_api.api_url}/openapi.json")
    for path, method in SESSION_ENDERS:
        schema = schema.exclude(path=path, method=method)
    return schema


def _operations(schema: BaseSchema) -> list[APIOperation[Any, Any, Any, Any]]:
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    return operations


# What the API promises: no 5xx, and every status, content type, header and body as documented.
# (Not the heuristic "positive data accepted": email-validator rightly refuses addresses at
# reserved domains such as .test that JSON Schema's `email` format allows.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


# Schemathesis's own pytest plugin needs an older pytest; driving Hypothesis directly does the
# same: every operation, cases generated from its schema, these checks on every answer.
def test_api_honours_its_schema(api_schema: BaseSchema, auth_headers: dict[str, str]) -> None:
    operations = _operations(api_schema)
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=60,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=auth_headers, checks=CHECKS, timeout=30)

        check()
