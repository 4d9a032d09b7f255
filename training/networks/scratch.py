"""The from-scratch detector: fixed high-pass residuals, then a small all-convolutional network.

Generator traces are faint pixel-level periodic patterns under much stronger image content, so
the network sees fixed SRM-style noise residuals (as steganalysis and forensics networks do)
beside the pixels, its first layer runs at full resolution, and it never resizes its input.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

WIDTHS = (32, 48, 96, 128)


def conv_bn_relu(x: keras.KerasTensor, *, filters: int, strides: int = 1) -> keras.KerasTensor:
    """3x3 convolution, batch normalisation, ReLU."""
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
    return layers.ReLU()(layers.BatchNormalization()(x))


def srm_kernels() -> np.ndarray:
    """Three 5x5 high-pass kernels (2nd order, 3rd order "KB", 1st-order line) per channel."""
    second = np.zeros((5, 5))
    second[1:4, 1:4] = np.array([[-1, 2, -1], [2, -4, 2], [-1, 2, -1]]) / 4
    kb = np.array(
        [
            [-1, 2, -2, 2, -1],
            [2, -6, 8, -6, 2],
            [-2, 8, -12, 8, -2],
            [2, -6, 8, -6, 2],
            [-1, 2, -2, 2, -1],
        ]
    )
    line = np.zeros((5, 5))
    line[2, 1:4] = np.array([1, -2, 1]) / 2
    kernels = np.stack([second, kb / 12, line], axis=-1)  # (5, 5, 3 filters)
    return np.repeat(kernels[:, :, None, :], 3, axis=2)  # (5, 5, 3 channels, 3 filters)


def noise_residuals(inputs: keras.KerasTensor) -> keras.KerasTensor:
    """Fixed (untrainable) high-pass residuals of 0-255 pixels: 9 maps, in pixel units."""
    layer = layers.DepthwiseConv2D(
        5, depth_multiplier=3, padding="same", use_bias=False, trainable=False, name="srm"
    )
    residuals = layer(inputs)
    layer.set_weights([srm_kernels()])
    return residuals


def scratch_features(
    inputs: keras.KerasTensor, *, widths: tuple[int, ...] = WIDTHS
) -> keras.KerasTensor:
    """Feature maps of the from-scratch network for 0-255 pixels."""
    pixels = layers.Rescaling(1 / 127.5, offset=-1.0, name="rescale")(inputs)
    residuals = layers.Rescaling(1 / 8, name="residual_scale")(noise_residuals(inputs))
    x = layers.Concatenate()([pixels, residuals])
    x = conv_bn_relu(x, filters=widths[0])
    for width in widths:
        x = conv_bn_relu(x, filters=width, strides=2)
        x = conv_bn_relu(x, filters=width)
    return x
