"""Scoring files in-process, with the same pipeline and batching as the service."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.common.problems import Problem, ProblemError
from services.inference.config import InferenceSettings
from services.inference.metrics import InferenceMetrics
from services.inference.predictions.schemas import Prediction
from services.inference.predictions.service import Pipeline
from services.inference.runtime import open_runtime
from services.inference.selfcheck.service import require_passed


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """One file's prediction or problem."""

    path: Path
    prediction: Prediction | None = None
    problem: Problem | None = None


async def score_files(
    paths: list[Path],
    *,
    settings: InferenceSettings,
    explain: bool = False,
    on_done: Callable[[FileOutcome], None] = lambda outcome: None,
) -> list[FileOutcome]:
    """Score files concurrently so their crops share model batches; results keep input order.
    Raises SelfCheckFailed, before any file is scored, when the self-check at start failed."""
    async with open_runtime(
        settings=settings, metrics=InferenceMetrics(), warm_in_background=False
    ) as runtime:
        require_passed(runtime.self_check)
        # Never admit more files at once than the batcher's queue holds.
        slots = asyncio.Semaphore(settings.queue_max_size)

        async def score(path: Path) -> FileOutcome:
            async with slots:
                outcome = await score_file(path, pipeline=runtime.pipeline, explain=explain)
            on_done(outcome)
            return outcome

        return list(await asyncio.gather(*(score(path) for path in paths)))


async def score_file(path: Path, *, pipeline: Pipeline, explain: bool) -> FileOutcome:
    """One file through the pipeline; its problem instead of an exception when it is refused."""
    try:
        data = await asyncio.to_thread(path.read_bytes)
        prediction = await pipeline.predict(data=data, explain=explain)
    except ProblemError as error:
        return FileOutcome(path=path, problem=error.to_problem(instance=str(path)))
    except OSError as error:
        problem = Problem(title="Cannot read the file", status=400, detail=str(error))
        return FileOutcome(path=path, problem=problem)
    return FileOutcome(path=path, prediction=prediction)
