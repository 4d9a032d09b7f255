"""What a `deepcatcher-check` run has done so far, kept in a small JSON file to resume from."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from pydantic import BaseModel, Field

from deepcatcher_client.models import Verdict

STATE_FILE_NAME = ".deepcatcher-check.json"


class CheckedImage(BaseModel):
    """The server's verdict on one image's bytes."""

    verdict: Verdict
    score: float
    prediction_id: uuid.UUID | None = None


class CheckState(BaseModel):
    """Verdicts by content hash, and bulk jobs submitted but not yet collected."""

    server: str
    run_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    checked: dict[str, CheckedImage] = Field(default_factory=dict)
    # job id -> the sha256 of each uploaded file, in upload order (the items' indexes)
    pending_jobs: dict[str, list[str]] = Field(default_factory=dict)


def state_path_for(*, paths: list[Path], state: Path | None) -> Path:
    """The state file: as given, else in the (first) folder checked, else here."""
    if state is not None:
        return state
    folder = next((path for path in paths if path.is_dir()), Path.cwd())
    return folder / STATE_FILE_NAME


def load_state(*, path: Path, server: str) -> CheckState:
    """The saved state for this server, or a fresh one (another server's verdicts do not count)."""
    if path.is_file():
        saved = CheckState.model_validate_json(path.read_bytes())
        if saved.server == server:
            return saved
    return CheckState(server=server)


def save_state(*, path: Path, state: CheckState) -> None:
    """Write the state atomically: a run killed mid-write leaves the previous file intact."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(state.model_dump_json())
    partial.replace(path)
