"""The API service's settings, read from DEEPCATCHER_API_* environment variables."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


class ApiSettings(BaseSettings):
    """Everything the API service can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="DEEPCATCHER_API_", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = 8002
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    database_url: str = "sqlite+aiosqlite:///var/deepcatcher.db"
    # asyncpg's prepared-statement cache must be 0 behind PgBouncer in transaction mode.
    database_statement_cache_size: int = 100
    database_pool_size: int = 10
    image_dir: Path = Path("var/images")
    # One URL, or several separated by commas: requests are spread across the replicas.
    inference_url: str = "http://127.0.0.1:8001"
    # The inference service's DEEPCATCHER_INFERENCE_SERVICE_TOKEN, sent as a bearer token.
    inference_token: SecretStr | None = None
    inference_timeout_s: float = 30.0
    inference_connect_retries: int = 2
    inference_retry_after_s: int = 10
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_files_per_request: int = Field(default=16, ge=1)
    max_image_pixels: int = Field(default=50_000_000, ge=1)
    # Every body but a multipart upload (JSON, the sign-in form): refused past this while read.
    max_json_body_bytes: int = Field(default=64 * 1024, ge=1)
    token_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    rate_limit_storage_uri: str = "memory://"
    rate_limit_anonymous: str = "10/minute"
    rate_limit_user: str = "60/minute"
    rate_limit_api_key: str = "120/minute"
    rate_limit_auth: str = "10/minute"
    # Per account: this many wrong passwords in a row lock its sign-in for sign_in_lock_s,
    # doubling with each further one up to sign_in_max_lock_s; a lock always expires.
    sign_in_max_failures: int = Field(default=5, ge=1)
    sign_in_lock_s: int = Field(default=60, ge=1)
    sign_in_max_lock_s: int = Field(default=900, ge=1)
    # Addresses or networks (comma-separated) whose X-Forwarded-For names the client: the web
    # service and your reverse proxy. None by default, so a caller cannot pick its own address.
    forwarded_allow_ips: str = ""
    model_version_ttl_s: float = 30.0
    # Bulk jobs: an arq queue on Redis, worked by `deepcatcher worker` processes.
    queue_url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = "deepcatcher:jobs"
    max_job_items: int = Field(default=500, ge=1)
    # Zip bombs: a job's zips may expand to this much in all, and each to this many times its
    # size (photos barely compress, so honest archives stay far below both).
    max_job_expanded_bytes: int = Field(default=1024 * 1024 * 1024, ge=1)
    max_zip_ratio: float = Field(default=50.0, ge=1.0)
    job_item_timeout_s: int = Field(default=120, ge=1)
    job_item_max_tries: int = Field(default=5, ge=1)
    worker_concurrency: int = Field(default=4, ge=1)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    webhook_max_tries: int = Field(default=6, ge=1)
    # Callbacks to loopback or private addresses would let callers probe our own network.
    webhook_allow_private_hosts: bool = False
    # How often each replica reads new and removed known images into its in-memory index.
    known_images_refresh_s: float = Field(default=2.0, gt=0)
    max_import_items: int = Field(default=1000, ge=1)
    # Checks by link: how long the linked server may take to start answering, and to finish
    # (the page and its image together); the body is held to max_upload_bytes.
    link_first_byte_timeout_s: float = Field(default=10.0, gt=0)
    link_total_timeout_s: float = Field(default=20.0, gt=0)
    # Development only (refused elsewhere): networks (comma-separated, such as 127.0.0.0/8)
    # that links may reach though not public, for tests and local page servers. Elsewhere it
    # would let callers reach our own network.
    link_allowed_private_networks: str = ""
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> ApiSettings:
        if self.environment != "development" and (
            self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
            or len(self.secret_key.get_secret_value()) < 32
        ):
            raise ValueError(
                "DEEPCATCHER_API_SECRET_KEY must be a random value of at least 32 characters "
                "outside development; make one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe())'"
            )
        return self

    @model_validator(mode="after")
    def _refuse_private_links_outside_development(self) -> ApiSettings:
        networks = self.link_private_networks  # a malformed network is refused here too
        if self.environment != "development" and networks:
            raise ValueError(
                "DEEPCATCHER_API_LINK_ALLOWED_PRIVATE_NETWORKS is for development only: outside "
                "it, checks by link must never reach loopback or private addresses"
            )
        return self

    @property
    def trusted_proxies(self) -> list[str]:
        """The addresses whose forwarded headers are believed."""
        return [host.strip() for host in self.forwarded_allow_ips.split(",") if host.strip()]

    @property
    def link_private_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """The non-public networks links may reach (development only)."""
        parts = self.link_allowed_private_networks.split(",")
        return tuple(ip_network(part.strip()) for part in parts if part.strip())

    @property
    def inference_urls(self) -> list[str]:
        """Every inference replica's base URL."""
        return [url.strip() for url in self.inference_url.split(",") if url.strip()]

    @property
    def max_request_bytes(self) -> int:
        """The largest multipart body a prediction request may send."""
        return self.max_upload_bytes * self.max_files_per_request + 64 * 1024
