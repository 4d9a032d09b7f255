"""tf.data pipelines: decoded images, class-balanced augmented crops, fixed validation crops."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from training.pipeline.augment import AugmentConfig, augment
from training.pipeline.images import read_padded
from training.samples import Sample

AUTOTUNE = tf.data.AUTOTUNE
Pair = tuple[tf.Tensor, tf.Tensor]


def augmenter(*, seed: int, config: AugmentConfig) -> Callable[[tf.Tensor, Pair], Pair]:
    """A map from (index, (image, label)) to an augmented (crop, label) keyed by the index."""

    def crop(index: tf.Tensor, pair: Pair) -> Pair:
        key = tf.stack([tf.constant(seed, tf.int64), index])
        return augment(pair[0], seed=key, config=config), pair[1][None]

    return crop


def image_dataset(samples: list[Sample], *, size: int) -> tf.data.Dataset:
    """(uint8 image, label) pairs decoded in parallel, each padded to at least `size` a side."""
    paths = [str(sample.path) for sample in samples]
    labels = np.array([sample.label for sample in samples], dtype=np.float32)
    dataset = tf.data.Dataset.from_tensor_slices((paths, labels))

    def decode(path: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        pixels = tf.numpy_function(read_padded, [path, size], tf.uint8, stateful=False)
        return tf.ensure_shape(pixels, [None, None, 3]), label

    return dataset.map(decode, num_parallel_calls=AUTOTUNE)


def endless(samples: list[Sample], *, size: int, seed: int, cache: bool) -> tf.data.Dataset:
    """One class's images, decoded once (when cached), reshuffled every pass, forever."""
    dataset = image_dataset(samples, size=size)
    dataset = dataset.cache() if cache else dataset
    return dataset.shuffle(len(samples), seed=seed, reshuffle_each_iteration=True).repeat()


def training_dataset(
    samples: list[Sample], *, config: AugmentConfig, batch_size: int, seed: int, cache: bool = True
) -> tf.data.Dataset:
    """Endless batches of augmented crops, half real and half generated whatever the class sizes."""
    classes = [[s for s in samples if s.label == label] for label in (0, 1)]
    if not all(classes):
        raise ValueError("training needs at least one real and one generated image")
    streams = [
        endless(c, size=config.region, seed=seed + i, cache=cache) for i, c in enumerate(classes)
    ]
    balanced = tf.data.Dataset.sample_from_datasets(streams, weights=[0.5, 0.5], seed=seed)

    crops = balanced.enumerate().map(
        augmenter(seed=seed, config=config), num_parallel_calls=AUTOTUNE
    )
    return crops.batch(batch_size, drop_remainder=True).prefetch(AUTOTUNE)


def validation_crops(
    samples: list[Sample], *, config: AugmentConfig, per_image: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A fixed set of augmented crops (the same every epoch) for early stopping."""
    images = image_dataset(samples, size=config.region).flat_map(
        lambda image, label: tf.data.Dataset.from_tensors((image, label)).repeat(per_image)
    )

    crops = list(
        images.enumerate()
        .map(augmenter(seed=seed, config=config), num_parallel_calls=AUTOTUNE)
        .as_numpy_iterator()
    )
    return np.stack([c for c, _ in crops]), np.stack([y for _, y in crops])
