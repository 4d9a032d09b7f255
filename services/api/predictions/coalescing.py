"""One detector call at a time per image and model in this process; identical checks share it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.common.contract import InferenceResult

Key = tuple[str, str]  # (sha256 of the bytes, model version)


@dataclass(frozen=True, slots=True)
class Timed:
    """The detector's answer and how long the call took."""

    result: InferenceResult
    took_ms: float


@dataclass(frozen=True, slots=True)
class Shared:
    """One caller's share of a check: the answer, its time, and whether it was theirs already."""

    result: InferenceResult
    took_ms: float
    reused: bool  # joined an identical check that the same user started


@dataclass(frozen=True, slots=True)
class _Flight:
    task: asyncio.Task[Timed]
    owner_id: uuid.UUID | None


class InflightChecks:
    """Identical checks that arrive together wait for the first one's answer.

    A finished answer stays shareable for `linger_s`: a request that looked for a stored result
    before the first one committed it would otherwise call the detector a second time.
    """

    def __init__(self, *, linger_s: float = 5.0) -> None:
        self.linger_s = linger_s
        self._flights: dict[Key, _Flight] = {}

    async def run(
        self,
        *,
        key: Key,
        owner_id: uuid.UUID | None,
        check: Callable[[], Awaitable[InferenceResult]],
    ) -> Shared:
        """The answer for `key`, from `check` or from an identical call already made."""
        flight = self._flights.get(key)
        leader = flight is None
        if flight is None:
            flight = _Flight(task=asyncio.ensure_future(_timed(check)), owner_id=owner_id)
            self._flights[key] = flight
            flight.task.add_done_callback(lambda done: self._finished(key, done))
        # Shielded: one caller going away (a closed connection) must not cancel the others' call.
        timed = await asyncio.shield(flight.task)
        reused = not leader and owner_id is not None and owner_id == flight.owner_id
        return Shared(result=timed.result, took_ms=timed.took_ms, reused=reused)

    def _finished(self, key: Key, task: asyncio.Task[Timed]) -> None:
        if task.cancelled() or task.exception() is not None:
            self._flights.pop(key, None)  # failures are not shared with later callers
            return
        asyncio.get_running_loop().call_later(self.linger_s, self._forget, key, task)

    def _forget(self, key: Key, task: asyncio.Task[Timed]) -> None:
        flight = self._flights.get(key)
        if flight is not None and flight.task is task:
            del self._flights[key]


async def _timed(check: Callable[[], Awaitable[InferenceResult]]) -> Timed:
    started = time.perf_counter()
    result = await check()
    return Timed(result=result, took_ms=round((time.perf_counter() - started) * 1000, 2))
