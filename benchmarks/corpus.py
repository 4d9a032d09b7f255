"""Measure the full detector (every signal, the verdict rule) on a labelled corpus.

    .venv/bin/python benchmarks/corpus.py ../shared/corpus/manifest.csv
    .venv/bin/python benchmarks/corpus.py MANIFEST [--model PATH] [--strip-metadata] [--launder]
    .venv/bin/python benchmarks/corpus.py MANIFEST --all-conditions

The manifest is the evaluation corpus's format (`file,label(ai|real),generator,...,
has_generation_metadata`). Nothing here tunes anything: the served model and its card's
thresholds are used as they are. Conditions, each file rewritten into a temporary folder first:

- original: the files as they are.
- stripped (`--strip-metadata`): decoded as the service decodes (EXIF orientation applied,
  8-bit RGB) and saved as lossless PNG, so no metadata survives and the pixels are unchanged;
  JPEGs become PNGs, so a signal reading JPEG traces from the file itself loses them too.
- laundered (`--launder`): as stripped, then shrunk with Lanczos to at most 1080 px on the long
  side (never enlarged) and saved as JPEG quality 85 without metadata, as social platforms
  deliver images. It strips too, so adding `--strip-metadata` changes nothing.

Writes benchmarks/results/corpus-detector[-stripped|-laundered].{json,md} (`--results` for
another folder); `--all-conditions` runs all three in one model session and adds
corpus-summary.md.
"""

from __future__ import annotations

import asyncio
import csv
import json
import math
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from PIL import Image

from services.common.images import decode_image, to_rgb_array
from services.common.problems import Problem, ProblemError
from services.inference.config import InferenceSettings
from services.inference.predictions.local import FileOutcome, score_files
from services.inference.predictions.schemas import Prediction
from training.evaluation.detection import counted, detection_summary, roc_auc
from training.pipeline.images import encode

RESULTS = Path(__file__).parent / "results"
Row = dict[str, str]
Pair = tuple[Row, FileOutcome]
# A condition's rewrite of upright RGB pixels: the new file's bytes and its suffix.
Rewrite = Callable[[np.ndarray], tuple[bytes, str]]

LAUNDERED_LONG_SIDE = 1080
LAUNDERED_QUALITY = 85


def _with_metadata(row: Row) -> bool:
    return row["label"] == "real" or row["has_generation_metadata"] == "yes"


def _without_metadata(row: Row) -> bool:
    return row["label"] == "real" or row["has_generation_metadata"] != "yes"


SUBSETS: dict[str, Callable[[Row], bool]] = {
    "all": lambda row: True,
    "AI with generation metadata + all real": _with_metadata,
    "AI without generation metadata + all real": _without_metadata,
}


def fitted(pixels: np.ndarray, *, long_side: int) -> np.ndarray:
    """Pixels shrunk with Lanczos to a long side of at most `long_side`; never enlarged."""
    height, width = pixels.shape[:2]
    if max(height, width) <= long_side:
        return pixels
    scale = long_side / max(height, width)
    size = (max(round(width * scale), 1), max(round(height * scale), 1))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS))


def _stripped(pixels: np.ndarray) -> tuple[bytes, str]:
    return encode(pixels, format="PNG"), ".png"


def _laundered(pixels: np.ndarray) -> tuple[bytes, str]:
    small = fitted(pixels, long_side=LAUNDERED_LONG_SIDE)
    return encode(small, format="JPEG", quality=LAUNDERED_QUALITY), ".jpg"


CONDITIONS: dict[str, Rewrite | None] = {
    "original": None,
    "stripped": _stripped,
    "laundered": _laundered,
}
DESCRIPTIONS = {
    "original": "the files as they are",
    "stripped": "decoded pixels (EXIF orientation applied) re-saved as lossless PNG, no metadata",
    "laundered": (
        f"long side at most {LAUNDERED_LONG_SIDE} px (Lanczos), JPEG quality "
        f"{LAUNDERED_QUALITY}, no metadata"
    ),
}


def _rows(manifest: Path) -> list[Row]:
    with manifest.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _rewritten(*, source: Path, target: Path, rewrite: Rewrite, max_pixels: int) -> FileOutcome:
    """Decode `source` as the service does; write its rewrite at `target` plus the new suffix."""
    try:
        image, _ = decode_image(source.read_bytes(), max_pixels=max_pixels)
    except ProblemError as error:
        return FileOutcome(path=source, problem=error.to_problem(instance=str(source)))
    except OSError as error:
        problem = Problem(title="Cannot read the file", status=400, detail=str(error))
        return FileOutcome(path=source, problem=problem)
    data, suffix = rewrite(to_rgb_array(image))
    written = target.with_name(target.name + suffix)
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_bytes(data)
    return FileOutcome(path=written)


def _prepared(
    *, rows: list[Row], corpus: Path, condition: str, folder: Path, max_pixels: int
) -> list[FileOutcome]:
    """Each row's file to score under `condition`, or the problem that stopped its rewrite."""
    rewrite = CONDITIONS[condition]
    if rewrite is None:
        return [FileOutcome(path=corpus / row["file"]) for row in rows]
    return [
        _rewritten(
            source=corpus / row["file"],
            target=folder / condition / row["file"],
            rewrite=rewrite,
            max_pixels=max_pixels,
        )
        for row in rows
    ]


async def score_conditions(
    *, rows: list[Row], corpus: Path, conditions: list[str], settings: InferenceSettings
) -> dict[str, list[FileOutcome]]:
    """Every row's outcome under each condition, all scored in one model session."""
    with tempfile.TemporaryDirectory(prefix="deepcatcher-corpus-") as folder:
        prepared = {
            condition: _prepared(
                rows=rows,
                corpus=corpus,
                condition=condition,
                folder=Path(folder),
                max_pixels=settings.max_image_pixels,
            )
            for condition in conditions
        }
        paths = [o.path for items in prepared.values() for o in items if o.problem is None]
        scored = dict(zip(paths, await score_files(paths, settings=settings), strict=True))
    return {
        condition: [o if o.problem else scored[o.path] for o in items]
        for condition, items in prepared.items()
    }


def _signal_scores(prediction: Prediction) -> dict[str, float]:
    return {s.name: s.score for s in prediction.signals if s.score is not None}


def _signal_auc(*, labels: np.ndarray, found: list[dict[str, float]], name: str) -> dict[str, Any]:
    """One signal's ROC-AUC over the files it gave a score for."""
    present = np.array([name in scores for scores in found], dtype=bool)
    values = np.array([scores.get(name, math.nan) for scores in found], dtype=float)
    return {"roc_auc": roc_auc(labels[present], values[present]), "scored": counted(present)}


def _signal_aucs(*, labels: np.ndarray, predictions: list[Prediction]) -> dict[str, Any]:
    """ROC-AUC of every signal that scored at least one file, whatever its name."""
    found = [_signal_scores(prediction) for prediction in predictions]
    names = sorted({name for scores in found for name in scores})
    return {name: _signal_auc(labels=labels, found=found, name=name) for name in names}


def measure(pairs: list[Pair]) -> dict[str, Any]:
    """Every figure for one set of files: the final score's and each signal's."""
    scored = [(row, o.prediction) for row, o in pairs if o.prediction]
    labels = np.array([row["label"] == "ai" for row, _ in scored], dtype=bool)
    predictions = [prediction for _, prediction in scored]
    return {
        "files": {
            "ai": int(labels.sum()),
            "real": int((~labels).sum()),
            "refused": len(pairs) - len(scored),
        },
        **detection_summary(
            labels=labels,
            scores=np.array([p.score for p in predictions], dtype=float),
            verdicts=np.array([p.verdict for p in predictions], dtype=str),
        ),
        "decided_by_provenance": counted(
            np.array([p.decided_by == "provenance" for p in predictions], dtype=bool)
        ),
        "signals": _signal_aucs(labels=labels, predictions=predictions),
    }


def _made_by(row: Row, *, generator: str) -> bool:
    return row["label"] == "ai" and row["generator"] == generator


def _by_generator(pairs: list[Pair]) -> dict[str, Any]:
    """Each generator's AI files measured together with every real file, commonest first."""
    real = [pair for pair in pairs if pair[0]["label"] == "real"]
    counts = Counter(row["generator"] for row, _ in pairs if row["label"] == "ai")
    return {
        generator: measure([p for p in pairs if _made_by(p[0], generator=generator)] + real)
        for generator in sorted(counts, key=lambda name: (-counts[name], name))
    }


def _file_row(row: Row, outcome: FileOutcome) -> dict[str, Any]:
    prediction = outcome.prediction
    return {
        "file": row["file"],
        "label": row["label"],
        "generator": row.get("generator"),
        "verdict": prediction.verdict if prediction else None,
        "score": prediction.score if prediction else None,
        "decided_by": prediction.decided_by if prediction else None,
        "image": prediction.image.model_dump() if prediction else None,
        "signals": {s.name: s.score for s in prediction.signals} if prediction else {},
        "problem": outcome.problem.detail if outcome.problem else None,
    }


def _ordinal(number: int) -> str:
    last = 0 if 10 <= number % 100 <= 20 else number % 10
    return str(number) + {1: "st", 2: "nd", 3: "rd"}.get(last, "th")


def tpr_note(real: int) -> str:
    """How TPR at 1% and 5% FPR are read off `real` real files."""
    allowed = {fpr: math.floor(fpr * real + 1e-9) for fpr in (0.01, 0.05)}
    parts = [
        f"at {fpr:.0%} FPR at most {k} of {real} real files may score above the threshold "
        f"(the {'' if k == 0 else _ordinal(k + 1) + '-'}highest real score)"
        for fpr, k in allowed.items()
    ]
    return (
        "TPR is the share of AI files scoring strictly above the lowest threshold that lets "
        f"at most that share of real files through; with {real} real files, " + "; ".join(parts)
    )


def build_report(
    *, manifest: Path, model: Path, condition: str, pairs: list[Pair]
) -> dict[str, Any]:
    """The whole report for one condition: subsets, generators and every file's row."""
    subsets = {name: measure([p for p in pairs if keep(p[0])]) for name, keep in SUBSETS.items()}
    return {
        "manifest": str(manifest),
        "model": model.name,
        "condition": condition,
        "condition_description": DESCRIPTIONS[condition],
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "tpr_at_fpr_method": tpr_note(subsets["all"]["files"]["real"]),
        "ece_method": "10 equal-width bins of the detector's final score, count-weighted",
        "subsets": subsets,
        "generators": _by_generator(pairs),
        "files": [_file_row(row, outcome) for row, outcome in pairs],
    }


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _tally(tally: dict[str, Any]) -> str:
    return f"{tally['count']} of {tally['of']} ({_percent(tally['rate'])})"


def _signal_cell(signal: dict[str, Any] | None) -> str:
    return "—" if signal is None else _number(signal["roc_auc"])


def _subset_table(name: str, m: dict[str, Any]) -> list[str]:
    """One subset's section: a heading and a table of its figures."""
    files = m["files"]
    rows = [
        ("ROC-AUC (final score)", _number(m["roc_auc"])),
        ("TPR at 1% FPR", _percent(m["tpr_at_1pct_fpr"])),
        ("TPR at 5% FPR", _percent(m["tpr_at_5pct_fpr"])),
        ("ECE (final score, 10 bins)", _number(m["ece"])),
        ("AI caught (verdict fake)", _tally(m["ai_caught"])),
        ("real called fake", _tally(m["real_called_fake"])),
        ("uncertain", _tally(m["uncertain"])),
        ("decided by provenance", _tally(m["decided_by_provenance"])),
    ] + [
        (
            f"ROC-AUC, signal `{signal}`",
            f"{_number(s['roc_auc'])} (scored {s['scored']['count']} of {s['scored']['of']})",
        )
        for signal, s in m["signals"].items()
    ]
    heading = f"## {name} ({files['ai']} AI, {files['real']} real, {files['refused']} refused)"
    return [heading, "", "| figure | value |", "|---|---:|", *(f"| {a} | {b} |" for a, b in rows)]


def _generator_table(report: dict[str, Any]) -> list[str]:
    """One row per generator, with a ROC-AUC column for every signal seen on the corpus."""
    signals = list(report["subsets"]["all"]["signals"])
    head = ["generator", "AI files", "ROC-AUC", "TPR@1%", "TPR@5%", "ECE", "AI caught"]
    head += ["uncertain", *(f"AUC `{s}`" for s in signals)]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for generator, m in report["generators"].items():
        cells = [generator, str(m["files"]["ai"]), _number(m["roc_auc"])]
        cells += [_percent(m["tpr_at_1pct_fpr"]), _percent(m["tpr_at_5pct_fpr"])]
        cells += [_number(m["ece"]), _tally(m["ai_caught"]), _tally(m["uncertain"])]
        cells += [_signal_cell(m["signals"].get(s)) for s in signals]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: one table per subset, then one row per generator."""
    lines = [
        f"# Full detector on `{report['manifest']}`: {report['condition']}",
        "",
        f"Model `{report['model']}`, measured {report['measured']}; condition "
        f"{report['condition']}: {report['condition_description']}. Verdicts use the card's "
        "thresholds; a generator's own provenance claim decides `fake` first.",
        "",
        f"{report['tpr_at_fpr_method']}. ECE: {report['ece_method']}. A signal's ROC-AUC uses "
        "the files it scored; — means it scored files of one class only.",
    ]
    for name, m in report["subsets"].items():
        lines += ["", *_subset_table(name, m)]
    lines += [
        "",
        "## Per generator (its AI files + all real files)",
        "",
        "Real called fake is the same in every row (all real files each time). A row of one or "
        "two AI files is noise: one file moves its ROC-AUC and TPR by half or all of the scale.",
        "",
        *_generator_table(report),
    ]
    return "\n".join(lines) + "\n"


def summary_markdown(reports: dict[str, dict[str, Any]]) -> str:
    """One row per condition, all files."""
    signals = sorted({s for r in reports.values() for s in r["subsets"]["all"]["signals"]})
    head = ["condition", "ROC-AUC", "TPR@1% FPR", "TPR@5% FPR", "ECE", "AI caught"]
    head += ["real called fake", "uncertain", *(f"AUC `{s}`" for s in signals)]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for condition, report in reports.items():
        m = report["subsets"]["all"]
        cells = [condition, _number(m["roc_auc"]), _percent(m["tpr_at_1pct_fpr"])]
        cells += [_percent(m["tpr_at_5pct_fpr"]), _number(m["ece"]), _tally(m["ai_caught"])]
        cells += [_tally(m["real_called_fake"]), _tally(m["uncertain"])]
        cells += [_signal_cell(m["signals"].get(s)) for s in signals]
        lines.append("| " + " | ".join(cells) + " |")
    first = next(iter(reports.values()))
    intro = [
        f"# Full detector on `{first['manifest']}` by condition",
        "",
        f"Model `{first['model']}`, measured {first['measured']}. All files; "
        + "; ".join(f"{c}: {r['condition_description']}" for c, r in reports.items())
        + f". {first['tpr_at_fpr_method']}. A signal's ROC-AUC uses the files it scored; — means "
        "it scored files of one class only.",
        "",
    ]
    return "\n".join(intro + lines) + "\n"


def _write(report: dict[str, Any], *, folder: Path) -> None:
    suffix = "" if report["condition"] == "original" else f"-{report['condition']}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"corpus-detector{suffix}.json").write_text(json.dumps(report, indent=2) + "\n")
    (folder / f"corpus-detector{suffix}.md").write_text(markdown(report))


def run(*, manifest: Path, model: Path, conditions: list[str]) -> dict[str, dict[str, Any]]:
    """Each condition's report for the corpus behind `manifest`."""
    rows = _rows(manifest)
    settings = InferenceSettings(model_path=model)
    outcomes = asyncio.run(
        score_conditions(
            rows=rows, corpus=manifest.parent, conditions=conditions, settings=settings
        )
    )
    return {
        condition: build_report(
            manifest=manifest,
            model=model,
            condition=condition,
            pairs=list(zip(rows, found, strict=True)),
        )
        for condition, found in outcomes.items()
    }


def chosen_conditions(*, strip_metadata: bool, launder: bool, all_conditions: bool) -> list[str]:
    """The conditions the flags ask for; laundering strips metadata already."""
    if all_conditions:
        return list(CONDITIONS)
    return ["laundered" if launder else "stripped" if strip_metadata else "original"]


def main(
    manifest: Annotated[Path, typer.Argument(help="The corpus's manifest.csv.")],
    model: Annotated[Path, typer.Option(help="The model to serve.")] = Path(
        "models/deepcatcher-default.keras"
    ),
    strip_metadata: Annotated[
        bool, typer.Option("--strip-metadata", help="Re-save decoded pixels as PNG first.")
    ] = False,
    launder: Annotated[
        bool, typer.Option("--launder", help="Shrink to 1080 px and JPEG q85 first.")
    ] = False,
    all_conditions: Annotated[
        bool, typer.Option("--all-conditions", help="Original, stripped and laundered.")
    ] = False,
    results: Annotated[Path, typer.Option(help="Where the reports are written.")] = RESULTS,
) -> None:
    """Score every file of the corpus with the full detector and write the report."""
    conditions = chosen_conditions(
        strip_metadata=strip_metadata, launder=launder, all_conditions=all_conditions
    )
    reports = run(manifest=manifest, model=model, conditions=conditions)
    for report in reports.values():
        _write(report, folder=results)
        typer.echo(markdown(report))
    if all_conditions:
        (results / "corpus-summary.md").write_text(summary_markdown(reports))
        typer.echo(summary_markdown(reports))


if __name__ == "__main__":
    typer.run(main)
