"""Registering and signing in through the API, with errors in words for the forms."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from services.web.clients.api import ApiClient
from services.web.clients.errors import ApiProblem, SignInRequired
from services.web.security.sessions import WebSession

MIN_PASSWORD_LENGTH = 10
FIELD_MESSAGES = {
    "email": "Enter a valid email address.",
    "password": f"Use at least {MIN_PASSWORD_LENGTH} characters.",
}


@dataclass(frozen=True, slots=True)
class AuthForm:
    """A sign-in or registration form: what to show again, and what went wrong."""

    email: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    # Seconds to wait when the API refused the attempt for too many tries (a 429).
    retry_after: int | None = None


async def sign_in(*, api: ApiClient, session: WebSession, email: str, password: str) -> AuthForm:
    """Start a session for the account; the form comes back with errors if that failed."""
    try:
        token = await api.sign_in(email=email, password=password)
    except SignInRequired:
        return AuthForm(email=email, errors={"form": "That email and password don't match."})
    except ApiProblem as error:
        if error.status == 429:
            return _too_many_attempts(email=email, error=error)
        return AuthForm(email=email, errors={"form": error.detail or error.title})
    session.sign_in(token=token, user=await api.me(token=token))
    return AuthForm(email=email)


def _too_many_attempts(*, email: str, error: ApiProblem) -> AuthForm:
    retry_after = int(error.headers.get("Retry-After", "60"))
    wait = (
        f"{retry_after} seconds" if retry_after < 120 else f"{math.ceil(retry_after / 60)} minutes"
    )
    message = f"Too many sign-in attempts. For your account's safety, wait {wait} and try again."
    return AuthForm(email=email, errors={"form": message}, retry_after=retry_after)


async def register(
    *, api: ApiClient, session: WebSession, email: str, password: str, confirm: str
) -> AuthForm:
    """Create the account and sign in; the form comes back with errors if that failed."""
    if password != confirm:
        return AuthForm(email=email, errors={"confirm": "The two passwords differ."})
    try:
        await api.register(email=email, password=password)
    except ApiProblem as error:
        return AuthForm(email=email, errors=_registration_errors(error))
    return await sign_in(api=api, session=session, email=email, password=password)


def _registration_errors(error: ApiProblem) -> dict[str, str]:
    if error.status == 409:
        return {"email": "An account with this email already exists. Sign in instead."}
    fields = {name: FIELD_MESSAGES[name] for name in error.field_errors if name in FIELD_MESSAGES}
    return fields or {"form": error.detail or error.title}


def curl_example(*, api_base: str, key: str) -> str:
    """A copy-and-paste command that checks an image with an API key."""
    return (
        f'curl -H "Authorization: Bearer {key}" \\\n'
        '     -F "files=@photo.jpg" \\\n'
        f"     {api_base}/v1/predictions"
    )
