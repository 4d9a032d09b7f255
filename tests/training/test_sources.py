"""Reading labelled images from folders, manifests and the API's feedback export."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.training.conftest import real_image, write_folder
from training.samples import DatasetError, with_splits, with_validation
from training.sources import load_samples


def png_bytes(seed: int) -> bytes:
    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(real_image(np.random.default_rng(seed))).save(buffer, format="PNG")
    return buffer.getvalue()


def feedback_tar(path: Path, *, labels: list[str]) -> Path:
    """A feedback export as the API writes it: manifest.jsonl plus images/<sha256>.png."""
    lines = []
    with tarfile.open(path, "w") as tar:
        for index, label in enumerate(labels):
            data = png_bytes(index)
            sha = hashlib.sha256(data).hexdigest()
            add(tar, f"images/{sha}.png", data)
            lines.append(
                {"file": f"images/{sha}.png", "label": label, "sha256": sha, "report_id": index}
            )
        add(tar, "manifest.jsonl", "".join(json.dumps(line) + "\n" for line in lines).encode())
    return path


def add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def test_folder_layout_gives_labels_and_splits(tmp_path: Path) -> None:
    write_folder(tmp_path, counts={"train": 2, "test": 1}, seed=0)
    (tmp_path / "train" / "fake").rename(tmp_path / "train" / "FAKE")  # CIFAKE spells it this way

    samples = load_samples(tmp_path, workdir=tmp_path / "work")

    assert sorted((s.split, s.label) for s in samples) == [
        ("test", 0),
        ("test", 1),
        ("train", 0),
        ("train", 0),
        ("train", 1),
        ("train", 1),
    ]


def test_jsonl_manifest_paths_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(png_bytes(0))
    rows = [{"file": "a.png", "label": "ai", "group": "photo-1", "split": "validation"}]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    [sample] = load_samples(tmp_path / "m.jsonl", workdir=tmp_path)

    assert (sample.path, sample.label, sample.group, sample.split) == (
        tmp_path / "a.png",
        1,
        "photo-1",
        "val",
    )


def test_corpus_csv_format_keeps_its_columns(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "file,label,generator,has_generation_metadata\nai/x.png,ai,SDXL,yes\nreal/y.jpg,real,,no\n"
    )

    samples = load_samples(tmp_path / "m.csv", workdir=tmp_path)

    assert [(s.label, s.extra["has_generation_metadata"]) for s in samples] == [
        (1, "yes"),
        (0, "no"),
    ]


def test_unknown_labels_are_refused(tmp_path: Path) -> None:
    (tmp_path / "m.jsonl").write_text(json.dumps({"file": "x.png", "label": "maybe"}) + "\n")

    with pytest.raises(DatasetError, match="unknown label"):
        load_samples(tmp_path / "m.jsonl", workdir=tmp_path)


def test_feedback_export_is_unpacked_and_read(tmp_path: Path) -> None:
    archive = feedback_tar(tmp_path / "feedback.tar", labels=["fake", "real", "fake"])

    samples = load_samples(archive, workdir=tmp_path / "work")

    assert [s.label for s in samples] == [1, 0, 1]
    assert all(s.path.is_file() and s.group == s.path.stem for s in samples)


def test_feedback_manifest_cannot_point_outside_the_export(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(png_bytes(0))
    with tarfile.open(tmp_path / "evil.tar", "w") as tar:
        add(tar, "manifest.jsonl", b'{"file": "../../secret.png", "label": "real"}\n')

    with pytest.raises(DatasetError, match="outside the export"):
        load_samples(tmp_path / "evil.tar", workdir=tmp_path / "work")


def test_feedback_export_cannot_write_outside_its_folder(tmp_path: Path) -> None:
    with tarfile.open(tmp_path / "evil.tar", "w") as tar:
        add(tar, "../escaped.txt", b"x")

    with pytest.raises(DatasetError):
        load_samples(tmp_path / "evil.tar", workdir=tmp_path / "work")
    assert not (tmp_path / "escaped.txt").exists()


def test_drawn_splits_keep_a_source_together(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "file,label,group\n" + "".join(f"{i}.png,real,photo-{i % 7}\n" for i in range(70))
    )
    samples = load_samples(tmp_path / "m.csv", workdir=tmp_path)

    first, second = with_splits(samples, seed=3), with_splits(samples, seed=3)

    assert [s.split for s in first] == [s.split for s in second]
    assert all(len({s.split for s in first if s.group == g}) == 1 for g in {s.group for s in first})


def test_a_dataset_without_val_lends_some_training_sources(tmp_path: Path) -> None:
    write_folder(tmp_path, counts={"train": 20, "test": 2}, seed=0)  # CIFAKE has no val split
    samples = with_validation(load_samples(tmp_path, workdir=tmp_path), seed=0)

    assert {s.split for s in samples} == {"train", "val", "test"}
    assert all(s.split == "test" for s in samples if "test" in s.path.parts)
