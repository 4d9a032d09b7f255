"""Small autoencoders whose decoders leave the upsampling traces real generators leave.

After Zhang, Karaman and Chang (2019), "Detecting and Simulating Artifacts in GAN Fake Images":
an image passed through a trained encoder-decoder carries its decoder's upsampling fingerprint.
Several upsampling kinds and depths keep the detector from learning one fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import keras
import tensorflow as tf
from keras import layers

Upsampling = Literal["transposed4", "transposed3", "nearest", "bilinear", "subpixel"]


@dataclass(frozen=True, slots=True)
class GeneratorSpec:
    """One simulated generator: its upsampling kind, how many times it halves, and its width."""

    name: str
    upsampling: Upsampling
    levels: int
    width: int
    seen_in_training: bool = True


GENERATORS: tuple[GeneratorSpec, ...] = (
    GeneratorSpec(name="tconv4-x4", upsampling="transposed4", levels=2, width=32),
    GeneratorSpec(name="tconv3-x8", upsampling="transposed3", levels=3, width=24),
    GeneratorSpec(name="nearest-x4", upsampling="nearest", levels=2, width=32),
    GeneratorSpec(name="nearest-x8", upsampling="nearest", levels=3, width=24),
    GeneratorSpec(name="bilinear-x4", upsampling="bilinear", levels=2, width=32),
    GeneratorSpec(name="bilinear-x8", upsampling="bilinear", levels=3, width=24),
    # Held out: only its test images exist, to show how the detector does on an unseen decoder.
    GeneratorSpec(
        name="subpixel-x4", upsampling="subpixel", levels=2, width=32, seen_in_training=False
    ),
)


class DepthToSpace(layers.Layer):  # type: ignore[misc]
    """Sub-pixel convolution's pixel shuffle (generators run on TensorFlow only; never saved)."""

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.nn.depth_to_space(inputs, 2)


def upsample(x: keras.KerasTensor, *, kind: Upsampling, width: int) -> keras.KerasTensor:
    """Double the resolution the way one decoder family does."""
    if kind == "transposed4":
        return layers.Conv2DTranspose(width, 4, strides=2, padding="same", activation="relu")(x)
    if kind == "transposed3":
        return layers.Conv2DTranspose(width, 3, strides=2, padding="same", activation="relu")(x)
    if kind == "subpixel":
        return DepthToSpace()(layers.Conv2D(width * 4, 3, padding="same", activation="relu")(x))
    x = layers.UpSampling2D(interpolation=kind)(x)
    return layers.Conv2D(width, 3, padding="same", activation="relu")(x)


def build_generator(spec: GeneratorSpec) -> keras.Model:
    """An encoder halving `levels` times, two residual blocks, a decoder of `spec`'s kind."""
    inputs = keras.Input((None, None, 3))
    x = layers.Rescaling(1 / 127.5, offset=-1.0)(inputs)
    x = layers.Conv2D(spec.width, 3, padding="same", activation="relu")(x)
    for _ in range(spec.levels):
        x = layers.Conv2D(spec.width * 2, 3, strides=2, padding="same", activation="relu")(x)
    for _ in range(2):
        x = layers.Add()(
            [x, layers.Conv2D(spec.width * 2, 3, padding="same", activation="relu")(x)]
        )
    for _ in range(spec.levels):
        x = upsample(x, kind=spec.upsampling, width=spec.width)
    x = layers.Conv2D(3, 3, padding="same")(x)
    outputs = layers.Rescaling(127.5, offset=127.5)(x)
    return keras.Model(inputs, outputs, name=f"generator_{spec.name.replace('-', '_')}")
