"""The FP32 graph that also gives each encoder block's class token: cached, pinned, and leaving
the served outputs bit for bit as the plain FP32 graph computes them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from services.inference.detectors.semantic.backbone import (
    BackboneError,
    BackboneIdentity,
    ClipTower,
    open_tower,
)
from services.inference.detectors.semantic.features import features_within, head_input
from services.inference.detectors.semantic.layers import layers_graph, layers_graph_path
from services.inference.detectors.semantic.numerics import (
    DERIVED_SHA256,
    sha256_of,
    tower_graph_path,
)
from services.inference.detectors.semantic.rebuild import dequantised_weights, tower_model
from tests.support.clip import clip_views, cosine

IDENTITY = BackboneIdentity()
PINNED = DERIVED_SHA256[(IDENTITY.sha256, "fp32-layers")]


@pytest.fixture(scope="module")
def views() -> np.ndarray:
    return clip_views()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("layers-graphs")


@pytest.fixture(scope="module")
def plain(cache_dir: Path) -> ClipTower:
    return ClipTower.open(identity=IDENTITY, threads=2, numerics="fp32", cache_dir=cache_dir)


@pytest.fixture(scope="module")
def layered(cache_dir: Path) -> ClipTower:
    return ClipTower.open(
        identity=IDENTITY, threads=2, numerics="fp32", cache_dir=cache_dir, layers=True
    )


def test_deriving_the_layers_graph_writes_the_pinned_bytes_every_time(cache_dir: Path) -> None:
    fp32 = tower_graph_path(identity=IDENTITY, numerics="fp32", cache_dir=cache_dir)

    digests = {hashlib.sha256(layers_graph(fp32=fp32).SerializeToString()).hexdigest()}
    digests.add(hashlib.sha256(layers_graph(fp32=fp32).SerializeToString()).hexdigest())

    assert digests == {PINNED}


def test_the_served_outputs_are_bit_for_bit_those_of_the_plain_graph(
    views: np.ndarray, plain: ClipTower, layered: ClipTower
) -> None:
    expected = plain.session.run(None, {"pixel_values": views})  # type: ignore[attr-defined]
    embeds, tokens, _ = layered.session.run(None, {"pixel_values": views})  # type: ignore[attr-defined]

    np.testing.assert_array_equal(embeds, expected[0])
    np.testing.assert_array_equal(tokens, expected[1])
    features, layers = layered.features_and_layers(views)
    np.testing.assert_array_equal(features, plain.features(views))
    # The served features of a layered tower: the plain ones, then every block's class token.
    np.testing.assert_array_equal(layered.features(views)[:, :1280], features)
    np.testing.assert_array_equal(layered.features(views)[:, 1280:], layers.reshape(2, -1))


def test_the_last_block_class_token_is_the_token_state_output(
    views: np.ndarray, layered: ClipTower
) -> None:
    features, layers = layered.features_and_layers(views)

    assert layers.shape == (2, 12, 768)
    assert layers.dtype == np.float32
    # The token states are the last block's residual stream, before the final layernorm.
    np.testing.assert_array_equal(layers[:, 11, :], features[:, 512:])


@pytest.mark.parametrize("block", [0, 5])
def test_each_block_class_token_is_what_the_keras_rebuild_computes_there(
    views: np.ndarray, layered: ClipTower, block: int
) -> None:
    _, layers = layered.features_and_layers(views)
    model = tower_model(weights=dequantised_weights(identity=IDENTITY), block=block)

    _, rebuilt = model.predict_on_batch(np.ascontiguousarray(views.transpose(0, 2, 3, 1)))

    agreement = [np.min(cosine(layers[:, k, :], np.asarray(rebuilt))) for k in range(12)]
    assert agreement[block] > 0.9999
    # Neighbouring blocks agree with it at most 0.95: a token taken one block off would fail.
    assert max(agreement[:block] + agreement[block + 1 :]) < 0.99


def test_a_cached_layers_graph_whose_sha256_differs_is_derived_again(cache_dir: Path) -> None:
    path = layers_graph_path(identity=IDENTITY, cache_dir=cache_dir)
    path.write_bytes(b"not the derived graph")

    again = layers_graph_path(identity=IDENTITY, cache_dir=cache_dir)

    assert again == path
    assert sha256_of(path) == PINNED


def test_a_layers_graph_deriving_to_another_sha256_is_refused(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(DERIVED_SHA256, (IDENTITY.sha256, "fp32-layers"), "0" * 64)

    with pytest.raises(BackboneError, match=f"derived with sha256 {PINNED}"):
        layers_graph_path(identity=IDENTITY, cache_dir=cache_dir)


def test_the_layers_are_refused_where_the_graph_lacks_them(
    views: np.ndarray, plain: ClipTower, cache_dir: Path
) -> None:
    with pytest.raises(BackboneError, match="layers=True"):
        plain.features_and_layers(views)
    with pytest.raises(BackboneError, match="fp32 graph"):
        ClipTower.open(identity=IDENTITY, numerics="int8", cache_dir=cache_dir, layers=True)
    with pytest.raises(BackboneError, match="onnxruntime runner"):
        open_tower(identity=BackboneIdentity(runner="keras"), layers=True)


def test_a_head_on_every_block_refuses_a_tower_that_does_not_give_them(
    views: np.ndarray, plain: ClipTower, layered: ClipTower
) -> None:
    assert head_input(layered.features(views), feature="layer_tokens").shape == (2, 12 * 768)
    with pytest.raises(BackboneError, match="layer_tokens"):
        head_input(plain.features(views), feature="layer_tokens")


def test_a_head_on_the_later_blocks_reads_blocks_seven_to_twelve(
    views: np.ndarray, plain: ClipTower, layered: ClipTower
) -> None:
    _, tokens = layered.features_and_layers(views)

    late = head_input(layered.features(views), feature="late_layer_tokens")

    np.testing.assert_array_equal(late, tokens[:, 6:, :].reshape(len(views), -1))
    with pytest.raises(BackboneError, match="late_layer_tokens"):
        head_input(plain.features(views), feature="late_layer_tokens")


def test_only_the_features_a_row_holds_are_compared() -> None:
    assert set(features_within(width=1280)) == {"embedding", "class_token"}
    assert set(features_within(width=1280 + 12 * 768)) == {
        "embedding",
        "class_token",
        "layer_tokens",
        "late_layer_tokens",
    }
