"""Writing the verdicts as a table, JSON or CSV, and the exit status CI steps read."""

from __future__ import annotations

import csv
import enum
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from rich.console import Console
from rich.table import Table

from deepcatcher_client.checker.files import ImageFile, link_key
from deepcatcher_client.checker.state import CheckState

NOT_CHECKED = "not checked: the run stopped first"


class OutputFormat(enum.StrEnum):
    """How the results are written."""

    table = "table"
    json = "json"
    csv = "csv"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One file's line in the results."""

    path: str
    sha256: str
    verdict: str | None
    score: float | None
    prediction_id: str | None
    error: str | None


def outcomes(
    *, images: Sequence[ImageFile], state: CheckState, errors: dict[str, str]
) -> list[Outcome]:
    """Every file's verdict, or its error."""
    rows = []
    for image in images:
        checked = state.checked.get(image.sha256)
        rows.append(
            Outcome(
                path=str(image.path),
                sha256=image.sha256,
                verdict=checked.verdict if checked else None,
                score=checked.score if checked else None,
                prediction_id=str(checked.prediction_id)
                if checked and checked.prediction_id
                else None,
                error=None if checked else errors.get(image.sha256, NOT_CHECKED),
            )
        )
    return rows


def link_outcomes(
    *, links: Sequence[str], state: CheckState, errors: dict[str, str]
) -> list[Outcome]:
    """Every link's verdict, or its error; a link's row has no content hash of its own."""
    rows = []
    for url in links:
        checked = state.checked.get(link_key(url))
        rows.append(
            Outcome(
                path=url,
                sha256="",
                verdict=checked.verdict if checked else None,
                score=checked.score if checked else None,
                prediction_id=str(checked.prediction_id)
                if checked and checked.prediction_id
                else None,
                error=None if checked else errors.get(link_key(url), NOT_CHECKED),
            )
        )
    return rows


def exit_code(rows: Sequence[Outcome], *, failed: bool) -> int:
    """2 if anything could not be checked, else 1 if something is fake, else 0."""
    if failed or any(row.error for row in rows):
        return 2
    return 1 if any(row.verdict == "fake" for row in rows) else 0


def summary(rows: Sequence[Outcome], *, skipped: int) -> str:
    """One line: how many of each verdict, errors, and how many came from an earlier run."""
    counts = Counter(row.verdict or "error" for row in rows)
    parts = [f"{counts[name]} {name}" for name in ("fake", "uncertain", "real", "error")]
    return f"{len(rows)} images: {', '.join(parts)} ({skipped} already checked before this run)"


def render(rows: Sequence[Outcome], *, output_format: OutputFormat) -> str:
    """The results in the format asked for."""
    if output_format is OutputFormat.json:
        return json.dumps([asdict(row) for row in rows], indent=2) + "\n"
    if output_format is OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(Outcome.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)
        return buffer.getvalue()
    return _table(rows)


def _table(rows: Sequence[Outcome]) -> str:
    table = Table("file", "verdict", "score", "prediction / error")
    for row in rows:
        score = f"{row.score:.3f}" if row.score is not None else ""
        table.add_row(row.path, row.verdict or "error", score, row.error or row.prediction_id or "")
    buffer = io.StringIO()
    Console(file=buffer, width=160, color_system=None).print(table)
    return buffer.getvalue()
