"""Tiny image datasets written by the tests, and one tiny model trained once for the session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from training.cli import app

SIZE = 72
CROP = 32


def real_image(rng: np.random.Generator) -> np.ndarray:
    """Smooth random colour fields with fine sensor-like noise."""
    coarse = rng.uniform(40, 215, size=(SIZE // 8, SIZE // 8, 3))
    smooth = np.asarray(
        Image.fromarray(coarse.astype(np.uint8)).resize((SIZE, SIZE), Image.Resampling.BICUBIC)
    )
    return np.clip(smooth + rng.normal(0, 6, size=smooth.shape), 0, 255).astype(np.uint8)


def fake_image(rng: np.random.Generator) -> np.ndarray:
    """A real-like image rebuilt by 2x nearest-neighbour upsampling: a blocky decoder trace."""
    half = real_image(rng)[::2, ::2]
    return np.repeat(np.repeat(half, 2, axis=0), 2, axis=1)


def write_folder(root: Path, *, counts: dict[str, int], seed: int) -> Path:
    """root/<split>/<real|fake>/<n>.png with the given number of images per class and split."""
    rng = np.random.default_rng(seed)
    for split, count in counts.items():
        for label, make in (("real", real_image), ("fake", fake_image)):
            (root / split / label).mkdir(parents=True, exist_ok=True)
            for index in range(count):
                Image.fromarray(make(rng)).save(root / split / label / f"{index}.png")
    return root


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A train/val/test image-folder dataset of a few dozen small PNGs."""
    return write_folder(
        tmp_path_factory.mktemp("folder"), counts={"train": 12, "val": 6, "test": 6}, seed=1
    )


def train_args(
    *, data: list[Path], out: Path, workdir: Path, epochs: int = 2, steps: int = 4
) -> list[str]:
    """CLI arguments for a training run of a few steps on tiny crops."""
    sources = [arg for path in data for arg in ("--data", str(path))]
    return [
        "train",
        *sources,
        "--out",
        str(out),
        "--workdir",
        str(workdir),
        "--crop-size",
        str(CROP),
        "--max-crops",
        "4",
        "--epochs",
        str(epochs),
        "--steps-per-epoch",
        str(steps),
        "--batch-size",
        "8",
        "--no-progress",
    ]


@pytest.fixture(scope="session")
def trained_model(tiny_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained for a few steps by `deepcatcher train`, with its card beside it."""
    work = tmp_path_factory.mktemp("train")
    result = CliRunner().invoke(
        app, train_args(data=[tiny_folder], out=work / "tiny.keras", workdir=work)
    )
    assert result.exit_code == 0, result.output
    return work / "tiny.keras"
