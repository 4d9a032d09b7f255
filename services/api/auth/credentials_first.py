"""Routes that need credentials refuse an anonymous request before FastAPI reads its body."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers

from services.api.auth.service import BEARER_CHALLENGE
from services.common.problems import Unauthorized


def carries_credential(headers: Headers) -> bool:
    """Whether a request sends a bearer token or an API key at all (valid or not)."""
    scheme, credential = get_authorization_scheme_param(headers.get("Authorization"))
    return bool(headers.get("X-API-Key")) or (scheme.lower() == "bearer" and bool(credential))


class CredentialsFirstRoute(APIRoute):
    """A route of a router where every route needs credentials."""

    # FastAPI reads and parses the body before it solves dependencies, so authentication came
    # second: an anonymous caller could make us read and parse a large body only to get a 401.

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The usual handler, behind a check that some credential was sent."""
        handler = super().get_route_handler()

        async def refuse_anonymous_first(request: Request) -> Response:
            if not carries_credential(request.headers):
                raise Unauthorized("Sign in or send an API key.", headers=BEARER_CHALLENGE)
            return await handler(request)

        return refuse_anonymous_first
