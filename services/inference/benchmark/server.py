"""The inference service under test: a real uvicorn process, and what it costs the machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Server:
    """A running service: where it listens and its process id."""

    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def metrics(self) -> dict[str, float]:
        """Every sample of /metrics, keyed by name and labels."""
        text = httpx.get(f"{self.url}/metrics", timeout=10).text
        samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                samples[f"{sample.name}{{{labels}}}"] = sample.value
        return samples


@contextmanager
def running_service(
    *, settings: dict[str, str], startup_timeout_s: float = 180
) -> Iterator[Server]:
    """Start `uvicorn services.inference.main:create_app --factory` with these settings."""
    port = _free_port()
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    environment.update({f"DEEPCATCHER_INFERENCE_{k.upper()}": v for k, v in settings.items()})
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "services.inference.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]
    with tempfile.TemporaryFile() as log:
        # The command is this interpreter running uvicorn on our own app: no outside input.
        process = subprocess.Popen(  # noqa: S603
            command, env=environment, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            server = Server(url=f"http://127.0.0.1:{port}", pid=process.pid)
            _wait_until_ready(server, process=process, timeout_s=startup_timeout_s, log=log)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_ready(
    server: Server, *, process: subprocess.Popen[bytes], timeout_s: float, log: object
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)  # type: ignore[attr-defined]
            raise RuntimeError(f"the service exited: {log.read().decode()[-2000:]}")  # type: ignore[attr-defined]
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the service was not ready within {timeout_s:g} s")
