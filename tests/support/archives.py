"""Zip archives the tests make themselves, honest and hostile (bombs, lies, broken entries)."""

from __future__ import annotations

import csv
import io
import random
import struct
import warnings
import zipfile

LOCAL_HEADER = 30  # bytes before a local entry's name
CENTRAL_SIGNATURE = b"PK\x01\x02"


def zipped(*members: tuple[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name, bytes) members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def manifest_csv(rows: list[dict[str, str]]) -> bytes:
    """A known-images manifest of the rows (file, label, note)."""
    manifest = io.StringIO()
    writer = csv.DictWriter(manifest, fieldnames=["file", "label", "note"])
    writer.writeheader()
    writer.writerows(rows)
    return manifest.getvalue().encode()


def with_manifest(rows: list[dict[str, str]], *members: tuple[str, bytes]) -> bytes:
    """A known-images import: a root manifest.csv of the rows, then the members as given."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of a name written twice
        return zipped(("manifest.csv", manifest_csv(rows)), *members)


def padded_noise(size: int, *, seed: int) -> bytes:
    """Bytes that deflate about 25 times: inside a zip-bomb ratio check, yet far from tiny."""
    noise = random.Random(seed)
    return b"".join(noise.randbytes(64) + bytes(1984) for _ in range(size // 2048))


def zeros_bomb(*, entries: int, entry_bytes: int) -> bytes:
    """Many entries of zeros: a small upload that inflates to entries x entry_bytes."""
    return zipped(*((f"zeros{index}.jpg", bytes(entry_bytes)) for index in range(entries)))


def many_empty_entries(count: int) -> bytes:
    """An archive of `count` empty entries (a large central directory for its size)."""
    return zipped(*((f"{index}.jpg", b"") for index in range(count)))


def _info(data: bytes, name: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.getinfo(name)


def _central_offset(data: bytes, name: str) -> int:
    """Where the central directory's entry for `name` starts."""
    offset = data.find(CENTRAL_SIGNATURE)
    while offset != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + name_length] == name.encode():
            return offset
        offset = data.find(CENTRAL_SIGNATURE, offset + 1)
    raise KeyError(name)


def with_encrypted(data: bytes, name: str) -> bytes:
    """The archive with one entry flagged as encrypted (as ZipCrypto entries are)."""
    patched = bytearray(data)
    patched[_info(data, name).header_offset + 6] |= 0x1
    patched[_central_offset(data, name) + 8] |= 0x1
    return bytes(patched)


def with_corrupt_deflate(data: bytes, name: str) -> bytes:
    """The archive with garbage in the middle of one entry's deflate stream."""
    info, patched = _info(data, name), bytearray(data)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + LOCAL_HEADER + name_length + extra_length
    middle = start + info.compress_size // 2
    patched[start : start + 8] = b"\xff" * 8
    patched[middle : middle + 8] = b"\x00" * 8
    return bytes(patched)


def with_lying_size(data: bytes, name: str, *, declared: int) -> bytes:
    """The archive claiming one entry inflates to `declared` bytes (it inflates to more)."""
    patched = bytearray(data)
    struct.pack_into("<I", patched, _info(data, name).header_offset + 22, declared)
    struct.pack_into("<I", patched, _central_offset(data, name) + 24, declared)
    return bytes(patched)


def with_broken_directory(data: bytes) -> bytes:
    """The archive with its central directory overwritten (the end record still points there)."""
    patched = bytearray(data)
    offset = data.find(CENTRAL_SIGNATURE)
    patched[offset : offset + 4] = b"XXXX"
    return bytes(patched)


def with_unknown_version(data: bytes, name: str) -> bytes:
    """The archive saying one entry needs a zip version from the future to extract."""
    patched = bytearray(data)
    struct.pack_into("<H", patched, _central_offset(data, name) + 6, 99)
    return bytes(patched)
