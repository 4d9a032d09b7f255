"""The three services as real uvicorn processes on free ports, for browser tests."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.api.config import ApiSettings
from services.api.db import migrate
from services.api.db.engine import create_engine
from services.common.processes import free_port
from services.inference.detectors.lowlevel.card import ModelCard, card_path_for
from tests.support.apps import INFERENCE_TOKEN
from tests.support.databases import temporary_database
from tests.support.models import write_tiny_model
from tests.support.queues import forget_queue, queue_name
from training.export.cards import INTENDED_USE, LIMITATIONS

SECRET = "browser-test-secret-that-is-long-enough-0123456789"
START_TIMEOUT_S = 120.0


@dataclass
class Service:
    """One running service: its URL, process and log file."""

    name: str
    url: str
    process: asyncio.subprocess.Process
    log: Path

    def log_tail(self, *, lines: int = 40) -> str:
        """The end of the service's output, for failure messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Stack:
    """Inference, API and web running together on a fresh database."""

    database_url: str
    image_dir: Path
    # A bulk-job queue of this stack's own on the local Redis.
    queue_name: str = field(default_factory=queue_name)
    services: dict[str, Service] = field(default_factory=dict)

    @property
    def web_url(self) -> str:
        """Where a browser opens the site."""
        return self.services["web"].url

    def worker_settings(self) -> ApiSettings:
        """Settings for a queue worker beside the running API: same database, images, queue."""
        return ApiSettings(
            environment="test",
            secret_key=SECRET,
            database_url=self.database_url,
            image_dir=self.image_dir,
            inference_url=self.services["inference"].url,
            inference_token=INFERENCE_TOKEN,
            queue_name=self.queue_name,
            webhook_allow_private_hosts=True,
        )

    async def stop(self, name: str) -> None:
        """Stop one service (to see how the others cope)."""
        await _terminate(self.services[name].process)


@asynccontextmanager
async def running_stack(*, folder: Path) -> AsyncIterator[Stack]:
    """Start the three services against a new migrated database; stop them afterwards."""
    async with temporary_database(folder=folder) as database_url:
        engine = create_engine(url=database_url)
        await migrate.upgrade(engine=engine)
        await engine.dispose()
        stack = Stack(database_url=database_url, image_dir=folder / "images")
        try:
            await _start_all(stack, folder=folder)
            yield stack
        finally:
            for service in stack.services.values():
                await _terminate(service.process)
            await forget_queue(ApiSettings(queue_name=stack.queue_name))


async def _start_all(stack: Stack, *, folder: Path) -> None:
    ports = {name: free_port() for name in ("inference", "api", "web")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    model_path = await asyncio.to_thread(_tiny_model_with_card_text, folder=folder)
    environments = {
        "inference": {
            "DEEPCATCHER_INFERENCE_ENVIRONMENT": "test",
            "DEEPCATCHER_INFERENCE_SERVICE_TOKEN": INFERENCE_TOKEN,
            "DEEPCATCHER_INFERENCE_MODEL_PATH": str(model_path),
            "DEEPCATCHER_INFERENCE_BATCH_MAX_WAIT_MS": "1",
        },
        "api": {
            "DEEPCATCHER_API_ENVIRONMENT": "test",
            "DEEPCATCHER_API_SECRET_KEY": SECRET,
            "DEEPCATCHER_API_DATABASE_URL": stack.database_url,
            "DEEPCATCHER_API_IMAGE_DIR": str(stack.image_dir),
            "DEEPCATCHER_API_INFERENCE_URL": urls["inference"],
            "DEEPCATCHER_API_INFERENCE_TOKEN": INFERENCE_TOKEN,
            "DEEPCATCHER_API_QUEUE_NAME": stack.queue_name,
            # The bulk journey's callback receiver listens on loopback.
            "DEEPCATCHER_API_WEBHOOK_ALLOW_PRIVATE_HOSTS": "true",
            **{f"DEEPCATCHER_API_RATE_LIMIT_{kind}": "1000/minute" for kind in _LIMITS},
        },
        "web": {
            "DEEPCATCHER_WEB_ENVIRONMENT": "test",
            "DEEPCATCHER_WEB_SECRET_KEY": SECRET,
            "DEEPCATCHER_WEB_API_URL": urls["api"],
            "DEEPCATCHER_WEB_INFERENCE_URL": urls["inference"],
            "DEEPCATCHER_WEB_INFERENCE_TOKEN": INFERENCE_TOKEN,
            # The stack is served over plain HTTP.
            "DEEPCATCHER_WEB_SECURE_COOKIES": "false",
        },
    }
    # The inference service loads TensorFlow; start it first and the others meanwhile.
    for name in ("inference", "api", "web"):
        stack.services[name] = await _spawn(
            name, port=ports[name], url=urls[name], env=environments[name], folder=folder
        )
    await _wait_until_ready(stack.services["inference"], path="/readyz")
    await _wait_until_ready(stack.services["api"], path="/readyz")
    await _wait_until_ready(stack.services["web"], path="/healthz")


_LIMITS = ("ANONYMOUS", "USER", "API_KEY", "AUTH")
_FACTORIES = {
    "inference": "services.inference.main:create_app",
    "api": "services.api.main:create_app",
    "web": "services.web.main:create_app",
}


async def _spawn(name: str, *, port: int, url: str, env: dict[str, str], folder: Path) -> Service:
    log = folder / f"{name}.log"
    command = [sys.executable, "-m", "uvicorn", _FACTORIES[name], "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            env=os.environ | env | {"TF_CPP_MIN_LOG_LEVEL": "2"},
        )
    return Service(name=name, url=url, process=process, log=log)


def _tiny_model_with_card_text(*, folder: Path) -> Path:
    """The tiny test model, its card given the production card's intended use and limitations.

    Only words are added (the card's hash covers the model file, not the card); the card still
    publishes no metrics, as none were measured for this model.
    """
    path = write_tiny_model(folder=folder, name="deepcatcher-tiny")
    card = ModelCard.model_validate_json(card_path_for(path).read_text())
    card = card.model_copy(update={"intended_use": INTENDED_USE, "limitations": LIMITATIONS})
    card_path_for(path).write_text(card.model_dump_json(indent=2))
    return path


async def _wait_until_ready(service: Service, *, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    async with httpx.AsyncClient(base_url=service.url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if service.process.returncode is not None:
                break
            try:
                if (await client.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"the {service.name} service did not start:\n{service.log_tail()}")


async def _terminate(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), timeout=15)
    except TimeoutError:
        process.kill()
        await process.wait()
