"""An OpenAPI document that matches what the server sends: problem+json errors, empty 204s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.problems import PROBLEM_MEDIA_TYPE, Problem, ProblemError

PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
# FastAPI answers these itself, before or around any route's own code.
BODY_UNPARSED = "The request body could not be parsed (malformed multipart, form or encoding)."
STANDARD_ERRORS = {
    413: "The request body is larger than the configured limit.",
    422: "The request is not valid; `errors` lists each problem with its location.",
}
# What FastAPI and `problem_responses` write when a route says nothing more precise.
GENERIC_DESCRIPTIONS = {
    None,
    "",
    "Bad Request",
    "Validation Error",
    "Unprocessable Content",
    "Unprocessable Entity",
}
FASTAPI_ONLY_SCHEMAS = ("HTTPValidationError", "ValidationError")
CONTENT_HEADERS = {b"content-type", b"content-length"}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def install_openapi_fixes(app: FastAPI) -> None:
    """Document every error as problem+json, with the answers FastAPI itself can give."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        for operation in _operations(schema):
            _document_errors(operation)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema()
        for name in FASTAPI_ONLY_SCHEMAS:
            components.pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(NoContentMiddleware)


def _operations(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in schema.get("paths", {}).values():
        yield from (operation for method, operation in item.items() if method in HTTP_METHODS)


def _document_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    takes_body = "requestBody" in operation
    if takes_body:
        _add_description(responses.setdefault("400", {"description": ""}), BODY_UNPARSED)
        responses.setdefault("413", {"description": STANDARD_ERRORS[413]})
    if takes_body or operation.get("parameters"):
        answer = responses.setdefault("422", {})
        if answer.get("description") in GENERIC_DESCRIPTIONS:
            answer["description"] = STANDARD_ERRORS[422]
    for status, answer in responses.items():
        if status[:1] in {"4", "5"}:
            answer["content"] = _problem_content(status)


def _problem_content(status: str) -> dict[str, Any]:
    """The problem+json schema, with the problem type this status carries as its example."""
    base = next(
        (
            kind
            for kind in ProblemError.__subclasses__()
            if kind.__module__ == ProblemError.__module__ and str(kind.status) == status
        ),
        None,
    )
    if base is None:
        return PROBLEM_CONTENT
    example = {"type": f"urn:deepcatcher:problem:{base.slug}", "title": base.title}
    media = PROBLEM_CONTENT[PROBLEM_MEDIA_TYPE] | {"example": example | {"status": base.status}}
    return {PROBLEM_MEDIA_TYPE: media}


def _add_description(answer: dict[str, Any], text: str) -> None:
    current = answer.get("description", "")
    if current in GENERIC_DESCRIPTIONS:
        answer["description"] = text
    elif text not in current:
        answer["description"] = f"{current} {text}"


class NoContentMiddleware:
    """Strip the content headers FastAPI's default JSON response class puts on a 204."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_bare_204(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 204:
                headers = message.get("headers", [])
                message["headers"] = [(k, v) for k, v in headers if k not in CONTENT_HEADERS]
            await send(message)

        await self.app(scope, receive, send_bare_204 if scope["type"] == "http" else send)
