"""The in-memory PDQ index every API replica keeps: faiss's multi-index hashing.

The 256-bit hash is cut into 16 chunks of 16 bits, each chunk a hash table, and a lookup also
probes every chunk value one bit away (`nflip = 1`). Two hashes at most 31 bits apart share a
chunk that differs in at most one bit (pigeonhole: 16 chunks with 2 differing bits each would
be 32), so every entry within `MATCH_DISTANCE` is a candidate; faiss then checks the full
distance. The database stays the truth: this index is rebuilt from it and follows its changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import faiss
import numpy as np

BITS = 256
CHUNKS = 16
CHUNK_BITS = BITS // CHUNKS
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
        self._index = faiss.IndexBinaryMultiHash(BITS, CHUNKS, CHUNK_BITS)
        self._index.nflip = 1
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
