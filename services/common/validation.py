"""Rules every request obeys, whatever its fields: no NUL in any text, dates in ISO 8601."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, field_validator

from services.common.problems import UnprocessableContent

NUL = "\x00"
NUL_MESSAGE = "Text must not contain the NUL character (U+0000)."


def contains_nul(value: Any) -> bool:
    """Whether a string, or any string inside lists and objects, holds a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


class RequestModel(BaseModel):
    """The base of every request body: a NUL anywhere is a 422 naming the field.

    PostgreSQL refuses NUL in text (a database error) while SQLite stores it; both must answer
    the same clear 422, and before anything is written.
    """

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if contains_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value


def refuse_nul(**fields: str) -> None:
    """Raise a 422 like a body's when a text input outside a RequestModel holds a NUL."""
    errors = [
        {"loc": ["body", name], "msg": NUL_MESSAGE, "type": "value_error"}
        for name, value in fields.items()
        if NUL in value
    ]
    if errors:
        raise UnprocessableContent("The request is not valid.", extensions={"errors": errors})


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _iso_8601(value: Any) -> Any:
    # pydantic reads a bare number as a Unix timestamp; the schema promises ISO 8601 only.
    if isinstance(value, int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value.strip())
    ):
        raise ValueError("Give a date and time in ISO 8601, for example 2026-03-14T09:26:53Z.")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_8601)]
