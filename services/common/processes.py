"""Services as processes: a free port, waiting until one is ready, and keeping them running."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(
    url: str, *, timeout_s: float = 120.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll `url` until it answers 200; fail early if the process behind it has exited."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} was not ready within {timeout_s:g} s")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Restart delays: doubling from `first_s` up to `max_s`, reset after `stable_s` running."""

    first_s: float = 1.0
    max_s: float = 30.0
    stable_s: float = 60.0

    def delay_s(self, *, failures: int) -> float:
        """The wait before a restart after this many failures in a row."""
        return float(min(self.first_s * 2 ** (failures - 1), self.max_s))


@dataclass(slots=True)
class Child:
    """A supervised command: its running process and how often in a row it has died."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None


class Supervisor:
    """Keeps every child running: one that dies is restarted alone, after a growing delay."""

    def __init__(
        self, children: list[Child], *, backoff: Backoff, log: Callable[[str], None]
    ) -> None:
        self.children = children
        self.backoff = backoff
        self.log = log

    def start(self) -> None:
        """Start every child."""
        for child in self.children:
            self._launch(child)

    def watch(self, *, poll_s: float = 0.5) -> NoReturn:
        """Tend the children until interrupted (Ctrl-C, SIGTERM)."""
        while True:
            self.tend(now=time.monotonic())
            time.sleep(poll_s)

    def tend(self, *, now: float) -> None:
        """Restart children whose delay is over, schedule the newly dead, forgive the stable."""
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    self._launch(child)
            elif child.process is not None and child.process.poll() is not None:
                self._schedule(child, now=now)
            elif child.failures and now - child.started_at >= self.backoff.stable_s:
                child.failures = 0

    def stop(self, *, grace_s: float = 10.0) -> None:
        """SIGTERM every running child, and SIGKILL those still running after `grace_s`."""
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()

    def _schedule(self, child: Child, *, now: float) -> None:
        assert child.process is not None
        child.failures += 1
        delay = self.backoff.delay_s(failures=child.failures)
        child.restart_at = now + delay
        self.log(
            f"{child.name} {exit_reason(child.process.returncode)}; restarting it in {delay:g} s"
            f" ({child.failures} in a row; the others keep running)"
        )

    def _launch(self, child: Child) -> None:
        child.process = subprocess.Popen(child.command)  # noqa: S603 - commands the caller built
        child.started_at, child.restart_at = time.monotonic(), None
        if child.failures:
            self.log(f"{child.name} restarted (process {child.process.pid})")


def exit_reason(returncode: int) -> str:
    """How a process ended, in words: its exit code, or the signal that killed it."""
    if returncode >= 0:
        return f"exited with code {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    if -returncode == signal.SIGKILL:
        return f"was killed by {name} (the kernel's out-of-memory killer sends it too)"
    return f"was killed by {name}"
