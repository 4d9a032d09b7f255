"""The graphs derived from the pinned INT8 tower: FP32, exact integer products, cached by sha256."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime
import pytest

from services.inference.config import InferenceSettings
from services.inference.detectors.lowlevel.loading import ModelLoadError
from services.inference.detectors.semantic.backbone import (
    BackboneIdentity,
    ClipTower,
    backbone_path,
)
from services.inference.detectors.semantic.numerics import (
    DERIVED_SHA256,
    sha256_of,
    tower_graph_path,
)
from services.inference.runtime import open_fused
from tests.support.clip import clip_views, cosine, reference_features
from tests.support.fusion_cards import class_token_card

IDENTITY = BackboneIdentity()


@pytest.fixture(scope="module")
def views() -> np.ndarray:
    return clip_views()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("derived-graphs")


def test_the_fp32_graph_computes_the_float_reference(views: np.ndarray, cache_dir: Path) -> None:
    tower = ClipTower.open(identity=IDENTITY, threads=2, numerics="fp32", cache_dir=cache_dir)

    assert np.all(cosine(tower.features(views), reference_features(IDENTITY, views)) > 0.999)


def test_the_exact_graph_keeps_every_integer_product_exact(
    views: np.ndarray, cache_dir: Path
) -> None:
    exact = ClipTower.open(identity=IDENTITY, threads=2, numerics="int8-exact", cache_dir=cache_dir)
    # onnxruntime's own switch to u8 x u8 products, which never saturate on any x86 CPU.
    options = onnxruntime.SessionOptions()
    options.add_session_config_entry("session.x64quantprecision", "1")
    precise = ClipTower(session=onnxruntime.InferenceSession(backbone_path(IDENTITY), options))

    features = exact.features(views)
    np.testing.assert_allclose(features, precise.features(views), atol=1e-4)
    # The INT8 quantisation's own error, as on a CPU with VNNI: not the collapse without it.
    assert np.all(cosine(features, reference_features(IDENTITY, views)) > 0.9)


def test_a_cached_graph_whose_sha256_differs_is_derived_again(tmp_path: Path) -> None:
    path = tower_graph_path(identity=IDENTITY, numerics="int8-exact", cache_dir=tmp_path)
    path.write_bytes(b"not the derived graph")

    again = tower_graph_path(identity=IDENTITY, numerics="int8-exact", cache_dir=tmp_path)

    assert again == path
    assert sha256_of(path) == DERIVED_SHA256[(IDENTITY.sha256, "int8-exact")]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_the_int8_numerics_run_the_pinned_file(tmp_path: Path) -> None:
    assert tower_graph_path(identity=IDENTITY, numerics="int8", cache_dir=tmp_path) == (
        backbone_path(IDENTITY)
    )
    assert not any(tmp_path.iterdir())


def test_the_service_setting_opens_the_derived_graph(
    make_settings: Callable[..., InferenceSettings], tmp_path: Path
) -> None:
    card = class_token_card(tmp_path)
    settings = make_settings(
        semantic_numerics="int8-exact", cache_dir=tmp_path / "cache", fusion_card_path=card
    )

    fused = open_fused(settings)

    assert fused is not None
    (semantic,) = fused.views
    score = semantic.score(semantic.prepare(np.full((300, 400, 3), 128, np.uint8)))
    assert 0.0 <= score.score <= 1.0
    expected = [f"clip-{IDENTITY.sha256[:16]}-int8-exact.onnx"]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == expected


def test_a_head_on_block_tokens_is_refused_on_the_int8_graph(
    make_settings: Callable[..., InferenceSettings], tmp_path: Path
) -> None:
    # The bundled head reads blocks 7-12, which only the FP32 graph gives.
    settings = make_settings(semantic_numerics="int8-exact", cache_dir=tmp_path)

    with pytest.raises(ModelLoadError, match="fp32 graph, not int8-exact"):
        open_fused(settings)
