"""Typed dependencies: the clients and templates built in lifespan, the visitor, the session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.common.problems import Forbidden
from services.web.clients.api import ApiClient
from services.web.clients.errors import SignInRequired
from services.web.clients.inference import InferenceClient
from services.web.config import WebSettings
from services.web.rendering import Pages
from services.web.security.sessions import SessionUser, WebSession


@dataclass(slots=True)
class AppState:
    """What lifespan builds: one of each, shared by every request."""

    settings: WebSettings
    api: ApiClient
    inference: InferenceClient
    pages: Pages


@dataclass(frozen=True, slots=True)
class Account:
    """A signed-in visitor: who they are and the token to call the API with."""

    user: SessionUser
    token: str


def get_state(request: Request) -> AppState:
    """The app's shared state."""
    state: AppState = request.app.state.web
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings(state: StateDep) -> WebSettings:
    """The service's settings."""
    return state.settings


def get_api(state: StateDep) -> ApiClient:
    """The API service's client."""
    return state.api


def get_inference(state: StateDep) -> InferenceClient:
    """The inference service's client."""
    return state.inference


def get_pages(state: StateDep) -> Pages:
    """The template renderer."""
    return state.pages


def get_session(request: Request) -> WebSession:
    """The visitor's session."""
    return WebSession(request.session)


SettingsDep = Annotated[WebSettings, Depends(get_settings)]
ApiDep = Annotated[ApiClient, Depends(get_api)]
InferenceDep = Annotated[InferenceClient, Depends(get_inference)]
PagesDep = Annotated[Pages, Depends(get_pages)]
SessionDep = Annotated[WebSession, Depends(get_session)]


def get_token(session: SessionDep) -> str | None:
    """The signed-in visitor's API token, if any."""
    return session.token


def get_optional_account(session: SessionDep) -> Account | None:
    """The signed-in visitor, or None for anyone else."""
    if session.user is None or session.token is None:
        return None
    return Account(user=session.user, token=session.token)


def get_account(
    account: Annotated[Account | None, Depends(get_optional_account)],
) -> Account:
    """The signed-in visitor; anyone else is sent to sign in."""
    if account is None:
        raise SignInRequired("Sign in to see this page.")
    return account


def get_admin(account: Annotated[Account, Depends(get_account)]) -> Account:
    """The signed-in visitor, who must be an admin."""
    if not account.user.is_admin:
        raise Forbidden("Only admins can review reports.")
    return account


OptionalToken = Annotated[str | None, Depends(get_token)]
CurrentAccount = Annotated[Account, Depends(get_account)]
OptionalAccount = Annotated[Account | None, Depends(get_optional_account)]
AdminAccount = Annotated[Account, Depends(get_admin)]
