"""Embeddings reused between trainings only where nothing they depend on changed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from training.data.build import DataRow
from training.semantic import cache as cache_module
from training.semantic.cache import embedded_with_cache, read_cache, write_cache
from training.semantic.embed import Embedded, Sample, joined, row_rng


def _row(name: str, *, split: str = "val") -> DataRow:
    return DataRow(f"images/{name}.png", name, name * 8, "real", "photo", "t", "ours", split)


def _embedded(rows: list[DataRow]) -> Embedded:
    samples = [Sample(row=r, condition=c, long_side=500) for r in rows for c in ("a", "b")]
    features = np.arange(len(samples) * 4 * 3, dtype=np.float32).reshape(len(samples), 4, 3)
    layers = np.ones((len(samples), 12, 5), dtype=np.float16)
    return Embedded(samples, features, np.arange(len(samples), dtype=np.float64), layers)


def test_unchanged_rows_come_back_and_changed_or_new_ones_are_left_to_embed(
    tmp_path: Path,
) -> None:
    rows = [_row("one"), _row("two"), _row("three")]
    write_cache(tmp_path / "cache.npz", _embedded(rows), key="model-a")
    moved = dataclasses.replace(rows[1], split="train")
    now = [rows[0], moved, rows[2], _row("four")]

    cached, missing = read_cache(tmp_path / "cache.npz", rows=now, key="model-a")

    assert cached is not None
    assert [s.row.name for s in cached.samples] == ["one", "one", "three", "three"]
    assert cached.features[2].tolist() == _embedded(rows).features[4].tolist()
    assert cached.layers is not None and cached.layers.shape == (4, 12, 5)
    assert [row.name for row in missing] == ["two", "four"]


def test_another_model_or_seed_reuses_nothing(tmp_path: Path) -> None:
    rows = [_row("one")]
    write_cache(tmp_path / "cache.npz", _embedded(rows), key="model-a")

    cached, missing = read_cache(tmp_path / "cache.npz", rows=rows, key="model-b")

    assert cached is None and missing == rows


def test_an_images_draws_do_not_depend_on_the_others() -> None:
    first = row_rng(seed=7, name="photo-1").random(3)

    assert np.array_equal(first, row_rng(seed=7, name="photo-1").random(3))
    assert not np.array_equal(first, row_rng(seed=7, name="photo-2").random(3))


def test_joined_keeps_order_and_every_array() -> None:
    a, b = _embedded([_row("one")]), _embedded([_row("two")])

    both = joined([a, b])

    assert [s.row.name for s in both.samples] == ["one", "one", "two", "two"]
    assert both.features.shape == (4, 4, 3) and both.layers is not None


def test_a_stopped_embedding_resumes_after_the_last_whole_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "CHUNK_ROWS", 1)
    rows = [_row("one"), _row("two"), _row("three")]
    asked: list[str] = []

    def stops_at_three(chunk: list[DataRow]) -> Embedded:
        asked.extend(row.name for row in chunk)
        if chunk[0].name == "three":
            raise KeyboardInterrupt
        return _embedded(chunk)

    def stops_at_nothing(chunk: list[DataRow]) -> Embedded:
        asked.extend(row.name for row in chunk)
        return _embedded(chunk)

    with pytest.raises(KeyboardInterrupt):
        embedded_with_cache(rows, cache=tmp_path / "c.npz", key="k", embed_rows=stops_at_three)
    asked.clear()
    resumed = embedded_with_cache(
        rows, cache=tmp_path / "c.npz", key="k", embed_rows=stops_at_nothing
    )

    assert asked == ["three"]
    assert [s.row.name for s in resumed.samples] == ["one", "one", "two", "two", "three", "three"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.npz"]


def test_another_manifests_images_stay_cached_and_stale_ones_go(tmp_path: Path) -> None:
    first = [_row("one"), _row("two"), _row("gone")]
    embedded_with_cache(first, cache=tmp_path / "c.npz", key="k", embed_rows=_embedded)
    changed = dataclasses.replace(first[2], sha256="f" * 64)
    asked: list[str] = []

    def recording(chunk: list[DataRow]) -> Embedded:
        asked.extend(row.name for row in chunk)
        return _embedded(chunk)

    embedded_with_cache(
        [first[0], changed, _row("three")], cache=tmp_path / "c.npz", key="k", embed_rows=recording
    )
    asked.clear()
    again = embedded_with_cache(first[:2], cache=tmp_path / "c.npz", key="k", embed_rows=recording)
    stored = [str(k).split("/")[0] for k in np.load(tmp_path / "c.npz")["row_keys"]]

    assert asked == []
    assert [s.row.name for s in again.samples] == ["one", "one", "two", "two"]
    assert sorted(set(stored)) == ["gone", "one", "three", "two"]
    assert stored.count("gone") == 2
