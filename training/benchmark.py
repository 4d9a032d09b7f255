"""Per-crop latency on one CPU thread: `python -m training.benchmark MODEL`.

Run it in a fresh process: TensorFlow's thread pools can only be sized before its first op.
`--record` also stores the figures in the model card (they describe the machine it ran on).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np


def one_thread() -> None:
    """Pin TensorFlow to one intra-op and one inter-op thread (before any op has run)."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def crop_latency(model_path: Path, *, repeats: int = 50) -> dict[str, Any]:
    """Median and 95th-percentile milliseconds to score one crop, and the model file's size."""
    import keras
    import tensorflow as tf

    from training.export.cards import read_card

    card = read_card(model_path)
    model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    size = card.input.crop_size
    pixels = np.random.default_rng(0).uniform(0, 255, (1, size, size, 3))
    crop_tensor = tf.constant(pixels, tf.float32)
    predict = tf.function(lambda x: model(x, training=False))
    predict(crop_tensor)  # trace and warm up
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        np.asarray(predict(crop_tensor))
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "crop_ms_median_1_thread": round(float(np.median(timings)), 2),
        "crop_ms_p95_1_thread": round(float(np.percentile(timings, 95)), 2),
        "model_file_mb": round(model_path.stat().st_size / 2**20, 2),
        "parameters": int(model.count_params()),
    }


def record(model_path: Path, figures: dict[str, Any]) -> None:
    """Store benchmark figures, with the machine they came from, in the model card."""
    import os
    import platform

    from training.export.cards import read_card, write_card

    card = read_card(model_path)
    machine = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count()}
    metrics = {**card.metrics, "latency": {**figures, **machine}}
    write_card(card.model_copy(update={"metrics": metrics}), model_path=model_path)


if __name__ == "__main__":
    one_thread()
    measured = crop_latency(Path(sys.argv[1]))
    print(json.dumps(measured, indent=2))
    if "--record" in sys.argv[2:]:
        record(Path(sys.argv[1]), measured)
