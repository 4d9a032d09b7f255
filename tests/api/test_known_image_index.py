"""The in-memory multi-index hash: every entry within the match distance is found."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from services.api.known_images.index import (
    MATCH_DISTANCE,
    BulkReading,
    FingerprintIndex,
    codes_of,
    hamming,
)


def random_hashes(count: int, *, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(count)]


def flipped(pdq: str, *, bits: int, rng: np.random.Generator) -> str:
    value = int(pdq, 16)
    for bit in rng.choice(256, bits, replace=False):
        value ^= 1 << int(bit)
    return f"{value:064x}"


def sorted_index(entries: dict[uuid.UUID, bytes]) -> FingerprintIndex:
    """An index as a replica loads it at start-up: every entry in the chunk tables."""
    reading = BulkReading()
    reading.add(list(entries.items()))
    return FingerprintIndex(reading.sorted())


def recent_index(entries: dict[uuid.UUID, bytes]) -> FingerprintIndex:
    """An index whose entries arrived since start-up: compared directly, not yet sorted in."""
    index = FingerprintIndex()
    index.add_many(entries)
    return index


@pytest.mark.parametrize("built", [sorted_index, recent_index])
def test_every_hash_within_the_distance_is_found_and_none_beyond(built: object) -> None:
    rng = np.random.default_rng(1)
    stored = random_hashes(10_000, seed=2)
    ids = [uuid.uuid4() for _ in stored[::2]]
    entries = {entry: codes_of(stored[2 * i : 2 * i + 2]) for i, entry in enumerate(ids)}
    index = built(entries)  # type: ignore[operator]

    assert len(index) == len(ids)
    for i, entry in enumerate(ids[:300]):
        pdq = stored[2 * i + i % 2]  # the first hash of some entries, the second of others
        near = flipped(pdq, bits=MATCH_DISTANCE, rng=rng)
        assert index.nearest([near]).get(entry) == hamming(near, pdq) == MATCH_DISTANCE
        assert entry not in index.nearest([flipped(pdq, bits=MATCH_DISTANCE + 1, rng=rng)])


def test_an_entry_matches_through_any_of_its_hashes_and_not_once_removed() -> None:
    whole, centre, other = random_hashes(3, seed=3)
    entry = uuid.uuid4()
    index = FingerprintIndex()
    index.add(entry_id=entry, codes=codes_of([whole, centre]))
    index.add(entry_id=entry, codes=codes_of([other]))  # adding a known entry again does nothing

    assert index.nearest([centre]) == {entry: 0}
    assert index.nearest([other]) == {}
    index.remove(entry)
    assert index.nearest([whole]) == {} and len(index) == 0


def test_recent_entries_sorted_in_stay_found_and_removals_stay_honoured() -> None:
    hashes = random_hashes(4, seed=4)
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    index = sorted_index({first: codes_of(hashes[:1])})
    index.add_many({second: codes_of(hashes[1:2]), third: codes_of(hashes[2:3])})
    index.remove(third)
    merging = index.merge_job()
    late = uuid.uuid4()
    index.add(entry_id=late, codes=codes_of(hashes[3:]))  # arrives while the merge runs

    index.install(merging())

    assert index.unsorted == 1 and len(index) == 3
    assert [index.nearest([pdq]) for pdq in hashes] == [{first: 0}, {second: 0}, {}, {late: 0}]
    index.add(entry_id=second, codes=codes_of(hashes[:1]))  # already known, now sorted
    assert index.nearest(hashes[:1]) == {first: 0}


@pytest.mark.parametrize("built", [sorted_index, recent_index])
def test_codes_no_detailed_picture_hashes_to_are_never_matched(built: object) -> None:
    # A flat picture hashes to all zeros; an entry stored with it before the quality floor
    # must not match the next flat picture, nor anything near it.
    (detailed,) = random_hashes(1, seed=5)
    flat, almost_flat = "0" * 64, "0" * 63 + "7"
    entry = uuid.uuid4()
    index = built({entry: codes_of([flat, detailed])})  # type: ignore[operator]

    assert index.nearest([flat]) == {} and index.nearest([almost_flat]) == {}
    assert index.nearest([detailed]) == {entry: 0}
