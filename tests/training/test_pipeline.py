"""The augmentations and the class-balanced tf.data pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from tests.training.conftest import write_folder
from training.pipeline.augment import (
    WEB_CODECS,
    AugmentConfig,
    augment,
    gaussian_blur,
    web_codec,
)
from training.pipeline.datasets import training_dataset
from training.pipeline.images import reencoded
from training.sources import load_samples

CONFIG = AugmentConfig(crop=32, region=64, resize_p=0.5, blur_p=0.5, jpeg_p=0.5, web_codec_p=0.5)


def noise(seed: int) -> tf.Tensor:
    return tf.constant(np.random.default_rng(seed).integers(0, 256, (80, 80, 3), dtype=np.uint8))


def test_augment_gives_a_float_crop_in_pixel_range() -> None:
    crop = augment(noise(0), seed=tf.constant([1, 2], tf.int64), config=CONFIG)

    assert crop.shape == (32, 32, 3) and crop.dtype == tf.float32
    assert float(tf.reduce_min(crop)) >= 0.0 and float(tf.reduce_max(crop)) <= 255.0


def test_augment_is_reproducible_by_seed() -> None:
    image = noise(1)
    crops = [
        augment(image, seed=tf.constant(seed, tf.int64), config=CONFIG).numpy()
        for seed in ([3, 4], [3, 4], [3, 5])
    ]

    assert np.array_equal(crops[0], crops[1])
    assert not np.array_equal(crops[0], crops[2])


def test_blur_removes_pixel_noise() -> None:
    image = noise(2)

    blurred = gaussian_blur(image, sigma=tf.constant(1.5))

    assert float(tf.math.reduce_std(tf.cast(blurred, tf.float32))) < 0.5 * float(
        tf.math.reduce_std(tf.cast(image, tf.float32))
    )


def test_web_codec_reencodes_with_webp_and_avif_at_a_quality_in_range_repeatably() -> None:
    image = noise(3)
    low, high = CONFIG.web_quality_range
    codec_of = {
        reencoded(image.numpy(), format=codec, quality=quality).tobytes(): codec
        for codec in WEB_CODECS
        for quality in range(low, high + 1)
    }
    seeds = [tf.constant([[s, 1], [s, 2]], tf.int64) for s in range(12)]

    outputs = [web_codec(image, seeds=pair, config=CONFIG).numpy() for pair in seeds]
    again = web_codec(image, seeds=seeds[0], config=CONFIG).numpy()

    assert {codec_of.get(out.tobytes()) for out in outputs} == set(WEB_CODECS)
    assert np.array_equal(outputs[0], again)


def test_batches_are_class_balanced_whatever_the_class_sizes(tmp_path: Path) -> None:
    write_folder(tmp_path, counts={"train": 6}, seed=0)
    for extra in sorted((tmp_path / "train" / "fake").iterdir())[1:]:
        extra.unlink()  # 6 real images, 1 generated
    samples = [s for s in load_samples(tmp_path, workdir=tmp_path)]

    batch = next(iter(training_dataset(samples, config=CONFIG, batch_size=256, seed=0)))

    assert batch[0].shape == (256, 32, 32, 3)
    assert 0.4 < float(tf.reduce_mean(batch[1])) < 0.6
