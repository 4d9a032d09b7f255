"""Sending images to the server through the client: predictions for few, bulk jobs for many."""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from deepcatcher_client import (
    Client,
    Job,
    NotFound,
    PayloadTooLarge,
    PredictionItem,
    Problem,
    UnprocessableContent,
    UnsupportedMediaType,
)
from deepcatcher_client.checker.files import ImageFile, link_key
from deepcatcher_client.checker.state import CheckedImage, CheckState, save_state

# What the API answers when every file of a request is bad: errors of those files, not of the run.
FILE_PROBLEMS = (PayloadTooLarge, UnprocessableContent, UnsupportedMediaType)


@dataclass(frozen=True, slots=True)
class Sizes:
    """How images are grouped: up to `bulk_over` as predictions, more as bulk jobs."""

    bulk_over: int = 50
    batch: int = 16
    job: int = 100
    poll_interval_s: float = 1.0


@dataclass
class Checker:
    """Checks images not yet in the state, saving the state after every answer."""

    client: Client
    state: CheckState
    state_path: Path
    sizes: Sizes
    on_checked: Callable[[str], None] = lambda sha256: None
    errors: dict[str, str] = field(default_factory=dict)

    def run(self, images: Sequence[ImageFile]) -> None:
        """Collect jobs a killed run left behind, then check whatever is still unchecked."""
        self._collect_pending_jobs()
        todo = list(self._unchecked(images))
        if len(todo) > self.sizes.bulk_over:
            self._submit_jobs(todo)
            self._collect_pending_jobs()
        else:
            for batch in _chunks(todo, self.sizes.batch):
                self._predict(batch)

    def _unchecked(self, images: Sequence[ImageFile]) -> Iterator[ImageFile]:
        seen = set(self.state.checked) | set(self.errors)
        for image in images:
            if image.sha256 not in seen:
                seen.add(image.sha256)
                yield image

    def _record(self, sha256: str, checked: CheckedImage) -> None:
        if sha256 not in self.state.checked:
            self.state.checked[sha256] = checked
            self.on_checked(sha256)

    def _save(self) -> None:
        save_state(path=self.state_path, state=self.state)

    def _predict(self, batch: list[ImageFile]) -> None:
        # The same batch re-sent after a kill replays the server's first answer: nothing twice.
        key = f"check-{self.state.run_id}-{_digest(image.sha256 for image in batch)}"
        files = [(image.path.name, image.path.read_bytes()) for image in batch]
        try:
            answer = self.client.predict(files, idempotency_key=key)
        except FILE_PROBLEMS as exc:  # no file of the batch could be checked, for this reason
            self.errors |= {image.sha256: _problem_text(exc.problem) for image in batch}
            return
        for image, item in zip(batch, answer.items, strict=True):
            self._take_item(image.sha256, item)
        self._save()

    def check_links(self, links: Sequence[str]) -> None:
        """Have the server fetch and check each link not checked yet, one request each."""
        for url in links:
            key = link_key(url)
            if key in self.state.checked or key in self.errors:
                continue
            idempotency_key = f"check-{self.state.run_id}-{_digest(iter([key]))}"
            try:
                answer = self.client.check_url(url, idempotency_key=idempotency_key)
            except FILE_PROBLEMS as exc:  # the link could not be fetched, or is no image
                self.errors[key] = _problem_text(exc.problem)
                continue
            self._take_item(key, answer.items[0])
            self._save()

    def _take_item(self, key: str, item: PredictionItem) -> None:
        if item.prediction is None:
            self.errors[key] = _problem_text(item.error)
            return
        prediction = item.prediction
        checked = CheckedImage(
            verdict=prediction.verdict, score=prediction.score, prediction_id=prediction.id
        )
        self._record(key, checked)

    def _submit_jobs(self, todo: list[ImageFile]) -> None:
        for chunk in _chunks(todo, self.sizes.job):
            job = self.client.submit_job(
                [(image.path.name, image.path.read_bytes()) for image in chunk]
            )
            self.state.pending_jobs[str(job.id)] = [image.sha256 for image in chunk]
            self._save()

    def _collect_pending_jobs(self) -> None:
        for job_id, hashes in list(self.state.pending_jobs.items()):
            # A job deleted meanwhile is dropped: its unrecorded images are checked again.
            with contextlib.suppress(NotFound):
                self.client.wait_for_job(
                    job_id,
                    poll_interval_s=self.sizes.poll_interval_s,
                    on_progress=functools.partial(self._take, hashes=hashes),
                )
            del self.state.pending_jobs[job_id]
            self._save()

    def _take(self, job: Job, *, hashes: list[str]) -> None:
        before = len(self.state.checked)
        for item in job.items:
            sha256 = hashes[item.index]
            if item.status == "done" and item.verdict is not None and item.score is not None:
                checked = CheckedImage(
                    verdict=item.verdict, score=item.score, prediction_id=item.prediction_id
                )
                self._record(sha256, checked)
            elif item.status == "error":
                self.errors[sha256] = _problem_text(item.error)
        if len(self.state.checked) != before:
            self._save()


def _chunks(items: list[ImageFile], size: int) -> Iterator[list[ImageFile]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _digest(hashes: Iterator[str]) -> str:
    return hashlib.sha256("".join(hashes).encode()).hexdigest()[:32]


def _problem_text(problem: Problem | None) -> str:
    return (problem.detail or problem.title) if problem else "the server gave no reason"
