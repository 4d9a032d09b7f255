"""CSRF protection: every state-changing request must echo the session's secret token.

The token lives in the signed session cookie (so it cannot be planted by another site) and comes
back either in a hidden form field, which works with JavaScript off, or in the X-CSRF-Token header
that htmx adds to its requests. Double-submit middlewares such as starlette-csrf read only a
header, which plain form posts cannot send, so the check is ours.
"""

from __future__ import annotations

import secrets

from fastapi import Request

from services.common.problems import Forbidden
from services.web.security.sessions import WebSession

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfFailed(Forbidden):
    slug = "csrf-failed"


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request whose token is missing or not this session's."""
    if request.method in SAFE_METHODS:
        return
    expected = WebSession(request.session).expected_csrf_token()
    sent = request.headers.get(CSRF_HEADER) or await _form_token(request)
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise CsrfFailed("This form has expired. Reload the page and try again.")


async def _form_token(request: Request) -> str | None:
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return None
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else None
