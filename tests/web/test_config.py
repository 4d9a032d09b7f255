"""The web service's settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.web.config import WebSettings


def test_defaults_point_at_the_local_services() -> None:
    settings = WebSettings(_env_file=None)
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.api_url == "http://127.0.0.1:8002"
    assert settings.inference_url == "http://127.0.0.1:8001"
    assert settings.api_docs_url == "http://127.0.0.1:8002/docs"


def test_the_development_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="DEEPCATCHER_WEB_SECRET_KEY"):
        WebSettings(environment="production", _env_file=None)
    with pytest.raises(ValidationError, match="at least 32 characters"):
        WebSettings(environment="production", secret_key="short", _env_file=None)


def test_settings_come_from_prefixed_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEEPCATCHER_WEB_API_URL", "http://api.internal:9000")
    monkeypatch.setenv("DEEPCATCHER_WEB_API_PUBLIC_URL", "https://api.example.org/")
    settings = WebSettings(_env_file=None)
    assert settings.api_url == "http://api.internal:9000"
    assert settings.api_docs_url == "https://api.example.org/docs"
