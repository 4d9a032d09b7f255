"""How the low-level view alone calls each held-out family, at its own 1% band on validation.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/lowlevel_gan_views.py var/data2/manifest.jsonl

The held-out samples are the semantic stage's own (same seed, conditions and camera variants),
scored by the bundled low-level model alone (no tower: about 3 s an image on 2 cores). Run on a
build made with `deepcatcher data build --gan-share 0.5`, it answers whether that view could
catch the GAN redraws and face swaps that the semantic view calls real, without accusing real
photographs. Writes benchmarks/results/lowlevel-gan-views.{json,md}.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from services.inference.detectors.calibration import calibrated
from training.data.build import DataRow, read_manifest
from training.data.gan_images import GAN_FAMILIES
from training.evaluation.metrics import roc_auc
from training.pipeline.images import read_pixels
from training.semantic.embed import Embedded, Sample, row_rng, variants
from training.semantic.fit import band, split_indices
from training.semantic.train import is_small, lowlevel_scorer

RESULTS = Path(__file__).parent / "results"
MODEL = Path("models/deepcatcher-default.keras")
SEED = 20262  # the semantic stage's default, so these are its held-out samples
DRAWS = 4


def held_out_logits(
    rows: list[DataRow], *, root: Path, logit: Callable[[np.ndarray], float]
) -> Embedded:
    """Every held-out sample of `rows` with the low-level view's logit (no tower features)."""
    samples: list[Sample] = []
    logits: list[float] = []
    for row in (row for row in rows if row.split != "train"):
        rng = row_rng(seed=SEED, name=row.name)
        for condition, seen in variants(
            read_pixels(root / row.file), row=row, draws=DRAWS, rng=rng
        ):
            samples.append(Sample(row=row, condition=condition, long_side=max(seen.shape[:2])))
            logits.append(logit(seen))
    return Embedded(samples, np.zeros((len(samples), 1)), np.array(logits), None)


def large(embedded: Embedded, split: str) -> np.ndarray:
    """The split's samples that the service scores on its main path (long side 320 or more)."""
    held = split_indices(embedded, split)
    return np.asarray(held[~is_small(embedded, held)])


def kind(sample: Sample) -> str:
    """The row's family for a GAN image; else `real` or `other AI`."""
    if sample.row.family in GAN_FAMILIES:
        return sample.row.family
    return "real" if sample.row.label == "real" else "other AI"


def figures(scores: np.ndarray, embedded: Embedded, *, fake_above: float) -> list[dict[str, Any]]:
    """Per split and kind: samples, share called fake as made and in all, ROC-AUC as made."""
    rows = []
    for split in ("val", "test"):
        held = large(embedded, split)
        made = [i for i in held if embedded.samples[i].condition == "original"]
        real_made = [i for i in made if kind(embedded.samples[i]) == "real"]
        for name in ("real", "other AI", *GAN_FAMILIES):
            every = [i for i in held if kind(embedded.samples[i]) == name]
            ours = [i for i in made if kind(embedded.samples[i]) == name]
            labels = np.array([0] * len(real_made) + [1] * len(ours))
            auc = roc_auc(labels, scores[real_made + ours]) if name != "real" else None
            rows.append(
                {
                    "split": split,
                    "kind": name,
                    "images": len(ours),
                    "samples": len(every),
                    "fake_as_made": int((scores[ours] > fake_above).sum()),
                    "fake_all_conditions": int((scores[every] > fake_above).sum()),
                    "roc_auc_as_made": None if auc is None else round(auc, 3),
                }
            )
    return rows


def main(manifest: Annotated[Path, typer.Argument(help="A build's manifest.jsonl.")]) -> None:
    """Score the held-out samples, set the 1% band on validation, write the report."""
    card, logit = lowlevel_scorer(MODEL)
    embedded = held_out_logits(read_manifest(manifest), root=manifest.parent, logit=logit)
    scores = calibrated(embedded.lowlevel_logits, temperature=card.calibration.temperature)
    val = large(embedded, "val")
    thresholds = band(scores[val], embedded, val, max_real_called_fake=0.01)
    report = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "manifest": str(manifest),
        "model": str(MODEL),
        "fake_above": thresholds.fake_above,
        "rows": figures(scores, embedded, fake_above=thresholds.fake_above),
    }
    _write(report)


def _write(report: dict[str, Any]) -> None:
    (RESULTS / "lowlevel-gan-views.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# The low-level view alone on GAN images, at its own 1% band",
        "",
        f"`{report['model']}` on the held-out samples of `{report['manifest']}`, measured "
        f"{report['measured']} by `benchmarks/lowlevel_gan_views.py`. `fake_above` = "
        f"{report['fake_above']:.6f}: the lowest calibrated score calling at most 1% of "
        "validation's real images `fake` under every condition. As made: the image as the build "
        "made it; all conditions: every held-out sample (JPEG, WebP, AVIF, halved, laundered, "
        "camera variants; the 256 px thumbnails take the small-image path and are left out). "
        "ROC-AUC: as made, against the split's real images as made.",
        "",
        "| split | kind | images | fake as made | samples | fake, all conditions | ROC-AUC |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in report["rows"]:
        auc = "—" if row["roc_auc_as_made"] is None else f"{row['roc_auc_as_made']:.3f}"
        lines.append(
            f"| {row['split']} | {row['kind']} | {row['images']} | {row['fake_as_made']} | "
            f"{row['samples']} | {row['fake_all_conditions']} | {auc} |"
        )
    (RESULTS / "lowlevel-gan-views.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    typer.run(main)
