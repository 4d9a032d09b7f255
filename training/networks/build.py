"""Build or load a detector: backbone features, global pooling, one logit."""

from __future__ import annotations

from pathlib import Path

import keras
from keras import layers

from training.networks.pretrained import (
    APPLICATIONS,
    application_features,
    hed_vgg16_features,
    nsfwjs_features,
)
from training.networks.scratch import conv_bn_relu, scratch_features

BACKBONES = ("scratch", "hed-vgg16", "nsfwjs-mobilenetv2", *APPLICATIONS)


def features(inputs: keras.KerasTensor, *, backbone: str, imagenet: bool) -> keras.KerasTensor:
    """The chosen backbone's feature maps."""
    if backbone == "scratch":
        return scratch_features(inputs)
    if backbone == "hed-vgg16":
        return hed_vgg16_features(inputs)
    if backbone == "nsfwjs-mobilenetv2":
        x = nsfwjs_features(inputs)
        return conv_bn_relu(conv_bn_relu(x, filters=96, strides=2), filters=128)
    if backbone in APPLICATIONS:
        return application_features(inputs, name=backbone, weights="imagenet" if imagenet else None)
    raise ValueError(f"unknown backbone {backbone!r}; choose one of {', '.join(BACKBONES)}")


def build_detector(
    *, backbone: str, crop: int, imagenet: bool = True, dropout: float = 0.2
) -> keras.Model:
    """A detector for `crop`-pixel crops; its last layer stays float32 under mixed precision."""
    inputs = keras.Input((crop, crop, 3), name="pixels")
    x = layers.GlobalAveragePooling2D()(features(inputs, backbone=backbone, imagenet=imagenet))
    x = layers.Dropout(dropout)(x)
    logits = layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(inputs, logits, name=f"deepcatcher_{backbone.replace('-', '_')}")


def initial_model(*, backbone: str, crop: int, weights: Path | None, imagenet: bool) -> keras.Model:
    """A fresh detector, one to fine-tune from a .keras file, or one from a .weights.h5."""
    if weights is not None and weights.name.endswith(".keras"):
        return keras.models.load_model(weights)
    model = build_detector(backbone=backbone, crop=crop, imagenet=imagenet and weights is None)
    if weights is not None:
        model.load_weights(weights)
    return model
