"""Curated Debian and npm photographs and rendered non-photo images for the `real` class."""

from __future__ import annotations

import io
import re
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.data.npm_photos import npm_photos
from training.data.photos import (
    CURATED,
    DEBIAN_PHOTO_PACKAGES,
    FILE_PHOTOS,
    GCOMPRIS_PHOTOS,
    KPHOTOALBUM_PHOTOS,
    debian_photos,
    install_command,
    rcc_files,
)
from training.data.renders import render_screens
from training.recipe.photos import (
    NOT_PHOTOGRAPHS,
    bundled_photos,
    interior_photos,
    pywavelets_photos,
    sklearn_photos,
)

RESOURCE = "/gcompris/src/activities/erase/resource"


def image_bytes(*, colour: tuple[int, int, int], image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format=image_format)
    return buffer.getvalue()


def qt_bundle(members: dict[str, bytes]) -> bytes:
    """A Qt binary resource bundle (format 3) holding files that share one folder."""
    folders = RESOURCE.strip("/").split("/")
    names, offsets = b"", {}
    for name in [*folders, *[Path(member).name for member in members]]:
        offsets[name] = len(names)
        names += struct.pack(">HI", len(name), 0) + name.encode("utf-16-be")
    data, tree = b"", b""
    for depth in range(len(folders) + 1):  # node 0 is the root, then one folder per level
        count = len(members) if depth == len(folders) else 1
        name_at = offsets[folders[depth - 1]] if depth else 0
        tree += struct.pack(">IHIIQ", name_at, 0x02, count, depth + 1, 0)
    for member, payload in members.items():
        tree += struct.pack(">IHHHIQ", offsets[Path(member).name], 0, 0, 0, len(data), 0)
        data += struct.pack(">I", len(payload)) + payload
    header = 24
    layout = struct.pack(
        ">IIIII", 3, header + len(data) + len(names), header, header + len(data), 0
    )
    return b"qres" + layout + data + names + tree


@pytest.fixture
def debian_root(tmp_path: Path) -> Path:
    """A /usr/share with two curated files and one gcompris bundle holding two curated members."""
    for entry, colour in ((FILE_PHOTOS[0], (200, 10, 10)), (FILE_PHOTOS[-1], (10, 200, 10))):
        path = tmp_path / entry.path
        path.parent.mkdir(parents=True)
        path.write_bytes(image_bytes(colour=colour, image_format="JPEG"))
    erase = [entry for entry in GCOMPRIS_PHOTOS if entry.path.endswith("/erase.rcc")][:2]
    members = {
        entry.member: image_bytes(colour=(10, 10, 200), image_format="WEBP") for entry in erase
    }
    bundle = tmp_path / erase[0].path
    bundle.parent.mkdir(parents=True)
    bundle.write_bytes(qt_bundle(members))
    return tmp_path


def test_debian_photos_lists_only_installed_files_and_members(debian_root: Path) -> None:
    photos = debian_photos(root=debian_root)

    erase = [entry for entry in GCOMPRIS_PHOTOS if entry.path.endswith("/erase.rcc")][:2]
    expected = [FILE_PHOTOS[0], FILE_PHOTOS[-1], *erase]
    assert [photo.kind for photo in photos] == [entry.kind for entry in expected]
    assert [photo.licence for photo in photos] == [entry.licence for entry in expected]
    assert photos[0].name == f"debian-{FILE_PHOTOS[0].package}-{FILE_PHOTOS[0].slug}"
    assert photos[2].origin == f"gcompris-qt-data={DEBIAN_PHOTO_PACKAGES['gcompris-qt-data']}"


def test_debian_photos_decode_files_and_bundle_members_to_rgb(debian_root: Path) -> None:
    pixels = [photo.load() for photo in debian_photos(root=debian_root)]

    assert all(image.shape == (30, 40, 3) and image.dtype == np.uint8 for image in pixels)
    assert pixels[0][15, 20, 0] > 150
    assert pixels[2][15, 20, 2] > 150


def test_debian_photos_is_empty_on_a_bare_root(tmp_path: Path) -> None:
    assert debian_photos(root=tmp_path) == []


def test_rcc_files_rejects_other_files(tmp_path: Path) -> None:
    path = tmp_path / "not.rcc"
    path.write_bytes(b"PK\x03\x04")

    with pytest.raises(ValueError, match="not a Qt resource bundle"):
        rcc_files(path)


def test_debian_photos_stand_a_turned_photograph_upright(tmp_path: Path) -> None:
    entry = next(entry for entry in KPHOTOALBUM_PHOTOS if entry.turn == 90)
    path = tmp_path / entry.path
    path.parent.mkdir(parents=True)
    pixels = np.zeros((30, 40, 3), dtype=np.uint8)
    pixels[:, :4] = 255  # a white left edge becomes the top edge after a clockwise quarter turn
    Image.fromarray(pixels).save(path, format="PNG")

    (photo,) = debian_photos(root=tmp_path)
    turned = photo.load()

    assert turned.shape == (40, 30, 3)
    assert turned[1, 15, 0] == 255 and turned[20, 15, 0] == 0
    assert photo.kind == entry.kind and photo.licence.startswith("GPL-2+")


def test_curated_names_are_unique_and_every_package_is_pinned() -> None:
    entries = list(CURATED)

    assert len({(entry.package, entry.slug) for entry in entries}) == len(entries)
    assert all(re.fullmatch(r"[a-z0-9_-]+", entry.slug) for entry in entries)
    assert {entry.package for entry in entries} == set(DEBIAN_PHOTO_PACKAGES)
    assert install_command()[:4] == ["apt-get", "install", "-y", "--no-install-recommends"]
    assert "gcompris-qt-data=3.1-2" in install_command()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_render_screens_writes_decodable_pngs_of_each_kind(tmp_path: Path) -> None:
    pytest.importorskip("playwright.sync_api")

    renders = render_screens(out_dir=tmp_path / "a", count=3, seed=5)
    again = render_screens(out_dir=tmp_path / "b", count=3, seed=5)

    assert [render.kind for render in renders] == ["screenshot", "plot", "document"]
    assert sorted(path.suffix for path in (tmp_path / "a").iterdir()) == [".png"] * 3
    pixels = [render.load() for render in renders]
    assert all(image.ndim == 3 and min(image.shape[:2]) >= 300 for image in pixels)
    assert 800 <= pixels[0].shape[1] <= 1600
    assert all(render.origin == "rendered" for render in renders)
    assert np.array_equal(pixels[2], again[2].load())


def test_sklearn_photos_decode_with_their_package_version_and_licence() -> None:
    photos = sklearn_photos()

    assert [p.name for p in photos] == ["sklearn-china", "sklearn-flower"]
    for photo in photos:
        pixels = photo.load()
        assert pixels.dtype == np.uint8 and pixels.shape == (427, 640, 3)
        assert photo.origin.startswith("scikit-learn==") and photo.licence.startswith("CC-BY-2.0")


def test_npm_photos_decode_the_installed_packages_people_photos_with_version_and_licence() -> None:
    photos = npm_photos()

    assert [p.name for p in photos[:6]] == [f"face-api-sample{n}" for n in range(1, 7)]
    for photo in photos[:6]:
        pixels = photo.load()
        assert pixels.dtype == np.uint8 and pixels.shape[1] == 1920 and pixels.shape[2] == 3
        assert photo.origin == "@vladmandic/face-api==1.7.15" and photo.licence.startswith("MIT")
        assert photo.kind == "photo-people"


def test_npm_photos_decode_the_exif_readers_camera_photos() -> None:
    photos = {photo.name: photo for photo in npm_photos()}

    starfish = photos["exif-parser-starfish"]
    assert starfish.origin == "exif-parser==0.1.12" and starfish.kind == "photo-old-phone"
    assert starfish.load().shape == (720, 1278, 3)
    assert photos["exif-js-dsc_09827"].origin == "exif-js==2.3.0"
    assert photos["exif-js-dscn0614_small"].load().shape == (300, 400, 3)
    assert photos["exif-sony-alpha-6000"].kind == "photo-night"
    assert photos["exif-test1"].load().shape == (135, 180, 3)
    assert all(photo.licence.startswith("MIT") for photo in photos.values())


def test_pywavelets_photos_decode_the_public_domain_people_photo() -> None:
    (photo,) = pywavelets_photos()

    assert photo.load().shape == (512, 512, 3) and photo.kind == "photo-people"
    assert photo.origin == "PyWavelets==1.9.0" and photo.licence.startswith("public domain")


def test_bundled_photos_carry_a_kind_and_the_render_is_named_as_not_a_photograph() -> None:
    photos = {photo.name: photo for photo in bundled_photos()}

    assert all(photo.kind.startswith("photo-") for photo in photos.values())
    assert photos["skimage-astronaut"].kind == "photo-people"
    assert photos["skimage-coffee"].kind == "photo-food"
    assert {photo.name for photo in interior_photos()} >= NOT_PHOTOGRAPHS


def test_npm_photos_is_empty_where_the_packages_are_not_installed(tmp_path: Path) -> None:
    assert npm_photos(root=tmp_path) == []
