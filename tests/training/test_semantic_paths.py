"""Fitting the fused detector: test-time views, the small-image path and the 1% band, on
synthetic features whose answers are known."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from services.inference.detectors.calibration import Thresholds
from services.inference.detectors.fusion import FusionCard, SmallImages
from training.data.build import DataRow
from training.semantic.embed import VIEWS, Embedded, Sample
from training.semantic.fit import MAX_VARIANT_DROP, choice_name, split_indices
from training.semantic.train import (
    SMALL_BELOW,
    evaluate,
    fit_views,
    is_small,
    judged,
)

HELD_OUT = ("original", "laundered", "small", "camera/film_scan", "camera/film_scan+laundered")
SPLITS = {"train": 80, "val": 160, "test": 60}


def _row(name: str, *, label: str, split: str, index: int) -> DataRow:
    family = ("flux", "sdxl")[index % 4 // 2] if label == "ai" else "photo-night"
    return DataRow(f"images/{name}.png", name, "0" * 64, label, family, "t", "ours", split)


def _features(
    rng: np.random.Generator,
    *,
    ai: bool,
    small: bool,
    corner_clue: bool,
    token: bool = True,
    embedding: bool = False,
) -> np.ndarray:
    """Four identical views whose class token carries the label (faintly when small; not at all
    without `token`); with `corner_clue`, the native corners carry it twice as strongly as the
    others; with `embedding`, the projected embedding carries a fainter label."""
    views = np.tile(rng.normal(size=1280).astype(np.float32), (len(VIEWS), 1))
    strength = 0.25 if small else 0.6
    views[:, 512:560] += strength * ai * token
    views[:, 0:48] += 0.3 * ai * embedding
    if corner_clue:
        views[2:, 512:560] += strength * ai
    return views


def synthetic(*, seed: int = 0, corner_clue: bool = False, fragile: bool = False) -> Embedded:
    """Images of both classes in every split; the low-level logit separates large images only
    (none with `fragile`, whose class token loses the label through camera variants)."""
    rng = np.random.default_rng(seed)
    samples, features, lowlevel = [], [], []
    for split, count in SPLITS.items():
        for index in range(count):
            label = "ai" if index % 2 else "real"
            row = _row(f"{split}-{index}", label=label, split=split, index=index)
            conditions = ("draw0", "draw1") if split == "train" else HELD_OUT
            for condition in conditions:
                small = condition == "small"
                # Fragile: the class token loses the label through a camera variant.
                token = not (fragile and condition.startswith("camera/"))
                ai = label == "ai"
                features.append(
                    _features(
                        rng,
                        ai=ai,
                        small=small,
                        corner_clue=corner_clue,
                        token=token,
                        embedding=fragile,
                    )
                )
                signal = 0.0 if small or fragile else 2.0 * (label == "ai")
                lowlevel.append(signal + rng.normal())
                side = 256 if small else 1024
                samples.append(Sample(row=row, condition=condition, long_side=side))
    return Embedded(samples, np.stack(features), np.array(lowlevel))


def test_small_images_get_their_own_fusion_which_leans_less_on_the_low_level_view() -> None:
    fitted, _ = fit_views(synthetic(), lowlevel_temperature=1.0)

    large, small = fitted.large.fusion.weights, fitted.small.fusion.weights
    # The low-level logit carries nothing for small images here, and much for large ones.
    assert large["lowlevel"] > 0.5
    assert small.get("lowlevel", 0.0) < 0.3 * large["lowlevel"]


def test_every_validation_condition_accuses_at_most_one_real_image_in_a_hundred() -> None:
    data = synthetic(seed=1)
    fitted, _ = fit_views(data, lowlevel_temperature=1.0)
    val = split_indices(data, "val")

    called = judged(data, val, fitted=fitted).called

    conditions = np.array([data.samples[i].condition for i in val])
    real = data.labels[val] == 0
    for condition in HELD_OUT:
        mask = real & (conditions == condition)
        assert mask.sum() >= 80
        assert (called[mask] == "fake").mean() <= 0.01


def test_test_time_views_are_chosen_where_they_catch_more() -> None:
    plain, _ = fit_views(synthetic(seed=2), lowlevel_temperature=1.0)
    clued, search = fit_views(synthetic(seed=2, corner_clue=True), lowlevel_temperature=1.0)

    assert plain.scorer.views == ("whole",)
    assert "native_top_left" in clued.scorer.views
    assert set(search["test_time_views"]) == {
        "whole",
        "whole+native",
        "whole+native_top_left+native_bottom_right",
        "native+native_top_left+native_bottom_right",
    }


def test_a_head_whose_catches_vanish_through_camera_variants_is_passed_over() -> None:
    fitted, search = fit_views(synthetic(seed=5, fragile=True), lowlevel_temperature=1.0)

    drops = search["variant_drop"]
    head = search["head"]
    assert max(head, key=lambda name: head[name]).startswith("class_token")
    assert all(drop > MAX_VARIANT_DROP for name, drop in drops.items() if "class_token" in name)
    assert fitted.scorer.choice.feature == "embedding"
    assert drops[choice_name(fitted.scorer.choice)] <= MAX_VARIANT_DROP


def test_samples_are_routed_by_their_long_side() -> None:
    data = synthetic(seed=3)
    indices = np.arange(len(data.samples))

    routed = is_small(data, indices)

    sides = np.array([s.long_side for s in data.samples])
    assert np.array_equal(routed, sides < SMALL_BELOW)
    assert routed.any() and not routed.all()


def test_the_evaluation_reports_intervals_kinds_and_people() -> None:
    data = synthetic(seed=4)
    fitted, search = fit_views(data, lowlevel_temperature=1.0)
    people = {f"test-{index}": index % 4 == 0 for index in range(0, SPLITS["test"], 2)}

    found = evaluate(data, fitted=fitted, search=search, people=people)

    as_made = found["false_accusations"]["validation"]["as_made"]
    # Each validation source is one image as made and one camera variant.
    assert as_made["images"] == SPLITS["val"]
    assert as_made["sources"] == SPLITS["val"] // 2
    low, high = as_made["interval_exact"]
    assert low <= as_made["rate"] <= high
    kinds = found["real_kinds"]["test"]
    assert kinds["with people"]["sources"] + kinds["without people"]["sources"] == 30
    assert kinds["photo-night"]["images"] == SPLITS["test"]


def test_a_card_routes_small_images_to_their_own_band() -> None:
    card = FusionCard.read(Path("models/deepcatcher-fusion.json"))
    band = Thresholds(real_below=0.1, fake_above=0.99, target="small images")
    small = SmallImages(
        long_side_below=SMALL_BELOW, weights=card.weights, bias=0.0, thresholds=band
    )
    card = card.model_copy(update={"small_images": small})

    assert card.path(long_side=SMALL_BELOW - 1).small
    assert card.path(long_side=SMALL_BELOW - 1).thresholds == band
    assert not card.path(long_side=SMALL_BELOW).small
    assert card.path(long_side=SMALL_BELOW).thresholds == card.thresholds
