"""Reading a link from a request body that may also have been a multipart upload."""

from __future__ import annotations

from email.message import Message
from typing import TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

NEITHER = "Send image files (multipart `files`) or a JSON body with `url`."


Body = TypeVar("Body", bound=BaseModel)


async def json_body_of(request: Request, *, model: type[Body]) -> Body:
    """The JSON body as `model`; a missing body or wrong type is a 422 like a missing field."""
    if not _is_json(request.headers.get("content-type", "")):
        missing = {"loc": ["body", "files"], "msg": NEITHER, "type": "missing"}
        raise RequestValidationError([missing])
    body = await request.body()
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ["body", *error["loc"]]} for error in exc.errors()]
        ) from exc


def _is_json(content_type: str) -> bool:
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )
