"""The real services as processes for the client and its checker: inference, two APIs.

`servers.api` is the whole app with a bulk-job worker. `servers.paused_api` shares its database
but has its own queue with no worker (tests start one when they want), a stricter sign-in
limit, and no inference behind it (predictions answer 503).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from deepcatcher_client import Client
from redis import Redis

from services.common.processes import free_port, wait_until_ready
from tests.conftest import TEST_SECRET
from tests.support.api import PASSWORD
from tests.support.models import write_brightness_model
from tests.support.processes import closed_port_url, deepcatcher_command, running


@dataclass(frozen=True, slots=True)
class Servers:
    """Where the services listen and the settings the APIs run with."""

    api: str
    api_env: dict[str, str]
    paused_api: str
    paused_env: dict[str, str]
    folder: Path


@dataclass(frozen=True, slots=True)
class Account:
    """A user of the API with an API key."""

    email: str
    api_key: str


def _api_env(*, database_url: str, folder: Path, inference_url: str) -> dict[str, str]:
    return {
        "DEEPCATCHER_API_ENVIRONMENT": "test",
        "DEEPCATCHER_API_SECRET_KEY": TEST_SECRET,
        "DEEPCATCHER_API_DATABASE_URL": database_url,
        "DEEPCATCHER_API_IMAGE_DIR": str(folder / "images"),
        "DEEPCATCHER_API_PORT": str(free_port()),
        "DEEPCATCHER_API_INFERENCE_URL": inference_url,
        "DEEPCATCHER_API_QUEUE_NAME": f"deepcatcher:test:{uuid.uuid4().hex}",
        "DEEPCATCHER_API_WEBHOOK_ALLOW_PRIVATE_HOSTS": "true",
        "DEEPCATCHER_API_RATE_LIMIT_USER": "100000/minute",
        "DEEPCATCHER_API_RATE_LIMIT_API_KEY": "100000/minute",
        "DEEPCATCHER_API_RATE_LIMIT_AUTH": "100000/minute",
    }


@pytest.fixture(scope="package")
def servers(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Inference, the API with a worker, and the paused API, until the package's tests end."""
    folder = tmp_path_factory.mktemp("servers")
    inference_port = str(free_port())
    inference_url = f"http://127.0.0.1:{inference_port}"
    inference_env = {
        "DEEPCATCHER_INFERENCE_PORT": inference_port,
        "DEEPCATCHER_INFERENCE_MODEL_PATH": str(write_brightness_model(folder=folder)),
        "DEEPCATCHER_INFERENCE_FUSION_CARD_PATH": "",
    }
    # Development, so that checks by link may fetch from the tests' servers on loopback.
    api_env = _api_env(database_url=database_url, folder=folder, inference_url=inference_url) | {
        "DEEPCATCHER_API_ENVIRONMENT": "development",
        "DEEPCATCHER_API_LINK_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
    }
    paused_env = _api_env(
        database_url=database_url, folder=folder, inference_url=closed_port_url()
    ) | {
        "DEEPCATCHER_API_RATE_LIMIT_AUTH": "2 per 5 seconds",
        "DEEPCATCHER_API_INFERENCE_RETRY_AFTER_S": "1",
        "DEEPCATCHER_API_INFERENCE_CONNECT_RETRIES": "0",
    }
    serve = deepcatcher_command("serve", "--only", "inference", "--only", "api", "--only", "worker")
    paused = deepcatcher_command("serve", "--only", "api")
    with ExitStack() as stack:
        main = stack.enter_context(
            running(serve, env=inference_env | api_env, log=folder / "serve.log")
        )
        other = stack.enter_context(running(paused, env=paused_env, log=folder / "paused.log"))
        servers = Servers(
            api=f"http://127.0.0.1:{api_env['DEEPCATCHER_API_PORT']}",
            api_env=api_env,
            paused_api=f"http://127.0.0.1:{paused_env['DEEPCATCHER_API_PORT']}",
            paused_env=paused_env,
            folder=folder,
        )
        wait_until_ready(f"{servers.api}/readyz", process=main, timeout_s=240)
        wait_until_ready(f"{servers.paused_api}/healthz", process=other)
        yield servers
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    redis.delete(api_env["DEEPCATCHER_API_QUEUE_NAME"], paused_env["DEEPCATCHER_API_QUEUE_NAME"])
    redis.close()


def new_account(api: str) -> Account:
    """Register a fresh user and make them an API key."""
    email = f"{uuid.uuid4().hex[:12]}@example.org"
    with Client(api) as client:
        client.register(email=email, password=PASSWORD)
        client.sign_in(email=email, password=PASSWORD)
        key = client.create_api_key(name="tests")
    return Account(email=email, api_key=key.key)


@pytest.fixture
def account(servers: Servers) -> Account:
    """A fresh user with an API key, on the shared database."""
    return new_account(servers.api)
