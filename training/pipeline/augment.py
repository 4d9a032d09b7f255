"""Augmentations published detectors found necessary: re-compression, blur, rescaling, flips.

All randomness is stateless and keyed by (seed, element index), so a run is reproducible
whatever the number of parallel workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from training.pipeline.images import reencoded

RESIZE_METHODS = ("bilinear", "bicubic", "area", "lanczos3")
# Phones and photo sites now re-encode with these; their filters leave traces JPEG does not.
WEB_CODECS = ("WEBP", "AVIF")


@dataclass(frozen=True, slots=True)
class AugmentConfig:
    """Each augmentation's odds and range; `region` is cut first, `crop` is what the model sees."""

    crop: int = 64
    region: int = 128
    resize_p: float = 0.2
    scale_range: tuple[float, float] = (0.7, 1.4)
    blur_p: float = 0.1
    sigma_range: tuple[float, float] = (0.3, 1.0)
    jpeg_p: float = 0.4
    quality_range: tuple[int, int] = (60, 100)
    web_codec_p: float = 0.2
    web_quality_range: tuple[int, int] = (50, 90)


def coin(seed: tf.Tensor, p: float) -> tf.Tensor:
    """True with probability p."""
    return tf.random.stateless_uniform([], seed=seed) < p


def uniform(seed: tf.Tensor, bounds: tuple[float, float]) -> tf.Tensor:
    """A float drawn uniformly between two bounds."""
    return tf.random.stateless_uniform([], seed=seed, minval=bounds[0], maxval=bounds[1])


def to_uint8(image: tf.Tensor) -> tf.Tensor:
    """Round and clip float pixels back to 8 bits, as saving an image would."""
    return tf.cast(tf.clip_by_value(tf.round(image), 0.0, 255.0), tf.uint8)


def rescale(image: tf.Tensor, *, seeds: tf.Tensor, config: AugmentConfig) -> tf.Tensor:
    """Down- or up-scale by a random factor with a random filter, never below the crop size."""
    scale = uniform(seeds[0], config.scale_range)
    side = tf.maximum(tf.cast(tf.round(config.region * scale), tf.int32), config.crop)
    method = tf.random.stateless_uniform(
        [], seed=seeds[1], maxval=len(RESIZE_METHODS), dtype=tf.int32
    )
    branches = [
        lambda m=m: tf.image.resize(image, [side, side], method=m, antialias=True)
        for m in RESIZE_METHODS
    ]
    return to_uint8(tf.switch_case(method, branches))


def gaussian_blur(image: tf.Tensor, *, sigma: tf.Tensor) -> tf.Tensor:
    """A 7-tap separable Gaussian blur with mirrored borders."""
    taps = tf.range(-3.0, 4.0)
    kernel = tf.exp(-(taps**2) / (2.0 * sigma**2))
    kernel /= tf.reduce_sum(kernel)
    batch = tf.pad(
        tf.cast(image, tf.float32)[None], [[0, 0], [3, 3], [3, 3], [0, 0]], mode="REFLECT"
    )
    rows = tf.tile(tf.reshape(kernel, [7, 1, 1, 1]), [1, 1, 3, 1])
    cols = tf.tile(tf.reshape(kernel, [1, 7, 1, 1]), [1, 1, 3, 1])
    blurred = tf.nn.depthwise_conv2d(batch, rows, strides=[1, 1, 1, 1], padding="VALID")
    blurred = tf.nn.depthwise_conv2d(blurred, cols, strides=[1, 1, 1, 1], padding="VALID")
    return to_uint8(blurred[0])


def _web_reencoded(pixels: np.ndarray, codec: np.int32, quality: np.int32) -> np.ndarray:
    return reencoded(pixels, format=WEB_CODECS[int(codec)], quality=int(quality))


def web_codec(image: tf.Tensor, *, seeds: tf.Tensor, config: AugmentConfig) -> tf.Tensor:
    """Re-encode as WebP or AVIF (through Pillow) at a random quality."""
    codec = tf.random.stateless_uniform([], seed=seeds[0], maxval=len(WEB_CODECS), dtype=tf.int32)
    low, high = config.web_quality_range
    quality = tf.random.stateless_uniform(
        [], seed=seeds[1], minval=low, maxval=high + 1, dtype=tf.int32
    )
    pixels = tf.numpy_function(_web_reencoded, [image, codec, quality], tf.uint8, stateful=False)
    return tf.ensure_shape(pixels, image.shape)


def augment(image: tf.Tensor, *, seed: tf.Tensor, config: AugmentConfig) -> tf.Tensor:
    """One float32 0-255 training crop from a uint8 image at least `config.region` a side."""
    seeds = tf.random.experimental.stateless_split(seed, num=14)
    image = tf.image.stateless_random_crop(image, [config.region, config.region, 3], seed=seeds[0])
    image = tf.cond(
        coin(seeds[1], config.resize_p),
        lambda: rescale(image, seeds=seeds[2:4], config=config),
        lambda: image,
    )
    sigma = uniform(seeds[4], config.sigma_range)
    image = tf.cond(
        coin(seeds[5], config.blur_p), lambda: gaussian_blur(image, sigma=sigma), lambda: image
    )
    low, high = config.quality_range
    image = tf.cond(
        coin(seeds[6], config.jpeg_p),
        lambda: tf.image.stateless_random_jpeg_quality(image, low, high, seed=seeds[7]),
        lambda: image,
    )
    image = tf.cond(
        coin(seeds[11], config.web_codec_p),
        lambda: web_codec(image, seeds=seeds[12:14], config=config),
        lambda: image,
    )
    image = tf.image.stateless_random_crop(image, [config.crop, config.crop, 3], seed=seeds[8])
    image = tf.image.stateless_random_flip_left_right(image, seed=seeds[9])
    return tf.cast(tf.image.stateless_random_flip_up_down(image, seed=seeds[10]), tf.float32)
