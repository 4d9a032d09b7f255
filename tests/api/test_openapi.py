"""The OpenAPI document describes every operation for third-party developers."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema_rs
import pytest

from tests.support import images
from tests.support.api import JPEG, assert_problem, predict, sign_up

PROBLEM = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


async def test_every_operation_is_documented(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) >= 20
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert operation.get("responses"), where


async def test_security_schemes_and_problem_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"]["type"] == "oauth2"
    assert schemes["APIKeyHeader"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An API key from `POST /v1/api-keys`.",
    }
    assert "Problem" in schema["components"]["schemas"]
    predict = schema["paths"]["/v1/predictions"]["post"]
    assert "application/problem+json" in predict["responses"]["413"]["content"]


async def test_docs_page_is_served(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def _operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


async def test_errors_are_documented_as_problem_json(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for where, operation in _operations(schema):
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                assert list(answer["content"]) == [PROBLEM], (where, status)
                assert answer["content"][PROBLEM]["schema"] == PROBLEM_REF, (where, status)
    assert "HTTPValidationError" not in schema["components"]["schemas"]


async def test_body_and_parameter_errors_are_documented(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for where, operation in _operations(schema):
        responses = operation["responses"]
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= responses.keys(), where
            assert "parsed" in responses["400"]["description"], where
        if operation.get("parameters"):
            assert "422" in responses, where


async def test_cursor_and_idempotency_key_rules_are_in_the_schema(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    for path in ("/v1/predictions", "/v1/jobs", "/v1/reports"):
        listing = schema["paths"][path]["get"]
        cursor = next(p for p in listing["parameters"] if p["name"] == "cursor")
        assert "400" in cursor["description"], path
        assert cursor["schema"]["pattern"] == "^[A-Za-z0-9_-]*$", path
        assert "cursor" in listing["responses"]["400"]["description"], path
    predict = schema["paths"]["/v1/predictions"]["post"]
    key = next(p for p in predict["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["pattern"] == "^[ -~]{1,255}$"
    assert "400" in key["description"]
    assert "Idempotency-Key" in predict["responses"]["400"]["description"]


async def test_the_documented_400s_are_what_the_server_sends(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "ada@example.org")
    cursor = await client.get(
        "/v1/predictions", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=headers
    )
    assert assert_problem(cursor, 400)["detail"] == "The cursor is not valid."
    key = await predict(
        client, ("a.jpg", images.jpeg(seed=1), JPEG), headers={**headers, "Idempotency-Key": ""}
    )
    assert "Idempotency-Key" in assert_problem(key, 400)["detail"]
    body = await client.post(
        "/v1/predictions",
        content=b"--x\r\nnot a part",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert_problem(body, 400)


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/v1/users/me", {"GET", "DELETE"}),
        ("/v1/predictions", {"GET", "POST"}),
        ("/v1/reports/0b9f6c5e-0000-4000-8000-000000000000", {"GET", "PATCH"}),
    ],
)
async def test_405_lists_every_method_of_the_path(
    client: httpx.AsyncClient, path: str, methods: set[str]
) -> None:
    response = await client.put(path)
    assert_problem(response, 405)
    assert {method.strip() for method in response.headers["allow"].split(",")} == methods


async def test_204_has_no_body_and_no_content_type(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "ada@example.org")
    created = await client.post("/v1/api-keys", json={"name": "ci"}, headers=headers)
    assert created.status_code == 201, created.text
    deleted = await client.delete(f"/v1/api-keys/{created.json()['id']}", headers=headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert "content-type" not in deleted.headers
    schema = (await client.get("/openapi.json")).json()
    for where, operation in _operations(schema):
        if "204" in operation["responses"]:
            assert "content" not in operation["responses"]["204"], where


def _valid(example: Any, media: dict[str, Any], schema: dict[str, Any]) -> bool:
    """Whether an example matches its media type's schema, $refs resolved in the document."""
    document = {"components": schema["components"], **media["schema"]}
    return bool(jsonschema_rs.is_valid(document, example))


async def test_every_operation_has_example_request_and_answer(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for where, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            assert "example" in parameter, f"{where}: parameter {parameter['name']}"
        for media in operation.get("requestBody", {}).get("content", {}).values():
            assert media.get("example"), f"{where}: request body"
        answers = [
            response["content"]["application/json"]
            for status, response in operation["responses"].items()
            if status.startswith("2") and "application/json" in response.get("content", {})
        ]
        for media in answers:
            assert "example" in media, f"{where}: answer"
            assert _valid(media["example"], media, schema), f"{where}: the example is invalid"


async def test_json_request_examples_match_their_schemas(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    bodies = [
        (where, operation["requestBody"]["content"]["application/json"])
        for where, operation in _operations(schema)
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(bodies) >= 4
    for where, media in bodies:
        assert _valid(media["example"], media, schema), where
    broken = {**bodies[0][1], "example": {"unexpected": True}}
    assert not _valid(broken["example"], broken, schema)


async def test_tags_are_described_and_the_docs_name_the_client(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    described = {tag["name"]: tag["description"] for tag in schema["tags"]}
    used = {tag for _, operation in _operations(schema) for tag in operation["tags"]}
    assert used <= set(described) and all(described.values())
    assert "deepcatcher-client" in schema["info"]["description"]
    assert "clients/python" in schema["info"]["description"]


async def test_every_error_names_its_problem_type(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for where, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if status[:1] in {"4", "5"} and status != "500":
                example = response["content"][PROBLEM]["example"]
                assert example["type"].startswith("urn:deepcatcher:problem:"), (where, status)
                assert example["status"] == int(status), (where, status)
