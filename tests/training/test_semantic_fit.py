"""The semantic head, its calibration and the fusion, on synthetic features with known answers."""

from __future__ import annotations

import numpy as np

from training.data.build import DataRow
from training.semantic.embed import Embedded, Sample
from training.semantic.fit import (
    HeadChoice,
    cross_validated_auc,
    fit_fusion,
    fit_head,
    head_logits,
    out_of_fold_logits,
    ranked_heads,
    tower_rows,
)

CHOICE = HeadChoice(feature="class_token", views=("whole",), c=1.0)


def row(name: str, *, label: str, split: str = "train") -> DataRow:
    return DataRow(f"images/{name}.png", name, "0" * 64, label, "flux", "test", "ours", split)


def embedded(*, separation: float, seed: int = 0) -> Embedded:
    """40 images x 2 draws whose class token differs by `separation` in 50 of its dimensions."""
    rng = np.random.default_rng(seed)
    samples, features = [], []
    for index in range(40):
        label = "ai" if index % 2 else "real"
        for draw in range(2):
            vector = rng.normal(size=(2, 1280)).astype(np.float32)
            vector[:, 600:650] += separation * (label == "ai")
            features.append(vector)
            samples.append(Sample(row=row(f"image-{index}", label=label), condition=f"draw{draw}"))
    return Embedded(samples, np.stack(features), np.zeros(len(samples)))


def test_a_separable_direction_is_found_out_of_fold() -> None:
    data = embedded(separation=2.0)
    indices = np.arange(len(data.samples))

    assert cross_validated_auc(data, indices, choice=CHOICE) > 0.95


def test_noise_alone_scores_near_chance_out_of_fold() -> None:
    data = embedded(separation=0.0)
    indices = np.arange(len(data.samples))

    assert 0.3 < cross_validated_auc(data, indices, choice=CHOICE) < 0.7


def test_out_of_fold_logits_never_come_from_a_head_that_saw_the_image() -> None:
    data = embedded(separation=0.0, seed=1)
    indices = np.arange(len(data.samples))
    in_sample = head_logits(
        data, indices, head=fit_head(data, indices, choice=CHOICE), choice=CHOICE
    )

    held_out = out_of_fold_logits(data, indices, choice=CHOICE)

    # A head fitted on noise memorises it: in-sample it separates, out of fold it cannot.
    labels = data.labels
    assert in_sample[labels == 1].mean() - in_sample[labels == 0].mean() > 1.0
    assert abs(held_out[labels == 1].mean() - held_out[labels == 0].mean()) < 1.0


def test_fusion_drops_a_view_it_would_weigh_backwards() -> None:
    rng = np.random.default_rng(2)
    labels = np.repeat([0, 1], 100)
    useful = labels * 3.0 + rng.normal(size=200)
    backwards = -labels * 1.0 + rng.normal(size=200)

    fusion = fit_fusion({"semantic": useful, "lowlevel": backwards}, labels)

    assert set(fusion.weights) == {"semantic"}
    assert fusion.weights["semantic"] > 0
    assert (
        fusion.logits({"semantic": np.array([3.0])})[0]
        > fusion.logits({"semantic": np.array([0.0])})[0]
    )


def layered(*, separation: float, seed: int = 3) -> Embedded:
    """40 images x 2 draws over 4 views whose whole view's block-5 class token alone differs."""
    rng = np.random.default_rng(seed)
    plain = embedded(separation=0.0, seed=seed)
    features = np.concatenate([plain.features, plain.features], axis=1)
    layers = rng.normal(size=(len(plain.samples), 12, 768)).astype(np.float16)
    layers[plain.labels == 1, 4, :40] += separation
    return Embedded(plain.samples, features, plain.lowlevel_logits, layers)


def test_the_whole_view_carries_every_block_after_its_features_as_a_layered_tower_gives_them() -> (
    None
):
    data = layered(separation=1.0)
    indices = np.arange(4)

    whole = tower_rows(data, indices, view="whole")
    native = tower_rows(data, indices, view="native")

    assert whole.shape == (4, 1280 + 12 * 768)
    np.testing.assert_array_equal(whole[:, 1280 + 4 * 768], data.layers[:4, 4, 0])  # type: ignore[index]
    assert native.shape == (4, 1280)


def test_a_signal_only_in_earlier_blocks_is_found_and_read_from_the_whole_view_alone() -> None:
    data = layered(separation=3.0)

    ranked, search = ranked_heads(data, np.arange(len(data.samples)))

    choice = ranked[0]
    assert choice.feature == "layer_tokens" and choice.views == ("whole",)
    assert search["layer_tokens/whole/C=0.1"] > 0.95 > search["class_token/whole/C=0.1"]
    assert "late_layer_tokens/whole/C=0.1" in search
    assert not any("layer_tokens/whole+native" in name for name in search)


def test_without_layer_tokens_the_head_is_chosen_among_the_tower_outputs() -> None:
    _, search = ranked_heads(embedded(separation=2.0), np.arange(80))

    assert {name.split("/")[0] for name in search} == {"embedding", "class_token"}
