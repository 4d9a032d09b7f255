"""The in-memory multi-index hash: every entry within the match distance is found."""

from __future__ import annotations

import uuid

import numpy as np

from services.api.known_images.index import MATCH_DISTANCE, FingerprintIndex, hamming


def random_hashes(count: int, *, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(count)]


def flipped(pdq: str, *, bits: int, rng: np.random.Generator) -> str:
    value = int(pdq, 16)
    for bit in rng.choice(256, bits, replace=False):
        value ^= 1 << int(bit)
    return f"{value:064x}"


def test_every_hash_within_the_distance_is_found_and_none_beyond() -> None:
    rng = np.random.default_rng(1)
    stored = random_hashes(5000, seed=2)
    ids = [uuid.uuid4() for _ in stored]
    index = FingerprintIndex()
    index.add_many({entry: [pdq] for entry, pdq in zip(ids, stored, strict=True)})

    for entry, pdq in zip(ids[:300], stored[:300], strict=True):
        near = flipped(pdq, bits=MATCH_DISTANCE, rng=rng)
        assert index.nearest([near]).get(entry) == hamming(near, pdq) == MATCH_DISTANCE
        assert entry not in index.nearest([flipped(pdq, bits=MATCH_DISTANCE + 1, rng=rng)])


def test_an_entry_matches_through_any_of_its_hashes_and_not_once_removed() -> None:
    whole, centre, other = random_hashes(3, seed=3)
    entry = uuid.uuid4()
    index = FingerprintIndex()
    index.add(entry_id=entry, hashes=[whole, centre])
    index.add(entry_id=entry, hashes=[other])  # adding a known entry again changes nothing

    assert index.nearest([centre]) == {entry: 0}
    assert index.nearest([other]) == {}
    index.remove(entry)
    assert index.nearest([whole]) == {} and len(index) == 0
