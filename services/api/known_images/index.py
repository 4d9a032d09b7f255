"""The in-memory PDQ index every API replica keeps: faiss's multi-index hashing.

The first 253 of the 256 bits are cut into 11 chunks of 23 bits, each chunk a hash table, and a
lookup also probes every chunk value up to two bits away (`nflip = 2`). Two hashes at most 31
bits apart share a chunk that differs in at most two bits (pigeonhole: 11 chunks with 3
differing bits each would be 33), so every entry within `MATCH_DISTANCE` is a candidate; faiss
then checks the full distance. 16 chunks of 16 bits with one flip also guarantee it, but with a
million entries each probe returns ~30 candidates instead of ~0.2, and lookups were 15x slower
(measured); the price is a slower build (`benchmarks/known_images.py` gives both). The
database stays the truth: this index is built from it and follows its changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import faiss
import numpy as np

BITS = 256
CHUNKS = 11
CHUNK_BITS = 23
FLIPS = 2
# Meta suggests at most 31 for PDQ; the 200-image calibration (`benchmarks/known_images.py`)
# keeps it: altered copies fall within it and unrelated pictures stay far beyond.
MATCH_DISTANCE = 31


def code_of(pdq: str) -> np.ndarray:
    """A hex PDQ hash as the 32 bytes faiss indexes."""
    return np.frombuffer(bytes.fromhex(pdq), dtype=np.uint8)


def hamming(first: str, second: str) -> int:
    """How many of the 256 bits differ between two hex PDQ hashes."""
    return (int(first, 16) ^ int(second, 16)).bit_count()


class FingerprintIndex:
    """Known images' hashes; several hashes may belong to one entry."""

    def __init__(self) -> None:
        # One lookup is microseconds of work: OpenMP's thread team only spins against the event
        # loop (measured: adding 40,000 hashes took 1.2 s with it, a tenth of that without).
        faiss.omp_set_num_threads(1)
        self._index = faiss.IndexBinaryMultiHash(BITS, CHUNKS, CHUNK_BITS)
        self._index.nflip = FLIPS
        self._owners: list[uuid.UUID] = []
        self._present: set[uuid.UUID] = set()
        self._removed: set[uuid.UUID] = set()

    def __len__(self) -> int:
        return len(self._present - self._removed)

    def add(self, *, entry_id: uuid.UUID, hashes: Iterable[str]) -> None:
        """Index an entry's hashes (once; re-adding a known entry does nothing)."""
        self.add_many({entry_id: list(hashes)})

    def add_many(self, entries: dict[uuid.UUID, list[str]]) -> None:
        """Index several entries' hashes in one faiss call."""
        codes: list[np.ndarray] = []
        for entry_id, hashes in entries.items():
            if entry_id in self._present:
                continue
            unique = list(dict.fromkeys(hashes))
            codes.extend(code_of(pdq) for pdq in unique)
            self._owners.extend([entry_id] * len(unique))
            self._present.add(entry_id)
        if codes:
            self._index.add(np.stack(codes))

    def remove(self, entry_id: uuid.UUID) -> None:
        """Forget an entry; faiss's hash tables cannot delete, so lookups skip it."""
        self._removed.add(entry_id)

    def nearest(self, hashes: Iterable[str]) -> dict[uuid.UUID, int]:
        """Every live entry within MATCH_DISTANCE of any of the hashes, with its distance."""
        queries = np.stack([code_of(pdq) for pdq in dict.fromkeys(hashes)])
        if self._index.ntotal == 0:
            return {}
        limits, distances, labels = self._index.range_search(queries, MATCH_DISTANCE + 1)
        found: dict[uuid.UUID, int] = {}
        for position, distance in zip(labels[: limits[-1]], distances[: limits[-1]], strict=True):
            owner = self._owners[int(position)]
            if owner not in self._removed:
                found[owner] = min(int(distance), found.get(owner, BITS))
        return found
