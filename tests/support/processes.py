"""Running services as real processes on free ports, as `make run` does."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from services.common.processes import free_port


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
