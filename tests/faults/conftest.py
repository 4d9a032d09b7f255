"""Real inference and API processes on the test database, for breaking things under load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.common.processes import free_port, wait_until_ready
from tests.support.models import write_tiny_model


@dataclass
class Stack:
    """The inference and API processes, with what it takes to restart inference."""

    folder: Path
    env: dict[str, str]
    api_url: str
    inference_url: str
    inference: subprocess.Popen[bytes] | None = None
    api: subprocess.Popen[bytes] | None = None

    def _spawn(self, name: str, factory: str, port: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", port]
        log = (self.folder / f"{name}.log").open("ab")
        return subprocess.Popen(
            command, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT
        )

    def start_inference(self) -> None:
        """Start (or restart) the inference service and wait until it is ready."""
        port = self.inference_url.rsplit(":", 1)[1]
        self.inference = self._spawn("inference", "services.inference.main:create_app", port)
        wait_until_ready(f"{self.inference_url}/readyz", process=self.inference)

    def kill_inference(self) -> None:
        """Kill the inference service without warning."""
        assert self.inference is not None
        self.inference.send_signal(signal.SIGKILL)
        self.inference.wait(timeout=10)

    def start_api(self) -> None:
        """Start the API service and wait until it answers."""
        port = self.api_url.rsplit(":", 1)[1]
        self.api = self._spawn("api", "services.api.main:create_app", port)
        wait_until_ready(f"{self.api_url}/healthz", process=self.api)

    def stop(self) -> None:
        """Stop whatever still runs."""
        for process in (self.api, self.inference):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


@pytest.fixture
def stack(database_url: str, tmp_path: Path, clean_database: None) -> Iterator[Stack]:
    """Inference and API as real processes; stopped after the test."""
    inference_port, api_port = free_port(), free_port()
    env = {
        "DEEPCATCHER_INFERENCE_PORT": str(inference_port),
        "DEEPCATCHER_INFERENCE_MODEL_PATH": str(write_tiny_model(folder=tmp_path)),
        "DEEPCATCHER_API_DATABASE_URL": database_url,
        "DEEPCATCHER_API_IMAGE_DIR": str(tmp_path / "images"),
        "DEEPCATCHER_API_INFERENCE_URL": f"http://127.0.0.1:{inference_port}",
        "DEEPCATCHER_API_INFERENCE_TIMEOUT_S": "5",
        "DEEPCATCHER_API_RATE_LIMIT_USER": "100000/minute",
        "DEEPCATCHER_API_RATE_LIMIT_AUTH": "1000/minute",
    }
    running = Stack(
        folder=tmp_path,
        env=env,
        api_url=f"http://127.0.0.1:{api_port}",
        inference_url=f"http://127.0.0.1:{inference_port}",
    )
    try:
        running.start_inference()
        running.start_api()
        yield running
    finally:
        running.stop()
