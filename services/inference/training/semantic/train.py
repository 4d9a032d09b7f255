"""`deepcatcher semantic train`: from a built dataset to the fused detector's card."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from services.inference.detectors.lowlevel.card import ModelCard, Thresholds
from services.inference.detectors.lowlevel.runner import calibrated
from services.inference.detectors.semantic.backbone import BackboneIdentity
from services.inference.detectors.semantic.card import LinearHead, SemanticCard
from services.inference.predictions.fusion import FusionCard
from services.inference.training.data.build import DataRow
from services.inference.training.evaluation.metrics import confusion, roc_auc
from services.inference.training.semantic.embed import Embedded, Sample
from services.inference.training.semantic.fit import (
    Fusion,
    HeadChoice,
    band,
    calibration,
    choose_head,
    family_indices,
    fit_fusion,
    fit_head,
    head_logits,
    out_of_fold_logits,
    split_indices,
)

MAX_REAL_CALLED_FAKE = 0.02
LIMITATIONS = [
    "Its AI examples are still images of diffusion-era generators (ComfyUI template previews); "
    "its low-level view also learned the traces of a CycleGAN on real photos, but it saw no GAN "
    "face, so GAN faces and face swaps are mostly missed.",
    "It makes confident mistakes: some real photos (wide city views, street scenes, grids of "
    "faces) score as AI-generated. A verdict is evidence to weigh, never proof.",
    "Real photos of people, food and interiors are few in its training data; such photos are "
    "more likely to be wrongly accused.",
    "Its validation split is small (a few dozen images of each class), so the fusion and the "
    "thresholds rest on few images; the held-out figures have wide margins of error.",
    "It judges the whole picture resized to 224 pixels: a small AI edit inside a real photo "
    "(inpainting, a replaced face) is often missed.",
]
LOGO_MIN_IMAGES = 10


@dataclass(frozen=True, slots=True)
class FittedViews:
    """What validation fixed: the head, both views' temperatures, the fusion and its band."""

    choice: HeadChoice
    head: LinearHead
    temperatures: dict[str, float]
    fusion: Fusion
    semantic_band: Thresholds
    fused_band: Thresholds


def scaled_logits(
    embedded: Embedded,
    indices: np.ndarray,
    *,
    head: LinearHead,
    choice: HeadChoice,
    temperatures: dict[str, float],
) -> dict[str, np.ndarray]:
    """Each view's temperature-scaled logit for the samples."""
    return {
        "semantic": head_logits(embedded, indices, head=head, choice=choice)
        / temperatures["semantic"],
        "lowlevel": embedded.lowlevel_logits[indices] / temperatures["lowlevel"],
    }


def fit_views(embedded: Embedded, *, lowlevel_temperature: float) -> tuple[FittedViews, Any]:
    """Choose and fit the head on train; calibrate and fuse on validation; set the bands on
    validation under every condition together with the training split's out-of-fold scores
    (validation alone is too small to bound a 2% rate)."""
    train, val = split_indices(embedded, "train"), split_indices(embedded, "val")
    choice, search = choose_head(embedded, train)
    head = fit_head(embedded, train, choice=choice)
    labels = embedded.labels[val]
    semantic_t = calibration(head_logits(embedded, val, head=head, choice=choice), labels)
    temperatures = {"semantic": semantic_t.temperature, "lowlevel": lowlevel_temperature}
    scaled = scaled_logits(embedded, val, head=head, choice=choice, temperatures=temperatures)
    fusion = fit_fusion(scaled, labels)
    evidence = np.concatenate([val, train])
    held_out = {
        "semantic": np.concatenate(
            [
                scaled["semantic"],
                out_of_fold_logits(embedded, train, choice=choice) / semantic_t.temperature,
            ]
        ),
        "lowlevel": embedded.lowlevel_logits[evidence] / lowlevel_temperature,
    }
    fitted = FittedViews(
        choice=choice,
        head=head,
        temperatures=temperatures,
        fusion=fusion,
        semantic_band=_band(held_out["semantic"], embedded, evidence),
        fused_band=_band(fusion.logits(held_out), embedded, evidence),
    )
    return fitted, search


def _band(logits: np.ndarray, embedded: Embedded, indices: np.ndarray) -> Thresholds:
    scores = calibrated(logits, temperature=1.0)
    return band(scores, embedded, indices, max_real_called_fake=MAX_REAL_CALLED_FAKE)


def view_scores(
    embedded: Embedded, indices: np.ndarray, *, fitted: FittedViews
) -> dict[str, np.ndarray]:
    """Calibrated scores of the semantic, low-level and fused detector for the samples."""
    scaled = scaled_logits(
        embedded,
        indices,
        head=fitted.head,
        choice=fitted.choice,
        temperatures=fitted.temperatures,
    )
    return {
        "semantic": calibrated(scaled["semantic"], temperature=1.0),
        "lowlevel": calibrated(scaled["lowlevel"], temperature=1.0),
        "fused": calibrated(fitted.fusion.logits(scaled), temperature=1.0),
    }


def condition_rows(
    embedded: Embedded, indices: np.ndarray, *, fitted: FittedViews
) -> dict[str, dict[str, Any]]:
    """Per condition of the split: each view's ROC-AUC, and the fused verdicts' rates."""
    conditions = np.array([embedded.samples[i].condition for i in indices])
    scores = view_scores(embedded, indices, fitted=fitted)
    labels = embedded.labels[indices]
    rows: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(conditions):
        mask = conditions == name
        rows[name] = _verdict_rates(scores["fused"][mask], labels[mask], band=fitted.fused_band)
        for view, values in scores.items():
            rows[name][f"roc_auc_{view}"] = _rounded(roc_auc(labels[mask], values[mask]))
    return rows


def _verdict_rates(scores: np.ndarray, labels: np.ndarray, *, band: Thresholds) -> dict[str, Any]:
    matrix = confusion(labels, scores, thresholds=band)
    ai, real = matrix["fake"], matrix["real"]
    n_ai, n_real = sum(ai.values()), sum(real.values())
    return {
        "ai": n_ai,
        "real": n_real,
        "ai_called_fake": _rate(ai["fake"], n_ai),
        "real_called_fake": _rate(real["fake"], n_real),
        "ai_called_real": _rate(ai["real"], n_ai),
        "uncertain": _rate(ai["uncertain"] + real["uncertain"], n_ai + n_real),
    }


def _rate(count: int, total: int) -> float:
    return round(count / total, 4) if total else float("nan")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def leave_one_family_out(embedded: Embedded, *, fitted: FittedViews) -> dict[str, dict[str, Any]]:
    """Per family with enough images: a head trained without it, scored on all of its images
    against the held-out real images (validation and test, every condition)."""
    families = sorted({s.row.family for s in embedded.samples if s.row.label == "ai"})
    rows: dict[str, dict[str, Any]] = {}
    real = embedded.where(lambda s: s.row.label == "real" and s.row.split != "train")
    for family in families:
        held = family_indices(embedded, family=family, keep=lambda split: True)
        images = len({embedded.samples[i].row.name for i in held})
        if images < LOGO_MIN_IMAGES:
            continue
        train = embedded.where(_training_without(family))
        head = fit_head(embedded, train, choice=fitted.choice)
        both = np.concatenate([held, real])
        logits = head_logits(embedded, both, head=head, choice=fitted.choice)
        rows[family] = {
            "images": images,
            "samples": len(held),
            "roc_auc": _rounded(roc_auc(embedded.labels[both], logits)),
        }
    return rows


def _training_without(family: str) -> Callable[[Sample], bool]:
    return lambda s: s.row.split == "train" and not (s.row.label == "ai" and s.row.family == family)


def per_group(
    embedded: Embedded, indices: np.ndarray, *, fitted: FittedViews
) -> dict[str, dict[str, dict[str, int]]]:
    """Per AI family and per kind of real image: images, and how many were called fake under
    each condition and under at least one (a real image accused once is accused)."""
    fake = view_scores(embedded, indices, fitted=fitted)["fused"] > fitted.fused_band.fake_above
    groups: dict[str, dict[str, dict[str, int]]] = {"ai": {}, "real": {}}
    accused: dict[str, bool] = {}
    for position, index in enumerate(indices):
        row, condition = embedded.samples[index].row, embedded.samples[index].condition
        entry = groups[row.label].setdefault(row.family, {"images": 0})
        entry["images"] += condition == "original"
        entry[condition] = entry.get(condition, 0) + int(fake[position])
        accused[row.name] = accused.get(row.name, False) or bool(fake[position])
    for index in indices:
        row = embedded.samples[index].row
        entry = groups[row.label][row.family]
        entry["any_condition"] = entry.get("any_condition", 0) + int(accused.pop(row.name, False))
    return {label: dict(sorted(rows.items())) for label, rows in groups.items()}


def fusion_card(
    *,
    fitted: FittedViews,
    evaluation: dict[str, Any],
    training: dict[str, Any],
    lowlevel: ModelCard,
    backbone: BackboneIdentity,
) -> FusionCard:
    """The card the service loads: the semantic view's card inside the fusion's."""
    semantic = SemanticCard(
        backbone=backbone,
        views=list(fitted.choice.views),
        feature=fitted.choice.feature,
        head=fitted.head,
        calibration={"temperature": fitted.temperatures["semantic"]},
        thresholds=fitted.semantic_band,
        training={"regularisation_c": fitted.choice.c},
    )
    return FusionCard(
        created=datetime.now(UTC).replace(microsecond=0),
        semantic=semantic,
        weights=fitted.fusion.weights,
        temperatures=fitted.temperatures,
        bias=fitted.fusion.bias,
        thresholds=fitted.fused_band,
        metrics=evaluation,
        training={**training, "lowlevel_model": {"name": lowlevel.name, "sha256": lowlevel.sha256}},
        limitations=LIMITATIONS,
    )


def dataset_summary(rows: list[DataRow]) -> dict[str, Any]:
    """How many images of each label, family and source went into each split."""
    summary: dict[str, Any] = {"images": len(rows), "by_split": {}, "by_family": {}, "sources": {}}
    for row in rows:
        for key, value in (
            ("by_split", f"{row.label}/{row.split}"),
            ("by_family", f"{row.label}/{row.family}"),
            ("sources", row.source),
        ):
            summary[key][value] = summary[key].get(value, 0) + 1
    return summary


def write_card(card: FusionCard, *, out: Path) -> None:
    """Write the card as indented JSON, and as Markdown beside it."""
    from services.inference.training.semantic.report import markdown

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(card), encoding="utf-8")


def lowlevel_scorer(model_path: Path) -> tuple[ModelCard, Any]:
    """The bundled low-level model and a function giving its mean crop logit for pixels."""
    import keras

    from services.inference.detectors.lowlevel.loading import read_card
    from services.inference.training.scoring import image_logits

    card = read_card(model_path=model_path)
    model = keras.saving.load_model(model_path, compile=False)
    spec = card.input

    def logit(pixels: np.ndarray) -> float:
        return float(
            image_logits(model, images=[pixels], crop=spec.crop_size, max_crops=spec.max_crops)[0]
        )

    return card, logit


def train_semantic(
    *,
    manifest: Path,
    out: Path,
    lowlevel_model: Path,
    draws: int,
    seed: int,
    cache: Path | None,
    backbone: BackboneIdentity,
) -> FusionCard:
    """Embed, fit, calibrate, fuse and evaluate; write the fused detector's card to `out`, with
    the self-check's figures for it measured last."""
    from services.inference.detectors.semantic.backbone import open_tower
    from services.inference.selfcheck.local import record_self_check
    from services.inference.training.data.build import read_manifest
    from services.inference.training.semantic.embed import embed

    rows = read_manifest(manifest)
    lowlevel_card, lowlevel = lowlevel_scorer(lowlevel_model)
    if cache is not None and cache.exists():
        embedded = _read_cache(cache, rows=rows)
    else:
        tower = open_tower(identity=backbone)
        embedded = embed(
            rows, root=manifest.parent, tower=tower, lowlevel=lowlevel, draws=draws, seed=seed
        )
        if cache is not None:
            _write_cache(cache, embedded)
    fitted, search = fit_views(embedded, lowlevel_temperature=lowlevel_card.calibration.temperature)
    test = split_indices(embedded, "test")
    evaluation = {
        "head_search_cv_roc_auc": search,
        "validation": condition_rows(embedded, split_indices(embedded, "val"), fitted=fitted),
        "test": condition_rows(embedded, test, fitted=fitted),
        "test_groups": per_group(embedded, test, fitted=fitted),
        "leave_one_family_out": leave_one_family_out(embedded, fitted=fitted),
    }
    training = {"dataset": dataset_summary(rows), "draws_per_training_image": draws, "seed": seed}
    card = fusion_card(
        fitted=fitted,
        evaluation=evaluation,
        training=training,
        lowlevel=lowlevel_card,
        backbone=backbone,
    )
    write_card(card, out=out)
    return record_self_check(card_path=out, model_path=lowlevel_model)


def _write_cache(path: Path, embedded: Embedded) -> None:
    names = [s.row.name for s in embedded.samples]
    conditions = [s.condition for s in embedded.samples]
    np.savez(
        path,
        features=embedded.features,
        lowlevel=embedded.lowlevel_logits,
        names=names,
        conditions=conditions,
    )


def _read_cache(path: Path, *, rows: list[DataRow]) -> Embedded:
    stored = np.load(path)
    by_name = {row.name: row for row in rows}
    samples = [
        Sample(row=by_name[str(n)], condition=str(c))
        for n, c in zip(stored["names"], stored["conditions"], strict=True)
    ]
    return Embedded(samples, stored["features"], stored["lowlevel"])
