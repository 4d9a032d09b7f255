"""Settings refuse what would be unsafe in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.api.config import DEVELOPMENT_SECRET, ApiSettings


def test_default_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        ApiSettings(environment="production", secret_key=DEVELOPMENT_SECRET)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        ApiSettings(environment="production", secret_key="short")


def test_a_real_secret_is_accepted_and_development_keeps_the_default() -> None:
    assert ApiSettings(environment="production", secret_key="x" * 40).environment == "production"
    development = ApiSettings(environment="development")
    assert development.secret_key.get_secret_value() == DEVELOPMENT_SECRET


def test_inference_replicas_are_read_from_a_comma_separated_list() -> None:
    settings = ApiSettings(inference_url="http://a:8001, http://b:8001,")
    assert settings.inference_urls == ["http://a:8001", "http://b:8001"]


@pytest.mark.parametrize("environment", ["production", "test"])
def test_links_to_private_networks_are_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="LINK_ALLOWED_PRIVATE_NETWORKS"):
        ApiSettings(
            environment=environment,
            secret_key="x" * 40,
            link_allowed_private_networks="127.0.0.0/8",
        )
    assert ApiSettings(environment=environment, secret_key="x" * 40).link_private_networks == ()


def test_development_may_let_links_reach_named_private_networks() -> None:
    settings = ApiSettings(link_allowed_private_networks="127.0.0.0/8, ::1/128")
    assert [str(network) for network in settings.link_private_networks] == [
        "127.0.0.0/8",
        "::1/128",
    ]
    with pytest.raises(ValidationError):
        ApiSettings(link_allowed_private_networks="127.0.0.0/33")
