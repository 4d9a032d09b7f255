"""Running services as real processes on free ports, as `make run` does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(
    url: str, *, timeout_s: float = 120.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll a URL until it answers 200; fail early if the process behind it died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{url} did not become ready in {timeout_s} s")


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
