"""The OpenAPI document describes every operation for third-party developers."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema_rs


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
