"""Register, sign in and out, and manage API keys."""

from __future__ import annotations

import uuid
from contextlib import suppress
from typing import Annotated

from deepcatcher_client.models import ApiKeyCreated
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.web.account import service
from services.web.account.service import AuthForm
from services.web.clients.errors import ApiProblem, SignInRequired
from services.web.deps import ApiDep, CurrentAccount, PagesDep, SessionDep, SettingsDep
from services.web.rendering import is_htmx
from services.web.security.redirects import local_path

router = APIRouter(prefix="/account", include_in_schema=False)
Email = Annotated[str, Form(max_length=320)]
Password = Annotated[str, Form(max_length=256)]
Next = Annotated[str, Form(max_length=500)]


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, pages: PagesDep, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    context = {"form": AuthForm(), "next": local_path(next)}
    return pages.render(request, "account/sign_in.html", context)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    session: SessionDep,
    email: Email = "",
    password: Password = "",
    next: Next = "/",
) -> Response:
    """Sign in and go back where the visitor was."""
    form = await service.sign_in(api=api, session=session, email=email.strip(), password=password)
    if form.errors:
        context = {"form": form, "next": local_path(next)}
        if form.retry_after is not None:
            headers = {"Retry-After": str(form.retry_after)}
            return pages.render(
                request, "account/sign_in.html", context, status_code=429, headers=headers
            )
        return pages.render(request, "account/sign_in.html", context, status_code=401)
    session.flash("You are signed in.")
    return RedirectResponse(local_path(next), status_code=303)


@router.get("/register", response_class=HTMLResponse)
async def register_page(request: Request, pages: PagesDep, next: str = "/") -> HTMLResponse:
    """The registration form."""
    context = {"form": AuthForm(), "next": local_path(next)}
    return pages.render(request, "account/register.html", context)


@router.post("/register", response_class=HTMLResponse)
async def register(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    session: SessionDep,
    email: Email = "",
    password: Password = "",
    confirm: Password = "",
    next: Next = "/",
) -> Response:
    """Create an account, sign in, and go back where the visitor was."""
    form = await service.register(
        api=api, session=session, email=email.strip(), password=password, confirm=confirm
    )
    if form.errors:
        context = {"form": form, "next": local_path(next)}
        return pages.render(request, "account/register.html", context, status_code=422)
    session.flash("Welcome to Deepcatcher. Your checks are now saved to your history.")
    return RedirectResponse(local_path(next), status_code=303)


@router.post("/sign-out")
async def sign_out(api: ApiDep, session: SessionDep) -> RedirectResponse:
    """Revoke the API token and forget the session."""
    if session.token:
        # A token that already expired or was revoked needs no revoking.
        with suppress(SignInRequired):
            await api.sign_out(token=session.token)
    session.sign_out()
    session.flash("You are signed out.", kind="info")
    return RedirectResponse("/", status_code=303)


@router.get("", response_class=HTMLResponse)
async def account_page(
    request: Request, pages: PagesDep, api: ApiDep, account: CurrentAccount, settings: SettingsDep
) -> HTMLResponse:
    """The account: who is signed in, API keys, and how to use the API."""
    context = await _keys_context(api=api, account=account, settings=settings, new_key=None)
    return pages.render(request, "account/index.html", context)


@router.post("/api-keys", response_class=HTMLResponse)
async def create_api_key(
    request: Request,
    pages: PagesDep,
    api: ApiDep,
    account: CurrentAccount,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    """Create an API key and show its secret this once."""
    new_key, error = None, None
    try:
        new_key = await api.create_api_key(token=account.token, name=name.strip())
    except ApiProblem:
        error = "Give the key a name of 1 to 100 characters."
    context = await _keys_context(api=api, account=account, settings=settings, new_key=new_key)
    context["key_error"] = error
    template = "account/_api_keys.html" if is_htmx(request) else "account/index.html"
    return pages.render(request, template, context, status_code=422 if error else 200)


@router.post("/api-keys/{key_id}/revoke", response_class=HTMLResponse)
async def revoke_api_key(
    request: Request,
    key_id: uuid.UUID,
    pages: PagesDep,
    api: ApiDep,
    account: CurrentAccount,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Revoke an API key; it stops working at once."""
    await api.revoke_api_key(token=account.token, key_id=key_id)
    session.flash("The API key was revoked. It no longer works.")
    if not is_htmx(request):
        return RedirectResponse("/account#api-keys", status_code=303)
    context = await _keys_context(api=api, account=account, settings=settings, new_key=None)
    return pages.render(request, "account/_api_keys.html", context)


async def _keys_context(
    *, api: ApiDep, account: CurrentAccount, settings: SettingsDep, new_key: ApiKeyCreated | None
) -> dict[str, object]:
    keys = await api.api_keys(token=account.token)
    example_key = new_key.key if new_key else "YOUR_API_KEY"
    return {
        "user": account.user,
        "keys": keys,
        "new_key": new_key,
        "key_error": None,
        "curl": service.curl_example(api_base=settings.api_public_base, key=example_key),
    }
