"""Measure the full detector (every signal, the verdict rule) on a labelled corpus.

    .venv/bin/python benchmarks/corpus.py ../shared/corpus/manifest.csv

The manifest is the evaluation corpus's format (`file,label(ai|real),...,has_generation_metadata`).
Nothing here tunes anything: the served model and its card's thresholds are used as they are.
Writes benchmarks/results/corpus-detector.{json,md}.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from services.inference.config import InferenceSettings
from services.inference.predictions.local import FileOutcome, score_files
from services.inference.predictions.schemas import Prediction
from services.inference.training.evaluation.metrics import roc_auc

RESULTS = Path(__file__).parent / "results"
Row = dict[str, str]


def _with_metadata(row: Row) -> bool:
    return row["label"] == "real" or row["has_generation_metadata"] == "yes"


def _without_metadata(row: Row) -> bool:
    return row["label"] == "real" or row["has_generation_metadata"] != "yes"


SUBSETS: dict[str, Callable[[Row], bool]] = {
    "all": lambda row: True,
    "AI with generation metadata + all real": _with_metadata,
    "AI without generation metadata + all real": _without_metadata,
}


def _rows(manifest: Path) -> list[Row]:
    with manifest.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _model_score(prediction: Prediction) -> float:
    signal = next(s for s in prediction.signals if s.name == "model")
    return signal.score or 0.0


def _measure(pairs: list[tuple[Row, FileOutcome]]) -> dict[str, Any]:
    scored = [(row["label"] == "ai", o.prediction) for row, o in pairs if o.prediction]
    labels = np.array([is_ai for is_ai, _ in scored])
    verdicts = np.array([prediction.verdict for _, prediction in scored])
    fake = verdicts == "fake"
    return {
        "files": {
            "ai": int(labels.sum()),
            "real": int((~labels).sum()),
            "refused": len(pairs) - len(scored),
        },
        "ai_caught": float(fake[labels].mean()),
        "real_called_fake": float(fake[~labels].mean()),
        "uncertain": float((verdicts == "uncertain").mean()),
        "roc_auc_detector": roc_auc(labels, np.array([p.score for _, p in scored])),
        "roc_auc_model_only": roc_auc(labels, np.array([_model_score(p) for _, p in scored])),
        "decided_by_provenance": sum(p.decided_by == "provenance" for _, p in scored),
    }


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Full detector on `{report['manifest']}`",
        "",
        f"Model `{report['model']}`, measured {report['measured']}. Verdicts use the card's "
        "thresholds; a generator's own provenance claim decides `fake` first.",
        "",
        "| subset | AI caught | real called fake | uncertain | ROC-AUC (detector) "
        "| ROC-AUC (model only) | decided by provenance |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in report["subsets"].items():
        files = m["files"]
        lines.append(
            f"| {name} ({files['ai']} AI, {files['real']} real) | {m['ai_caught']:.1%} | "
            f"{m['real_called_fake']:.1%} | {m['uncertain']:.1%} | {m['roc_auc_detector']:.3f} | "
            f"{m['roc_auc_model_only']:.3f} | {m['decided_by_provenance']} |"
        )
    return "\n".join(lines) + "\n"


def _file_row(row: Row, outcome: FileOutcome) -> dict[str, Any]:
    prediction = outcome.prediction
    return {
        "file": row["file"],
        "label": row["label"],
        "verdict": prediction.verdict if prediction else None,
        "score": prediction.score if prediction else None,
        "model_score": _model_score(prediction) if prediction else None,
        "decided_by": prediction.decided_by if prediction else None,
        "problem": outcome.problem.detail if outcome.problem else None,
    }


def main(
    manifest: Annotated[Path, typer.Argument(help="The corpus's manifest.csv.")],
    model: Annotated[Path, typer.Option(help="The model to serve.")] = Path(
        "models/deepcatcher-default.keras"
    ),
) -> None:
    """Score every file of the corpus with the full detector and write the report."""
    rows = _rows(manifest)
    settings = InferenceSettings(model_path=model)
    paths = [manifest.parent / row["file"] for row in rows]
    outcomes = asyncio.run(score_files(paths, settings=settings))
    pairs = list(zip(rows, outcomes, strict=True))
    report = {
        "manifest": str(manifest),
        "model": model.name,
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "subsets": {
            name: _measure([p for p in pairs if keep(p[0])]) for name, keep in SUBSETS.items()
        },
        "files": [_file_row(row, outcome) for row, outcome in pairs],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "corpus-detector.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "corpus-detector.md").write_text(_markdown(report))
    typer.echo(_markdown(report))


if __name__ == "__main__":
    typer.run(main)
