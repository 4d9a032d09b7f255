"""The OpenAPI document describes every operation for third-party developers."""

from __future__ import annotations

import httpx


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
