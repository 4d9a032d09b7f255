"""`deepcatcher semantic train`: from a built dataset to the fused detector's card."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from services.inference.detectors.calibration import Thresholds, calibrated
from services.inference.detectors.fusion import FusionCard, SmallImages
from services.inference.detectors.lowlevel.card import ModelCard
from services.inference.detectors.semantic.backbone import BackboneIdentity
from services.inference.detectors.semantic.card import LinearHead, SemanticCard
from training.calibration import verdicts
from training.data.build import DataRow
from training.evaluation.metrics import roc_auc
from training.semantic.accusations import false_accusations, per_kind
from training.semantic.embed import CAMERA, Embedded, Sample
from training.semantic.fit import (
    MAX_VARIANT_DROP,
    TEST_TIME_VIEWS,
    Fusion,
    HeadChoice,
    available,
    band,
    calibration,
    choice_name,
    family_indices,
    fit_fusion,
    fit_head,
    head_logits,
    ranked_heads,
    split_indices,
)
from training.semantic.layer_tokens import layer_heads

MAX_REAL_CALLED_FAKE = 0.01
# Images whose long side is under this many pixels take their own fusion and band: a thumbnail
# holds too few pixels for the low-level view, and little for the semantic one.
SMALL_BELOW = 320
LIMITATIONS = [
    "Its AI examples are still images of diffusion-era generators (ComfyUI template previews); "
    "its low-level view also learned the traces of a CycleGAN on real photos, but it saw no GAN "
    "face, so GAN faces and face swaps are mostly missed.",
    "It makes confident mistakes: some real photos (wide city views, street scenes, grids of "
    "faces) score as AI-generated. A verdict is evidence to weigh, never proof.",
    "Real photos of people, food, night, sunsets and scans are still few in its training data "
    "(camera and scanner variants of the photos it has stand in for more); such photos are "
    "more likely to be wrongly accused, and each kind's rate rests on a handful of photos.",
    "Its 1% false-accusation band rests on 91 real validation photos and their camera and "
    "scanner variants: variants of one photo are not independent, so the rate is known only "
    "to within a few percent. To keep it, AI images are left uncertain more often.",
    "Its low-level view is shown as evidence but carries no weight in the verdict: on this "
    "data it ranks real generators' images no better than chance.",
    "It judges the whole picture resized to 224 pixels: a small AI edit inside a real photo "
    "(inpainting, a replaced face) is often missed.",
]
LOGO_MIN_IMAGES = 10


@dataclass(frozen=True, slots=True)
class FittedPath:
    """The fusion and its band for one size of image."""

    fusion: Fusion
    band: Thresholds


@dataclass(frozen=True, slots=True)
class FittedViews:
    """What validation fixed: the scorer, and the fusion with its band for ordinary and for
    small images."""

    scorer: Scorer
    semantic_band: Thresholds
    large: FittedPath
    small: FittedPath


@dataclass(frozen=True, slots=True)
class Scorer:
    """The head, the views it scores and each view's temperature."""

    choice: HeadChoice
    head: LinearHead
    views: tuple[str, ...]
    temperatures: dict[str, float]

    def scaled_logits(self, embedded: Embedded, indices: np.ndarray) -> dict[str, np.ndarray]:
        """Each view's temperature-scaled logit for the samples."""
        semantic = head_logits(
            embedded, indices, head=self.head, choice=self.choice, views=self.views
        )
        return {
            "semantic": semantic / self.temperatures["semantic"],
            "lowlevel": embedded.lowlevel_logits[indices] / self.temperatures["lowlevel"],
        }


def is_small(embedded: Embedded, indices: np.ndarray) -> np.ndarray:
    """Which samples the service routes to the small-image path."""
    return np.array([embedded.samples[i].long_side < SMALL_BELOW for i in indices], dtype=bool)


def fit_views(embedded: Embedded, *, lowlevel_temperature: float) -> tuple[FittedViews, Any]:
    """Fit the best head on train (grouped cross-validation) whose catches hold through camera
    and scanner variants on validation; its test-time views, calibration, fusion and bands are
    fixed on validation, apart for small images."""
    ranked, search = ranked_heads(embedded, split_indices(embedded, "train"))
    drops: dict[str, float] = {}
    tried: list[tuple[float, FittedViews, dict[str, Any]]] = []
    for choice in ranked:
        fitted, view_search = fitted_views(
            embedded, choice=choice, lowlevel_temperature=lowlevel_temperature
        )
        drop = drops[choice_name(choice)] = round(variant_drop(embedded, fitted=fitted), 4)
        tried.append((drop, fitted, view_search))
        if drop <= MAX_VARIANT_DROP:
            break
    _, fitted, view_search = min(tried, key=lambda attempt: attempt[0])
    return fitted, {"head": search, "variant_drop": drops, "test_time_views": view_search}


def variant_drop(embedded: Embedded, *, fitted: FittedViews) -> float:
    """On validation, the share of AI images called fake as made less the share through camera
    and scanner variants (not laundered)."""
    val = split_indices(embedded, "val")
    called = judged(embedded, val, fitted=fitted).called
    conditions = [embedded.samples[i].condition for i in val]
    ai = embedded.labels[val] == 1
    made = ai & np.array([c == "original" for c in conditions])
    varied = ai & np.array([c.startswith(CAMERA) and "+" not in c for c in conditions])
    return float(np.mean(called[made] == "fake") - np.mean(called[varied] == "fake"))


def fitted_views(
    embedded: Embedded, *, choice: HeadChoice, lowlevel_temperature: float
) -> tuple[FittedViews, dict[str, dict[str, float]]]:
    """One head choice fitted on train; its test-time views, calibration, fusion and bands
    fixed on validation."""
    train, val = split_indices(embedded, "train"), split_indices(embedded, "val")
    head = fit_head(embedded, train, choice=choice)
    views, view_search = choose_test_time_views(embedded, val, head=head, choice=choice)
    logits = head_logits(embedded, val, head=head, choice=choice, views=views)
    semantic_t = calibration(logits, embedded.labels[val])
    temperatures = {"semantic": semantic_t.temperature, "lowlevel": lowlevel_temperature}
    scorer = Scorer(choice=choice, head=head, views=views, temperatures=temperatures)
    scaled = scorer.scaled_logits(embedded, val)
    small = is_small(embedded, val)
    fitted = FittedViews(
        scorer=scorer,
        semantic_band=_band(scaled["semantic"][~small], embedded, val[~small]),
        large=_fitted_path(scaled, embedded, val, mask=~small),
        small=_fitted_path(scaled, embedded, val, mask=small),
    )
    return fitted, view_search


def _fitted_path(
    scaled: dict[str, np.ndarray], embedded: Embedded, indices: np.ndarray, *, mask: np.ndarray
) -> FittedPath:
    part = {name: values[mask] for name, values in scaled.items()}
    fusion = fit_fusion(part, embedded.labels[indices][mask])
    return FittedPath(fusion=fusion, band=_band(fusion.logits(part), embedded, indices[mask]))


def choose_test_time_views(
    embedded: Embedded, indices: np.ndarray, *, head: LinearHead, choice: HeadChoice
) -> tuple[tuple[str, ...], dict[str, dict[str, float]]]:
    """The views whose mean logit catches most AI images on validation at the band that keeps
    real images called fake at MAX_REAL_CALLED_FAKE (fewer views on a tie)."""
    large = indices[~is_small(embedded, indices)]
    found: dict[str, dict[str, float]] = {}
    candidates = [v for v in TEST_TIME_VIEWS if available(v, feature=choice.feature)]
    for views in candidates:
        logits = head_logits(embedded, large, head=head, choice=choice, views=views)
        scores = calibrated(logits, temperature=1.0)
        thresholds = _band(logits, embedded, large)
        caught = float(np.mean(scores[embedded.labels[large] == 1] > thresholds.fake_above))
        auc = roc_auc(embedded.labels[large], logits) or 0.0
        found["+".join(views)] = {"roc_auc": round(auc, 4), "ai_called_fake": round(caught, 4)}
    best = max(candidates, key=lambda v: (found["+".join(v)]["ai_called_fake"], -len(v)))
    return best, found


def _band(logits: np.ndarray, embedded: Embedded, indices: np.ndarray) -> Thresholds:
    scores = calibrated(logits, temperature=1.0)
    return band(scores, embedded, indices, max_real_called_fake=MAX_REAL_CALLED_FAKE)


def view_scores(
    embedded: Embedded, indices: np.ndarray, *, fitted: FittedViews
) -> dict[str, np.ndarray]:
    """Calibrated scores of the semantic, low-level and fused detector for the samples, each
    sample fused on the path its size takes."""
    scaled = fitted.scorer.scaled_logits(embedded, indices)
    fused = np.where(
        is_small(embedded, indices),
        fitted.small.fusion.logits(scaled),
        fitted.large.fusion.logits(scaled),
    )
    return {
        "semantic": calibrated(scaled["semantic"], temperature=1.0),
        "lowlevel": calibrated(scaled["lowlevel"], temperature=1.0),
        "fused": calibrated(fused, temperature=1.0),
    }


@dataclass(frozen=True, slots=True)
class Judged:
    """Samples as the service would judge them: each view's score, and the fused verdict under
    the band of the path each sample's size takes."""

    scores: dict[str, np.ndarray]
    called: np.ndarray


def judged(embedded: Embedded, indices: np.ndarray, *, fitted: FittedViews) -> Judged:
    """Score the samples once and call each one by its path's band."""
    scores = view_scores(embedded, indices, fitted=fitted)
    called = np.where(
        is_small(embedded, indices),
        verdicts(scores["fused"], thresholds=fitted.small.band),
        verdicts(scores["fused"], thresholds=fitted.large.band),
    )
    return Judged(scores=scores, called=called)


def condition_rows(
    embedded: Embedded, indices: np.ndarray, *, found: Judged
) -> dict[str, dict[str, Any]]:
    """Per condition of the split: each view's ROC-AUC, and the fused verdicts' rates."""
    conditions = np.array([embedded.samples[i].condition for i in indices])
    labels = embedded.labels[indices]
    rows: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(conditions):
        mask = conditions == name
        rows[name] = verdict_rates(found.called[mask], labels[mask])
        for view, values in found.scores.items():
            rows[name][f"roc_auc_{view}"] = _rounded(roc_auc(labels[mask], values[mask]))
    return rows


def verdict_rates(called: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """How many of each class, and the share of each verdict, with the uncertain band per class."""
    ai, real = called[labels == 1], called[labels == 0]
    return {
        "ai": len(ai),
        "real": len(real),
        "ai_called_fake": _rate(int((ai == "fake").sum()), len(ai)),
        "real_called_fake": _rate(int((real == "fake").sum()), len(real)),
        "ai_called_real": _rate(int((ai == "real").sum()), len(ai)),
        "uncertain": _rate(int((called == "uncertain").sum()), len(called)),
        "real_uncertain": _rate(int((real == "uncertain").sum()), len(real)),
        "ai_uncertain": _rate(int((ai == "uncertain").sum()), len(ai)),
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
        head = fit_head(embedded, train, choice=fitted.scorer.choice)
        both = np.concatenate([held, real])
        logits = head_logits(embedded, both, head=head, choice=fitted.scorer.choice)
        rows[family] = {
            "images": images,
            "samples": len(held),
            "roc_auc": _rounded(roc_auc(embedded.labels[both], logits)),
        }
    return rows


def _training_without(family: str) -> Callable[[Sample], bool]:
    return lambda s: s.row.split == "train" and not (s.row.label == "ai" and s.row.family == family)


def per_group(
    embedded: Embedded, indices: np.ndarray, *, called: np.ndarray
) -> dict[str, dict[str, dict[str, int]]]:
    """Per AI family and per kind of real image: source images, how many were called fake under
    each condition (camera variants pooled), and under at least one (a real image accused once
    is accused)."""
    fake = called == "fake"
    groups: dict[str, dict[str, dict[str, int]]] = {"ai": {}, "real": {}}
    accused: dict[str, bool] = {}
    for position, index in enumerate(indices):
        row, condition = embedded.samples[index].row, embedded.samples[index].condition
        condition = "camera variants" if condition.startswith(CAMERA) else condition
        entry = groups[row.label].setdefault(row.family, {"images": 0})
        entry["images"] += condition == "original"
        entry[condition] = entry.get(condition, 0) + int(fake[position])
        accused[row.name] = accused.get(row.name, False) or bool(fake[position])
    for index in indices:
        row = embedded.samples[index].row
        entry = groups[row.label][row.family]
        entry["any_condition"] = entry.get("any_condition", 0) + int(accused.pop(row.name, False))
    return {label: dict(sorted(rows.items())) for label, rows in groups.items()}


def evaluate(
    embedded: Embedded,
    *,
    fitted: FittedViews,
    search: dict[str, Any],
    people: dict[str, bool] | None,
) -> dict[str, Any]:
    """Every figure the card records, on validation and on test."""
    val, test = split_indices(embedded, "val"), split_indices(embedded, "test")
    on_val, on_test = judged(embedded, val, fitted=fitted), judged(embedded, test, fitted=fitted)
    return {
        "search": search,
        "validation": condition_rows(embedded, val, found=on_val),
        "test": condition_rows(embedded, test, found=on_test),
        "test_groups": per_group(embedded, test, called=on_test.called),
        "false_accusations": {
            "validation": false_accusations(embedded, val, called=on_val.called),
            "test": false_accusations(embedded, test, called=on_test.called),
        },
        "real_kinds": {
            "validation": per_kind(embedded, val, called=on_val.called, people=people),
            "test": per_kind(embedded, test, called=on_test.called, people=people),
        },
        "leave_one_family_out": leave_one_family_out(embedded, fitted=fitted),
        "layer_tokens": layer_heads(
            embedded,
            train=split_indices(embedded, "train"),
            val=val[~is_small(embedded, val)],
            max_real_called_fake=MAX_REAL_CALLED_FAKE,
        ),
    }


def people_in_pictures(embedded: Embedded, indices: np.ndarray, *, root: Path) -> dict[str, bool]:
    """Per held-out real source photo: whether a face detector finds a person in it."""
    from training.evaluation.people import person_in_picture
    from training.pipeline.images import read_pixels

    rows = {embedded.samples[i].row.name: embedded.samples[i].row for i in indices}
    return {
        name: person_in_picture(read_pixels(root / row.file))
        for name, row in rows.items()
        if row.label == "real"
    }


def fusion_card(
    *,
    fitted: FittedViews,
    evaluation: dict[str, Any],
    training: dict[str, Any],
    lowlevel: ModelCard,
    backbone: BackboneIdentity,
) -> FusionCard:
    """The card the service loads: the semantic view's card inside the fusion's."""
    scorer = fitted.scorer
    semantic = SemanticCard(
        backbone=backbone,
        views=list(scorer.views),
        feature=scorer.choice.feature,
        head=scorer.head,
        calibration={"temperature": scorer.temperatures["semantic"]},
        thresholds=fitted.semantic_band,
        training={"regularisation_c": scorer.choice.c, "views": list(scorer.choice.views)},
    )
    small = fitted.small
    return FusionCard(
        created=datetime.now(UTC).replace(microsecond=0),
        semantic=semantic,
        weights=fitted.large.fusion.weights,
        temperatures=scorer.temperatures,
        bias=fitted.large.fusion.bias,
        thresholds=fitted.large.band,
        small_images=SmallImages(
            long_side_below=SMALL_BELOW,
            weights=small.fusion.weights,
            bias=small.fusion.bias,
            thresholds=small.band,
        ),
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
    from training.semantic.report import markdown

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(card), encoding="utf-8")


def lowlevel_scorer(model_path: Path) -> tuple[ModelCard, Any]:
    """The bundled low-level model and a function giving its mean crop logit for pixels."""
    import keras

    from services.inference.detectors.lowlevel.loading import read_card
    from training.scoring import image_logits

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
    from training.data.build import read_manifest
    from training.semantic.cache import embedded_with_cache
    from training.semantic.embed import embed

    rows = read_manifest(manifest)
    lowlevel_card, lowlevel = lowlevel_scorer(lowlevel_model)
    key = f"{lowlevel_card.sha256}/{backbone.sha256}/{backbone.numerics}/{draws}/{seed}"
    # FP32 towers also give every block's class token, so RINE's features are measured.
    layered = backbone.runner == "onnxruntime" and backbone.numerics == "fp32"
    # Opened on the first chunk to embed: a run whose cache holds every row never loads it.
    tower = functools.cache(lambda: open_tower(identity=backbone, layers=layered))

    def embed_rows(chunk: list[DataRow]) -> Embedded:
        return embed(
            chunk, root=manifest.parent, tower=tower(), lowlevel=lowlevel, draws=draws, seed=seed
        )

    embedded = embedded_with_cache(rows, cache=cache, key=key, embed_rows=embed_rows)
    fitted, search = fit_views(embedded, lowlevel_temperature=lowlevel_card.calibration.temperature)
    held_out = embedded.where(lambda sample: sample.row.split != "train")
    people = people_in_pictures(embedded, held_out, root=manifest.parent)
    evaluation = evaluate(embedded, fitted=fitted, search=search, people=people)
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
