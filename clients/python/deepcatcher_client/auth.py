"""The two ways to authenticate: an API key, or a bearer token from signing in."""

from __future__ import annotations

from collections.abc import Generator

import httpx


class ApiKeyAuth(httpx.Auth):
    """Sends an API key as `X-API-Key`."""

    def __init__(self, key: str) -> None:
        self.key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the key to the request."""
        request.headers["X-API-Key"] = self.key
        yield request


class TokenAuth(httpx.Auth):
    """Sends a sign-in token as `Authorization: Bearer`."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the token to the request."""
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def auth_for(*, api_key: str | None, token: str | None) -> httpx.Auth | None:
    """The auth for the credentials given (at most one of them)."""
    if api_key and token:
        raise ValueError("give an api_key or a token, not both")
    if api_key:
        return ApiKeyAuth(api_key)
    return TokenAuth(token) if token else None
