"""`deepcatcher serve`'s supervisor: a child that dies is restarted alone, ever more slowly."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from services.common.processes import Backoff, Child, Supervisor

FAST = Backoff(first_s=0.05, max_s=0.2, stable_s=60.0)


@pytest.fixture
def log() -> list[str]:
    """The supervisor's messages."""
    return []


@contextmanager
def supervised(*children: Child, log: list[str], backoff: Backoff = FAST) -> Iterator[Supervisor]:
    """A supervisor of these children, started, and stopped afterwards."""
    supervisor = Supervisor(list(children), backoff=backoff, log=log.append)
    supervisor.start()
    try:
        yield supervisor
    finally:
        supervisor.stop(grace_s=2)


def tend_until(supervisor: Supervisor, log: list[str], *, restarts: int) -> list[float]:
    """Tend the children until this many restarts were scheduled; their delays in seconds."""
    deadline = time.monotonic() + 20
    while len(delays := [float(d) for d in re.findall(r"in ([\d.]+) s", " ".join(log))]) < restarts:
        assert time.monotonic() < deadline, log
        supervisor.tend(now=time.monotonic())
        time.sleep(0.01)
    return delays


def test_a_child_that_keeps_dying_waits_twice_as_long_each_time_up_to_the_cap(
    log: list[str],
) -> None:
    dying = Child(name="broken", command=["sh", "-c", "exit 3"])
    with supervised(dying, log=log) as supervisor:
        delays = tend_until(supervisor, log, restarts=5)

    assert delays[:5] == [0.05, 0.1, 0.2, 0.2, 0.2]
    assert log[0] == (
        "broken exited with code 3; restarting it in 0.05 s (1 in a row; the others keep running)"
    )
    assert "broken restarted (process " in log[1]


def test_the_others_keep_running_while_one_is_restarted(log: list[str]) -> None:
    steady = Child(name="steady", command=["sleep", "30"])
    dying = Child(name="broken", command=["sh", "-c", "exit 1"])
    with supervised(steady, dying, log=log) as supervisor:
        assert steady.process is not None
        first = steady.process.pid
        tend_until(supervisor, log, restarts=3)

        assert steady.process.pid == first and steady.process.poll() is None
    assert steady.process.poll() == -signal.SIGTERM  # stopping stops every child


def test_a_child_that_ran_long_enough_starts_again_from_the_first_delay(log: list[str]) -> None:
    backoff = Backoff(first_s=0.05, max_s=0.2, stable_s=0.1)
    flaky = Child(name="flaky", command=["sh", "-c", "sleep 0.3; exit 1"])
    with supervised(flaky, log=log, backoff=backoff) as supervisor:
        delays = tend_until(supervisor, log, restarts=3)

    assert delays[:3] == [0.05, 0.05, 0.05]


def test_the_signal_that_killed_a_child_is_named(log: list[str]) -> None:
    victim = Child(name="inference", command=["sleep", "30"])
    with supervised(victim, log=log) as supervisor:
        assert victim.process is not None
        os.kill(victim.process.pid, signal.SIGKILL)
        victim.process.wait()
        tend_until(supervisor, log, restarts=1)

    assert log[0].startswith("inference was killed by SIGKILL")
