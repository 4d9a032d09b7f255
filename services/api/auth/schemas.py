"""What the API says about sign-in tokens and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.api.auth.scopes import DEFAULT_KEY_SCOPES, Scope
from services.common.validation import RequestModel


class TokenOut(BaseModel):
    """An OAuth2 bearer token response."""

    access_token: str = Field(examples=["dct_Jb3…"])
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the token expires.", examples=[604800])


class ApiKeyCreate(RequestModel):
    """A request for a new API key."""

    name: str = Field(min_length=1, max_length=100, examples=["newsroom CMS plug-in"])
    scopes: list[Scope] = Field(default_factory=lambda: list(DEFAULT_KEY_SCOPES), min_length=1)


class ApiKeyOut(BaseModel):
    """An API key as listed: never its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str = Field(description="The public part of the key, to tell keys apart.")
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """A new API key, with its secret: shown this once only."""

    key: str = Field(
        description="Send as `Authorization: Bearer <key>` or `X-API-Key: <key>`.",
        examples=["dck_3f9a1c0b7d2e_q1…"],
    )
