"""The shared service token the API and web send, and the scrapers' own token for /metrics."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from services.common.problems import Forbidden, Unauthorized
from services.inference.config import InferenceSettings

bearer_scheme = HTTPBearer(
    auto_error=False, description="The service token (`DEEPCATCHER_INFERENCE_SERVICE_TOKEN`)."
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]


class ServiceTokenRequired(Unauthorized):
    slug = "service-token-required"


class ServiceTokenWrong(Forbidden):
    slug = "service-token-wrong"


def check_bearer(*, expected: SecretStr | None, sent: HTTPAuthorizationCredentials | None) -> None:
    """Let the request through when no token is configured or it sent the right one."""
    if expected is None:
        return
    if sent is None:
        raise ServiceTokenRequired(
            "Send the service token as `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    # Constant-time: the comparison's duration must not tell how much of a guess was right.
    if not secrets.compare_digest(sent.credentials.encode(), expected.get_secret_value().encode()):
        raise ServiceTokenWrong("The service token is not the one this service was given.")


def _settings(request: Request) -> InferenceSettings:
    settings: InferenceSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[InferenceSettings, Depends(_settings)]


def require_service_token(settings: SettingsDep, sent: Credentials) -> None:
    """Refuse callers without the shared service token (when one is configured)."""
    check_bearer(expected=settings.service_token, sent=sent)


def require_metrics_token(settings: SettingsDep, sent: Credentials) -> None:
    """Refuse scrapers without the metrics token (when one is configured)."""
    check_bearer(expected=settings.metrics_token, sent=sent)
