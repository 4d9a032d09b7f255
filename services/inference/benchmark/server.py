"""The inference service under test: a real uvicorn process, and what it costs the machine."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from services.common.processes import free_port, wait_until_ready

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
    port = free_port()
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
            try:
                wait_until_ready(
                    f"{server.url}/readyz", timeout_s=startup_timeout_s, process=process
                )
            except RuntimeError as error:
                log.seek(0)
                raise RuntimeError(f"{error}: {log.read().decode()[-2000:]}") from None
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)
