"""Schemathesis against the API's own OpenAPI schema: no 5xx, and every answer matches it.

The API runs as a real process (with the real inference service behind it). Valid requests are
sent signed in as a test user, invalid ones with the user's API key; every operation is
exercised except the two that end the session. Every path is also asked with a method it does
not serve. Examples per operation are bounded so that the module runs in about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import Failure
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation, BaseSchema

from services.common.processes import free_port
from tests.faults.conftest import Stack
from tests.support.api import PASSWORD
from tests.support.images import jpeg
from tests.support.links import link_server_in_thread
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
            # Development (the default) may let links reach the test's own page server.
            "DEEPCATCHER_API_ENVIRONMENT": "development",
            "DEEPCATCHER_API_LINK_ALLOWED_PRIVATE_NETWORKS": "127.0.0.1/32",
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
def api_key_headers(live_api: Stack, auth_headers: dict[str, str]) -> dict[str, str]:
    """An API key of the test user with every scope a user can give it, as `X-API-Key`."""
    with httpx.Client(base_url=live_api.api_url, timeout=30) as client:
        created = client.post(
            "/v1/api-keys",
            json={"name": "fuzz", "scopes": ["predict", "history", "reports"]},
            headers=auth_headers,
        )
    assert created.status_code == 201, created.text
    return {"X-API-Key": created.json()["key"]}


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


@schemathesis.check
def no_content_is_bare(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> None:
    """A 204 has neither a body nor a content type (RFC 9110 §15.3.5)."""
    if response.status_code == 204 and (response.content or "content-type" in response.headers):
        raise Failure(
            operation=case.operation.label,
            title="204 with content",
            message=f"Headers: {dict(response.headers)}; body: {response.content[:100]!r}",
        )


# What the API promises: no 5xx, and every status, content type, header and body as documented.
# (Not the heuristic "positive data accepted": email-validator rightly refuses addresses at
# reserved domains such as .test that JSON Schema's `email` format allows.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    no_content_is_bare,
]
# Invalid requests must be refused, with an answer the schema documents.
NEGATIVE_CHECKS = [*CHECKS, checks.negative_data_rejection]


def _run(
    operation: APIOperation[Any, Any, Any, Any],
    *,
    mode: GenerationMode,
    headers: dict[str, str],
    max_examples: int,
) -> None:
    chosen = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=headers, checks=chosen, timeout=30)

    check()


# Schemathesis's own pytest plugin needs an older pytest; driving Hypothesis directly does the
# same: every operation, cases generated from its schema, these checks on every answer.
def test_api_honours_its_schema(api_schema: BaseSchema, auth_headers: dict[str, str]) -> None:
    operations = _operations(api_schema)
    assert len(operations) >= 20
    for operation in operations:
        _run(operation, mode=GenerationMode.POSITIVE, headers=auth_headers, max_examples=30)


def test_api_refuses_invalid_requests_as_documented(
    api_schema: BaseSchema, api_key_headers: dict[str, str]
) -> None:
    negated = []
    for operation in _operations(api_schema):
        try:
            _run(operation, mode=GenerationMode.NEGATIVE, headers=api_key_headers, max_examples=15)
        except Unsatisfiable:
            continue  # nothing it takes can be made invalid (no parameters, free-form strings)
        negated.append(operation.label)
    assert len(negated) >= 15, negated


def test_real_resources_answer_as_documented(
    live_api: Stack, api_schema: BaseSchema, auth_headers: dict[str, str]
) -> None:
    ids = _real_resources(live_api, auth_headers)
    with link_server_in_thread() as site:
        link = site.put("/photo.jpg", jpeg(seed=32), "image/jpeg")
        by_link = api_schema["/v1/predictions"]["POST"].Case(
            body={"url": link}, media_type="application/json"
        )
        linked = by_link.call_and_validate(headers=auth_headers, checks=CHECKS, timeout=30)
    assert linked.status_code == 201
    assert linked.json()["items"][0]["prediction"]["source"]["image_url"] == link
    calls: list[tuple[str, str, dict[str, Any], Any]] = [
        ("/v1/predictions/{prediction_id}", "GET", {"prediction_id": ids["prediction"]}, None),
        (
            "/v1/predictions/{prediction_id}/image",
            "GET",
            {"prediction_id": ids["prediction"]},
            None,
        ),
        (
            "/v1/predictions/{prediction_id}/reports",
            "POST",
            {"prediction_id": ids["prediction"]},
            {"claimed_label": "real", "comment": "mine"},
        ),
        ("/v1/jobs/{job_id}", "GET", {"job_id": ids["job"]}, None),
        ("/v1/jobs/{job_id}", "DELETE", {"job_id": ids["job"]}, None),
        ("/v1/api-keys/{key_id}", "DELETE", {"key_id": ids["key"]}, None),
        ("/v1/predictions/{prediction_id}", "DELETE", {"prediction_id": ids["prediction"]}, None),
    ]
    statuses = []
    for path, method, path_parameters, body in calls:
        case = api_schema[path][method].Case(
            path_parameters=path_parameters,
            **({"body": body, "media_type": "application/json"} if body else {}),
        )
        response = case.call_and_validate(headers=auth_headers, checks=CHECKS, timeout=30)
        statuses.append(response.status_code)
    assert statuses == [200, 200, 201, 200, 204, 204, 204]


def _real_resources(stack: Stack, headers: dict[str, str]) -> dict[str, str]:
    """A prediction, a bulk job and an API key of the test user: their ids."""
    upload = [("files", ("photo.jpg", jpeg(seed=31), "image/jpeg"))]
    with httpx.Client(base_url=stack.api_url, headers=headers, timeout=60) as client:
        predicted = client.post("/v1/predictions", files=upload)
        job = client.post("/v1/jobs", files=upload)
        key = client.post("/v1/api-keys", json={"name": "to delete"})
    assert [predicted.status_code, job.status_code, key.status_code] == [201, 202, 201]
    return {
        "prediction": predicted.json()["items"][0]["prediction"]["id"],
        "job": job.json()["id"],
        "key": key.json()["id"],
    }


def test_unserved_methods_answer_405_with_the_documented_allow(
    live_api: Stack, api_schema: BaseSchema
) -> None:
    paths = api_schema.raw_schema["paths"]
    with httpx.Client(base_url=live_api.api_url, timeout=30) as client:
        for path, item in paths.items():
            documented = {method.upper() for method in item}
            url = _with_ids(path)
            response = client.request("OPTIONS", url)
            assert response.status_code == 405, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json", path
            assert set(response.headers["allow"].split(", ")) == documented, path


def _with_ids(path: str) -> str:
    """The path with each `{…_id}` parameter filled with a well-formed id."""
    parts = [ZERO_ID if part.startswith("{") else part for part in path.split("/")]
    return "/".join(parts)


ZERO_ID = "00000000-0000-4000-8000-000000000000"
