"""Running services as real processes on free ports, as `make run` does."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from services.common.processes import free_port

ROOT = Path(__file__).resolve().parents[2]


def closed_port_url() -> str:
    """An address where nothing listens: a service that is down."""
    return f"http://127.0.0.1:{free_port()}"


def child_running(parent: int, *, module: str) -> int:
    """The id of the parent's child process whose command line names `module`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # it exited while we looked
            continue
        # Field 4 of stat is the parent id; the name before it may hold spaces, so split after ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and module.encode() in command:
            return int(entry.name)
    raise LookupError(f"process {parent} has no child running {module}")


def deepcatcher_command(*args: str) -> list[str]:
    """The `deepcatcher` command of this interpreter's environment."""
    return [sys.executable, "-m", "services.cli", *args]


@contextmanager
def running(
    command: list[str], *, env: Mapping[str, str], log: Path, sigint_ignored: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a command in the background with its output in a log file; stop it afterwards.

    `sigint_ignored` starts it as a shell starts a background command: with SIGINT ignored.
    """
    with log.open("wb") as output:
        if sigint_ignored:  # `trap '' INT` ignores it, and exec keeps it ignored
            command = ["sh", "-c", "trap '' INT; exec \"$@\"", "sh", *command]
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def rss_bytes(pid: int) -> int:
    """A process's resident memory now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class MemorySampler:
    """The most resident memory a process held while sampling ran."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            time.sleep(0.005)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True, slots=True)
class ApiProcess:
    """A running API process: where it answers, its pid and its SQLite database file."""

    url: str
    pid: int
    database: Path


@contextmanager
def api_process(
    folder: Path, *, name: str, env: Mapping[str, str] | None = None
) -> Iterator[ApiProcess]:
    """The API as a real uvicorn process on a fresh SQLite database in `folder`, for benchmarks."""
    import uuid

    from services.api.db.migrate import run_upgrade
    from services.common.processes import wait_until_ready

    database = folder / f"{name}-{uuid.uuid4().hex[:6]}.db"
    database_url = f"sqlite+aiosqlite:///{database}"
    asyncio.run(run_upgrade(url=database_url))
    port = free_port()
    settings = {
        **os.environ,
        "DEEPCATCHER_API_DATABASE_URL": database_url,
        "DEEPCATCHER_API_IMAGE_DIR": str(folder / "images"),
        "DEEPCATCHER_API_QUEUE_NAME": f"deepcatcher:bench:{uuid.uuid4().hex}",
        "DEEPCATCHER_API_RATE_LIMIT_USER": "100000/minute",
        "DEEPCATCHER_API_RATE_LIMIT_AUTH": "1000/minute",
        "DEEPCATCHER_API_LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    command = [sys.executable, "-m", "uvicorn", "services.api.main:create_app", "--factory"]
    command += ["--port", str(port), "--no-access-log"]
    with (folder / f"{name}-api-{port}.log").open("wb") as log:
        process = subprocess.Popen(command, env=settings, cwd=ROOT, stdout=log, stderr=log)
        try:
            wait_until_ready(f"http://127.0.0.1:{port}/healthz", process=process)
            yield ApiProcess(url=f"http://127.0.0.1:{port}", pid=process.pid, database=database)
        finally:
            process.terminate()
            process.wait(timeout=30)


async def poll_health(client: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    """/healthz latencies in ms, every 20 ms until stopped: what a benchmark watches while a
    hostile request runs."""
    latencies: list[float] = []
    while not stop.is_set():
        started = time.perf_counter()
        response = await client.get("/healthz")
        assert response.status_code == 200
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.02)
    return latencies
