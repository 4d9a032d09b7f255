"""The in-memory PDQ index every API replica keeps: multi-index hashing over numpy arrays.

The first 253 of the 256 bits are cut into 11 chunks of 23 bits. For each chunk a table holds
the hash numbers ordered by chunk value and where each bucket (the value's top 20 bits)
starts; a lookup reads the buckets of every chunk value up to two bits away from the query's
and keeps the hashes whose chunk value is that near. Two hashes at most 31 bits apart share a
chunk that differs in at most two bits (pigeonhole: 11 chunks with 3 differing bits each would
be 33), so every entry within `MATCH_DISTANCE` is a candidate; its full distance is then
counted. Hashes added since the last sort are compared with every query directly; the
follower sorts them in, off the event loop, once there are many. A hash costs 32 bytes, 11 x 4
in the chunk tables and 4 for its entry's number, plus 11 x 4 MB of bucket starts in all
(with faiss's multi-index hash a replica took about 1,250 bytes a hash). The database stays
the truth: this index is built from it and follows its changes.
"""

from __future__ import annotations

import array
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from itertools import combinations

import numpy as np

BITS = 256
CODE_BYTES = 32
CHUNKS = 11
CHUNK_BITS = 23
FLIPS = 2
# Meta suggests at most 31 for PDQ; the 200-image calibration (`benchmarks/known_images.py`)
# keeps it: altered copies fall within it and unrelated pictures stay far beyond.
MATCH_DISTANCE = 31
# Comparing a query with 50,000 unsorted hashes directly takes about a millisecond (measured).
UNSORTED_LIMIT = 50_000
HASH_NUMBER = np.uint64(0xFFFF_FFFF)
# A PDQ hash marks which of 256 values lie above their median, so a picture with detail hashes
# to about 128 set bits (every photograph measured: 127 or 128); a flat one to none at all.
# Codes outside these bounds, stored before the quality floor, are left out of the index.
MIN_SET_BITS, MAX_SET_BITS = 64, 192
# A chunk table finds hashes through the top 20 of a chunk value's 23 bits (a 4 MB index of
# where each bucket starts; about 6 hashes a bucket at 6 million hashes).
BUCKET_BITS = 20
LOW_BITS = CHUNK_BITS - BUCKET_BITS


def codes_of(hashes: Iterable[str]) -> bytes:
    """Hex PDQ hashes as the 32-byte codes the index and the database keep, end to end."""
    return b"".join(bytes.fromhex(pdq) for pdq in hashes)


def hamming(first: str, second: str) -> int:
    """How many of the 256 bits differ between two hex PDQ hashes."""
    return (int(first, 16) ^ int(second, 16)).bit_count()


def as_codes(data: bytes | bytearray) -> np.ndarray:
    """Concatenated 32-byte codes as a (count, 32) array."""
    return np.frombuffer(data, dtype=np.uint8).reshape(-1, CODE_BYTES)


def detailed(codes: np.ndarray) -> np.ndarray:
    """Which codes can be the hash of a picture with detail (a mask over the rows)."""
    set_bits = np.bitwise_count(codes).sum(axis=1)
    mask: np.ndarray = (set_bits >= MIN_SET_BITS) & (set_bits <= MAX_SET_BITS)
    return mask


def _detailed_codes(data: bytes) -> np.ndarray:
    codes = as_codes(data)
    kept: np.ndarray = codes[detailed(codes)]
    return kept


def chunk_values(codes: np.ndarray, *, chunk: int) -> np.ndarray:
    """Bits 23 * chunk to 23 * chunk + 22 of every code, read from the 4 bytes holding them."""
    start = chunk * CHUNK_BITS
    window = np.ascontiguousarray(codes[:, start // 8 : start // 8 + 4]).view(">u4")[:, 0]
    shifted = window.astype(np.uint64) >> np.uint64(32 - start % 8 - CHUNK_BITS)
    return shifted & np.uint64((1 << CHUNK_BITS) - 1)


@cache
def flip_masks() -> np.ndarray:
    """Every chunk value with at most FLIPS bits set: what a probe XORs the query's with."""
    masks = [0]
    for flips in range(1, FLIPS + 1):
        masks += [sum(1 << bit for bit in bits) for bits in combinations(range(CHUNK_BITS), flips)]
    return np.array(masks, dtype=np.uint64)


def distances(codes: np.ndarray, *, queries: np.ndarray) -> np.ndarray:
    """Each code's distance to the nearest query."""
    differing = np.bitwise_count(codes[:, None, :] ^ queries[None, :, :])
    nearest: np.ndarray = differing.sum(axis=2).min(axis=1)
    return nearest


@dataclass(frozen=True, slots=True)
class ChunkTable:
    """One chunk's hash numbers ordered by chunk value, and where each bucket of them starts."""

    numbers: np.ndarray  # uint32
    starts: np.ndarray  # bucket b (the top BUCKET_BITS of a chunk value) is starts[b]:starts[b + 1]

    @classmethod
    def build(cls, values: np.ndarray) -> ChunkTable:
        """The table of every hash's chunk value."""
        numbers = np.arange(len(values), dtype=np.uint64)
        ordered = np.sort((values << np.uint64(32)) | numbers) & HASH_NUMBER
        counts = np.bincount(values >> np.uint64(LOW_BITS), minlength=1 << BUCKET_BITS)
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.uint32)
        return cls(numbers=ordered.astype(np.uint32), starts=starts)

    def near(self, codes: np.ndarray, *, chunk: int, queries: np.ndarray) -> np.ndarray:
        """The hash numbers whose chunk value is at most FLIPS bits from a query's."""
        wanted = chunk_values(queries, chunk=chunk)
        buckets = np.unique((wanted[:, None] ^ flip_masks()) >> np.uint64(LOW_BITS))
        first, last = self.starts[buckets], self.starts[buckets + 1]
        counts = (last - first).astype(np.intp)
        offsets = np.repeat(first - np.cumsum(counts) + counts, counts)
        candidates = self.numbers[offsets + np.arange(counts.sum())]
        values = chunk_values(codes[candidates], chunk=chunk)
        flips = np.bitwise_count(values[:, None] ^ wanted[None, :]).min(axis=1)
        found: np.ndarray = candidates[flips <= FLIPS]
        return found


@dataclass(frozen=True, slots=True)
class SortedHashes:
    """The bulk of the index: entry ids sorted, each hash's code and entry, the chunk tables."""

    ids: np.ndarray  # 16-byte UUIDs, sorted
    codes: np.ndarray  # (hashes, 32) uint8
    owners: np.ndarray  # each hash's position in `ids`
    tables: tuple[ChunkTable, ...]

    @classmethod
    def build(cls, *, ids: np.ndarray, codes: np.ndarray, owners: np.ndarray) -> SortedHashes:
        """Sort entries by id and every chunk's values (seconds for millions: off the loop)."""
        order = np.argsort(ids)
        rank = np.empty(len(order), dtype=np.uint32)
        rank[order] = np.arange(len(order), dtype=np.uint32)
        tables = tuple(
            ChunkTable.build(chunk_values(codes, chunk=chunk)) for chunk in range(CHUNKS)
        )
        return cls(ids=ids[order], codes=codes, owners=rank[owners], tables=tables)

    def has(self, entry_id: uuid.UUID) -> bool:
        """Whether the entry is here."""
        key = np.array(entry_id.bytes, dtype="S16")
        position = int(np.searchsorted(self.ids, key))
        return position < len(self.ids) and self.ids[position] == key

    def within(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The entries (positions in `ids`) with a hash within MATCH_DISTANCE, and distances."""
        found = [
            table.near(self.codes, chunk=chunk, queries=queries)
            for chunk, table in enumerate(self.tables)
        ]
        candidates = np.unique(np.concatenate(found)).astype(np.intp)
        near = distances(self.codes[candidates], queries=queries)
        keep = near <= MATCH_DISTANCE
        return self.owners[candidates[keep]], near[keep]

    def entry_id(self, position: int) -> uuid.UUID:
        """The id of the entry at a position ('S16' drops trailing zero bytes on reading)."""
        return uuid.UUID(bytes=bytes(self.ids[position]).ljust(16, b"\0"))


def empty_sorted() -> SortedHashes:
    """A bulk with nothing in it."""
    empty = np.empty(0, dtype=np.uint32)
    return SortedHashes.build(ids=np.empty(0, dtype="S16"), codes=as_codes(b""), owners=empty)


def merged(
    *, bulk: SortedHashes, ids: list[uuid.UUID], codes: np.ndarray, owners: np.ndarray
) -> SortedHashes:
    """The bulk with recent entries sorted in."""
    recent = np.array([entry_id.bytes for entry_id in ids], dtype="S16")
    return SortedHashes.build(
        ids=np.concatenate([bulk.ids, recent]),
        codes=np.concatenate([bulk.codes, codes]),
        owners=np.concatenate([bulk.owners, owners + np.uint32(len(bulk.ids))]),
    )


class BulkReading:
    """Entries read from the database in batches, gathered into growing buffers until sorted."""

    def __init__(self) -> None:
        # One buffer each, not an array per batch: freed batches stayed in the heap (measured:
        # +220 MB of RSS at a million entries) and joining them copied everything once more.
        self._ids = bytearray()
        self._codes = bytearray()
        self._counts = array.array("I")

    @property
    def entries(self) -> int:
        """How many entries were read."""
        return len(self._counts)

    def add(self, rows: Iterable[tuple[uuid.UUID, bytes]]) -> None:
        """One batch of (id, codes) rows."""
        for entry_id, codes in rows:
            self._ids += entry_id.bytes
            self._codes += codes
            self._counts.append(len(codes) // CODE_BYTES)

    def sorted(self) -> SortedHashes:
        """Every entry read, sorted for lookups."""
        counts = np.frombuffer(self._counts, dtype=np.uint32)
        owners = np.repeat(np.arange(len(counts), dtype=np.uint32), counts)
        ids, codes = np.frombuffer(self._ids, dtype="S16"), as_codes(self._codes)
        keep = detailed(codes)
        if not keep.all():  # copies every code: only when there is one to leave out
            codes, owners = codes[keep], owners[keep]
        return SortedHashes.build(ids=ids, codes=codes, owners=owners)


class FingerprintIndex:
    """Known images' hashes; several hashes belong to one entry."""

    def __init__(self, bulk: SortedHashes | None = None) -> None:
        self._bulk = bulk or empty_sorted()
        self._recent_ids: list[uuid.UUID] = []
        self._recent_set: set[uuid.UUID] = set()
        self._recent_codes = as_codes(b"")
        self._recent_owners = np.empty(0, dtype=np.uint32)
        self._removed: set[uuid.UUID] = set()

    def __len__(self) -> int:
        return len(self._bulk.ids) + len(self._recent_ids) - len(self._removed)

    def __contains__(self, entry_id: uuid.UUID) -> bool:
        return entry_id in self._recent_set or self._bulk.has(entry_id)

    @property
    def unsorted(self) -> int:
        """How many hashes lookups compare directly, not yet in the chunk tables."""
        return len(self._recent_codes)

    def add(self, *, entry_id: uuid.UUID, codes: bytes) -> None:
        """Index an entry's 32-byte codes (once; re-adding a known entry does nothing)."""
        self.add_many({entry_id: codes})

    def add_many(self, entries: Mapping[uuid.UUID, bytes]) -> None:
        """Index several entries' codes."""
        new = {
            entry_id: _detailed_codes(codes)
            for entry_id, codes in entries.items()
            if entry_id not in self
        }
        owners = []
        for entry_id, codes in new.items():
            owners += [len(self._recent_ids)] * len(codes)
            self._recent_ids.append(entry_id)
        self._recent_set.update(new)
        self._recent_codes = np.concatenate([self._recent_codes, *new.values()])
        self._recent_owners = np.concatenate([self._recent_owners, np.array(owners, np.uint32)])

    def remove(self, entry_id: uuid.UUID) -> None:
        """Forget an entry: lookups skip it (and a replica that restarts does not load it)."""
        if entry_id in self:
            self._removed.add(entry_id)

    def nearest(self, hashes: Iterable[str]) -> dict[uuid.UUID, int]:
        """Every live entry within MATCH_DISTANCE of any of the hashes, with its distance."""
        queries = as_codes(codes_of(dict.fromkeys(hashes)))
        found: dict[uuid.UUID, int] = {}
        if not len(queries):
            return found
        for entry_id, distance in self._candidates(queries):
            if entry_id not in self._removed:
                found[entry_id] = min(distance, found.get(entry_id, BITS))
        return found

    def _candidates(self, queries: np.ndarray) -> Iterable[tuple[uuid.UUID, int]]:
        positions, near = self._bulk.within(queries)
        for position, distance in zip(positions.tolist(), near.tolist(), strict=True):
            yield self._bulk.entry_id(position), distance
        near = distances(self._recent_codes, queries=queries)
        for number in np.flatnonzero(near <= MATCH_DISTANCE).tolist():
            yield self._recent_ids[int(self._recent_owners[number])], int(near[number])

    def merge_job(self) -> Callable[[], SortedHashes]:
        """Sorting the recent hashes in, as a call to run off the event loop, then `install`."""
        return partial(
            merged,
            bulk=self._bulk,
            ids=list(self._recent_ids),
            codes=self._recent_codes,
            owners=self._recent_owners,
        )

    def install(self, bulk: SortedHashes) -> None:
        """Use a merged bulk; entries added while it was built stay recent."""
        entries, hashes = (
            len(bulk.ids) - len(self._bulk.ids),
            len(bulk.codes) - len(self._bulk.codes),
        )
        self._bulk = bulk
        self._recent_ids = self._recent_ids[entries:]
        self._recent_set = set(self._recent_ids)
        self._recent_codes = self._recent_codes[hashes:]
        self._recent_owners = self._recent_owners[hashes:] - np.uint32(entries)
