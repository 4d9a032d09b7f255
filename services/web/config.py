"""The web service's settings, read from DEEPCATCHER_WEB_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development
WEB_ROOT = Path(__file__).resolve().parent


class WebSettings(BaseSettings):
    """Everything the web service can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="DEEPCATCHER_WEB_", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    api_url: str = "http://127.0.0.1:8002"
    # Where browsers reach the API (its /docs and the curl example); the internal URL by default.
    api_public_url: str | None = None
    inference_url: str = "http://127.0.0.1:8001"
    # The inference service's DEEPCATCHER_INFERENCE_SERVICE_TOKEN, sent as a bearer token.
    inference_token: SecretStr | None = None
    # Addresses or networks (comma-separated) of your reverse proxy, whose X-Forwarded-For names
    # the browser; the web forwards only the address it determined to the API. None by default.
    forwarded_allow_ips: str = ""
    api_timeout_s: float = Field(default=120.0, gt=0.0)
    inference_timeout_s: float = Field(default=10.0, gt=0.0)
    # Send the session cookie over HTTPS only: on by default outside development.
    secure_cookies: bool | None = None
    session_max_age_s: int = Field(default=7 * 24 * 3600, ge=60)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_files_per_request: int = Field(default=16, ge=1)
    max_image_pixels: int = Field(default=50_000_000, ge=1)
    history_page_size: int = Field(default=12, ge=1, le=100)
    jobs_page_size: int = Field(default=20, ge=1, le=100)
    assets_dir: Path = WEB_ROOT / "node_modules"
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> WebSettings:
        if self.environment != "development" and (
            self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
            or len(self.secret_key.get_secret_value()) < 32
        ):
            raise ValueError(
                "DEEPCATCHER_WEB_SECRET_KEY must be a random value of at least 32 characters "
                "outside development; make one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe())'"
            )
        return self

    @property
    def session_cookie_secure(self) -> bool:
        """Whether the session cookie carries Secure (HTTPS only)."""
        if self.secure_cookies is None:
            return self.environment != "development"
        return self.secure_cookies

    @property
    def trusted_proxies(self) -> list[str]:
        """The addresses whose forwarded headers are believed."""
        return [host.strip() for host in self.forwarded_allow_ips.split(",") if host.strip()]

    @property
    def max_request_bytes(self) -> int:
        """The largest multipart body an upload form may send."""
        return self.max_upload_bytes * self.max_files_per_request + 64 * 1024

    @property
    def api_docs_url(self) -> str:
        """The API's interactive documentation, as a browser reaches it."""
        return f"{(self.api_public_url or self.api_url).rstrip('/')}/docs"

    @property
    def api_public_base(self) -> str:
        """The API's base URL as a browser or curl reaches it."""
        return (self.api_public_url or self.api_url).rstrip("/")
