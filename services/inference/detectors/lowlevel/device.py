"""Which accelerator the model runs on, and the TensorFlow settings for it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keras

logger = logging.getLogger("deepcatcher.inference.model")


@dataclass(frozen=True, slots=True)
class Device:
    """Where the model runs: `GPU` or `CPU`, with the Keras backend in use."""

    kind: str
    name: str
    backend: str


def prepare_device(*, memory_growth: bool, intra_op_threads: int, inter_op_threads: int) -> Device:
    """Detect a GPU for the active Keras backend and configure it before any model is built."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _prepare_tensorflow(
            memory_growth=memory_growth,
            intra_op_threads=intra_op_threads,
            inter_op_threads=inter_op_threads,
        )
    if backend == "jax":
        import jax

        gpus = [d for d in jax.devices() if d.platform == "gpu"]
        return Device(kind="GPU" if gpus else "CPU", name=str(jax.devices()[0]), backend=backend)
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            return Device(kind="GPU", name=torch.cuda.get_device_name(0), backend=backend)
    return Device(kind="CPU", name="cpu", backend=backend)


def _prepare_tensorflow(
    *, memory_growth: bool, intra_op_threads: int, inter_op_threads: int
) -> Device:
    import tensorflow as tf

    try:
        if intra_op_threads:
            tf.config.threading.set_intra_op_parallelism_threads(intra_op_threads)
        if inter_op_threads:
            tf.config.threading.set_inter_op_parallelism_threads(inter_op_threads)
    except RuntimeError:  # already initialised by an earlier app in this process
        logger.info("TensorFlow threads already configured; keeping them")
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, memory_growth)
        except RuntimeError:  # GPUs already initialised by an earlier app in this process
            logger.info("GPU memory growth already configured; keeping it")
    if gpus:
        return Device(kind="GPU", name=gpus[0].name, backend="tensorflow")
    return Device(kind="CPU", name="cpu", backend="tensorflow")
