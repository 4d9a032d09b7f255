"""Photographs that Debian packages ship, each chosen by hand from its package's credits."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from training.recipe.photos import Photo, as_rgb

# Exact versions checked (Debian 12); each image below was kept only where its credits name a
# photographer's camera file (a Wikimedia Commons or Flickr photo) or its EXIF names a camera.
# stellarium-data (388 MB installed) and visp-images-data (225 MB) are heavy for what they add.
DEBIAN_PHOTO_PACKAGES: dict[str, str] = {
    "digikam-data": "4:7.9.0-1",
    "gcompris-qt-data": "3.1-2",
    "kphotoalbum": "5.9.1-1",
    "lxqt-themes": "1.2.0-1",
    "mate-backgrounds": "1.26.0-1",
    "opencv-doc": "4.6.0+dfsg-12",
    "palapeli-data": "4:22.12.3-1",
    "plasma-workspace-wallpapers": "4:5.27.5-2",
    "stellarium-data": "0.22.2-1",
    "visp-images-data": "3.5.0-1",
}
RCC_MAGIC = b"qres"
RCC_DIRECTORY = 0x02
RCC_ZLIB = 0x01
RCC_ZSTD = 0x04


@dataclass(frozen=True, slots=True)
class Curated:
    """One chosen photograph: a file under the root, or a member of a Qt resource bundle there."""

    package: str
    slug: str
    path: str
    kind: str
    licence: str
    member: str = ""
    turn: int = 0  # degrees clockwise that stand the photograph upright


def _mate(stem: str, kind: str, author: str) -> Curated:
    path = f"backgrounds/mate/nature/{stem}.jpg"
    return Curated("mate-backgrounds", stem.lower(), path, kind, f"GPL-2+ ({author})")


def _plasma(folder: str, kind: str, author: str) -> Curated:
    path = f"wallpapers/{folder}/contents/images/2560x1600.jpg"
    licence = f"LGPL-3.0 ({author})"
    return Curated("plasma-workspace-wallpapers", folder.lower(), path, kind, licence)


def _opencv(name: str, kind: str) -> Curated:
    path = f"doc/opencv-doc/examples/data/{name}"
    licence = "Apache-2.0 AND BSD-3-Clause (OpenCV sample data)"
    return Curated("opencv-doc", Path(name).stem.lower(), path, kind, licence)


def _lxqt(name: str, kind: str, author: str) -> Curated:
    licence = f"CC-BY-SA-3.0 ({author}; lxqt/wallpapers/License)"
    return Curated("lxqt-themes", Path(name).stem.lower(), f"lxqt/wallpapers/{name}", kind, licence)


def _palapeli(stem: str, kind: str, licence: str) -> Curated:
    path = f"palapeli/collection/{stem}.jpg"
    return Curated("palapeli-data", stem, path, kind, licence)


def _stellarium(path: str, kind: str, licence: str) -> Curated:
    slug = Path(path).stem.lower().replace("_", "-").replace("(", "").replace(")", "")
    return Curated("stellarium-data", slug, f"stellarium/{path}", kind, licence)


def _kphotoalbum(stem: str, kind: str, turn: int = 0) -> Curated:
    path = f"kphotoalbum/demo/{stem}.jpg"
    licence = "GPL-2+ (Jesper K. Pedersen's own photographs, KPhotoAlbum demo album)"
    return Curated("kphotoalbum", stem.replace("_", "-"), path, kind, licence, turn=turn)


def _gcompris(activity: str, member: str, kind: str, licence: str) -> Curated:
    stem = Path(member).stem
    slug = f"{activity.replace('_', '-')}-{stem}".lower()
    inner = f"/gcompris/src/activities/{activity}/resource/{member}"
    path = f"gcompris-qt/rcc/{activity}.rcc"
    return Curated("gcompris-qt-data", slug, path, kind, licence, inner)


# Kinds were set by looking at each photograph: photo-sunset is a sunset or a shot against the
# light (BytheWater, Valendas, after-the-rain, beam), photo-night is night or low light.
# EXIF names the camera of each (Canon EOS, Konica Minolta, Olympus E-M1, Sony NEX-3N, Nokia N9,
# iPhone 6, Canon PowerShot...). MATE's Elephants has Sony EXIF but is a painted collage: left out.
# OpenCV's ela_modified (tampered) and licenseplate_motion (blur demo) are left out too.
FILE_PHOTOS: tuple[Curated, ...] = (
    _mate("Blinds", "photo-nature", "Lennart Poettering, Andrea Cimitan"),
    _mate("Dune", "photo-landscape", "Marco Cogoni, Hylke Bons"),
    _mate("Storm", "photo-landscape", "Sergey Nazarov"),
    _mate("Wood", "photo-texture", "Jean-Francois Fortin Tam"),
    _plasma("BytheWater", "photo-sunset", "Maciej Wiklo"),
    _plasma("ColdRipple", "photo-night", "Risto Saukonpaa"),
    _plasma("ColorfulCups", "photo-object", "Dmitri Popov"),
    _plasma("DarkestHour", "photo-night", "Risto Saukonpaa"),
    _plasma("FallenLeaf", "photo-nature", "Martin Klapetek"),
    _plasma("Kite", "photo-landscape", "Risto Saukonpaa"),
    _plasma("OneStandsOut", "photo-nature", "Risto Saukonpaa"),
    _plasma("Path", "photo-landscape", "Risto Saukonpaa"),
    _opencv("board.jpg", "photo-object"),
    _opencv("ela_original.jpg", "photo-object"),
    _opencv("leuvenA.jpg", "photo-city"),
    _opencv("leuvenB.jpg", "photo-city"),
    _opencv("text_defocus.jpg", "photo-document"),
    _opencv("text_motion.jpg", "photo-document"),
    # OpenCV's classic sample photographs carry no EXIF; each was kept only where it is
    # plainly a camera photograph (looked at one by one): the aerial views, the football and
    # office scenes, fruit, a building, desk objects. Left out: the drawn fish, the rendered
    # cards, notes and Suzanne heads, the painting, the synthetic shapes and every second
    # view of a stereo or optical-flow pair (graf3, right, aloeR, rubberwhale2).
    _opencv("aero1.jpg", "photo-aerial"),
    _opencv("aero3.jpg", "photo-aerial"),
    _opencv("messi5.jpg", "photo-people"),
    _opencv("basketball1.png", "photo-people"),
    _opencv("left01.jpg", "photo-people"),
    _opencv("home.jpg", "photo-city"),
    _opencv("building.jpg", "photo-city"),
    _opencv("graf1.png", "photo-city"),
    _opencv("fruits.jpg", "photo-food"),
    _opencv("apple.jpg", "photo-food"),
    _opencv("orange.jpg", "photo-food"),
    _opencv("baboon.jpg", "photo-animal"),
    _opencv("butterfly.jpg", "photo-animal"),
    _opencv("squirrel_cls.jpg", "photo-animal"),
    _opencv("stuff.jpg", "photo-object"),
    _opencv("pca_test1.jpg", "photo-object"),
    _opencv("box_in_scene.png", "photo-object"),
    _opencv("blox.jpg", "photo-object"),
    _opencv("rubberwhale1.png", "photo-object"),
    _opencv("left.jpg", "photo-object"),
    _opencv("aloeL.jpg", "photo-interior"),
    _opencv("sudoku.png", "photo-document"),
    # Camera EXIF (Pentax K100D/K-7, Canon PowerShot A530, HP Photosmart 735). Left out for lack
    # of it: Butterfly-Kenneth-Wimer and cloud; the rest are renders (origami, waves, triangles).
    _lxqt("Valendas.png", "photo-sunset", "LXQt Project Team"),
    _lxqt("after-the-rain.jpg", "photo-sunset", "stefonarch"),
    _lxqt("appleflower.png", "photo-nature", "stefonarch"),
    _lxqt("beam.png", "photo-sunset", "stefonarch"),
    _lxqt("butterfly.png", "photo-animal", "stefonarch"),
    _lxqt("drop.png", "photo-nature", "stefonarch"),
    _lxqt("flowers.png", "photo-nature", "stefonarch"),
    _lxqt("fog.jpg", "photo-landscape", "stefonarch"),
    _lxqt("this-is-not-windows.jpg", "photo-landscape", "stefonarch"),
    # Each puzzle's .desktop names its Wikimedia Commons file, author and licence; all but
    # citrus-fruits (a USDA photograph) also carry camera EXIF (Nikon D3/D50, Olympus, Kodak).
    _palapeli("castle-maintenon", "photo-city", "GFDL (Eric Pouhier)"),
    _palapeli("cincinnati-bridge", "photo-night", "public domain (Derek Jensen)"),
    _palapeli("citrus-fruits", "photo-food", "public domain (US Department of Agriculture)"),
    _palapeli("european-honey-bee", "photo-animal", "public domain (John Severns)"),
    _palapeli("panther-chameleon-female", "photo-animal", "GFDL (B. Navez and others)"),
    # The sky cultures' descriptions call the first two photographs, with credits; both have
    # camera EXIF (Canon PowerShot A70, Casio EX-S500), as do the two Panasonic DMC-FZ20 shots
    # of signboards used as textures in the Sterngarten scene (scenery3d.ini: CC BY-SA 4.0).
    # Left out: the British Museum MUL.APIN tablet, whose licence is only "courtesy".
    _stellarium(
        "skycultures/greek_farnese/Atlas_(Farnese_Globe).jpg",
        "photo-object",
        "CC-BY-SA-3.0 (Gabriel Seah)",
    ),
    _stellarium(
        "skycultures/egyptian_dendera/Dendera_zodiac_Louvre.jpg",
        "photo-object",
        "CC0-1.0 (Musee du Louvre display photograph)",
    ),
    _stellarium(
        "scenery3d/Sterngarten/Sterngarten_Wien_innerArea/Tafel_Sterngarten.jpg",
        "photo-document",
        "CC-BY-SA-4.0 (Georg Zotti)",
    ),
    _stellarium(
        "scenery3d/Sterngarten/Sterngarten_Wien_innerArea/Tafel_Wienplan.jpg",
        "photo-document",
        "CC-BY-SA-4.0 (Georg Zotti)",
    ),
    # The 1927 Solvay conference group photograph (Benjamin Couprie), named by its Commons file
    # name; public domain by age. Debian's copyright file gives only the package-wide GPL-2.
    Curated(
        "visp-images-data",
        "solvay-conference-1927",
        "visp-images-data/ViSP-images/Solvay/Solvay_conference_1927_Version2_2126x1463.jpg",
        "photo-people",
        "public domain (Benjamin Couprie, 1927)",
    ),
)

# KPhotoAlbum's demo album: its author's own photographs, which demo/index.xml describes in his
# words ("my girlfriend", "my pet", "I scanned this image in") and tags, with the rotation that
# stands each upright. The ones tagged "scanned in" are prints from 1988-2003 (the rest have
# Canon EOS, Olympus C40Z and Jenoptik JD4100 EXIF). Its CategoryImages are face crops: left out.
KPHOTOALBUM_PHOTOS: tuple[Curated, ...] = (
    _kphotoalbum("new_wave_2", "photo-scan"),
    _kphotoalbum("new_wave_1", "photo-scan", 90),
    _kphotoalbum("blackie", "photo-scan"),
    _kphotoalbum("spiff_2", "photo-scan"),
    _kphotoalbum("spiff", "photo-scan"),
    _kphotoalbum("qt-logo", "photo-scan"),
    _kphotoalbum("grand_canyon_1", "photo-scan", 180),
    _kphotoalbum("grand_canyon_2", "photo-people"),
    _kphotoalbum("grand_canyon_3", "photo-landscape"),
    _kphotoalbum("donna_2", "photo-animal"),
    _kphotoalbum("wayne", "photo-people", 90),
    _kphotoalbum("pool_2", "photo-people", 270),
    _kphotoalbum("pool", "photo-people"),
    _kphotoalbum("skagen_2", "photo-aerial"),
    _kphotoalbum("skagen", "photo-landscape"),
    _kphotoalbum("anne_helene", "photo-people"),
    _kphotoalbum("cold_water", "photo-people"),
    _kphotoalbum("sunset", "photo-sunset"),
    _kphotoalbum("jesper_2", "photo-people"),
    _kphotoalbum("donna", "photo-animal"),
    _kphotoalbum("jesper", "photo-people"),
    _kphotoalbum("bar55_2", "photo-people"),
    _kphotoalbum("bar55", "photo-people"),
    _kphotoalbum("snow", "photo-city"),
    # digiKam's About page background: iPhone 7 EXIF; Debian gives the package-wide GPL-2+.
    Curated(
        "digikam-data",
        "about-background",
        "digikam/about/images/body-background.jpg",
        "photo-landscape",
        "GPL-2+ (digiKam; iPhone 7 EXIF)",
    ),
)

# Each activity's resource/README credits a Wikimedia Commons (or NPS Flickr) photograph per
# file. Cut-outs on white (Statue of Liberty, Charminar, Cabrillo, Victoria Memorial) and a
# photographed scale model (Worms) are left out.
GCOMPRIS_PHOTOS: tuple[Curated, ...] = (
    _gcompris("clickgame", "sea1.webp", "photo-underwater", "CC0-1.0 (Ruthven)"),
    _gcompris("clickgame", "sea2.webp", "photo-underwater", "CC0-1.0 (Ruthven)"),
    _gcompris("clickgame", "sea3.webp", "photo-underwater", "public domain (SolarSurfer)"),
    _gcompris("clickgame", "sea4.webp", "photo-underwater", "public domain (Pseudopanax)"),
    _gcompris("clickgame", "sea5.webp", "photo-underwater", "public domain (Rita Segantini)"),
    _gcompris(
        "clickgame",
        "sea6.webp",
        "photo-underwater",
        "public domain (U.S. Fish and Wildlife Service)",
    ),
    _gcompris("erase", "alpaca.webp", "photo-animal", "CC-BY-SA-4.0 (Dietmar Rabich)"),
    _gcompris("erase", "bee.webp", "photo-animal", "CC-BY-2.0 (aussiegall)"),
    _gcompris(
        "erase", "butterfly.webp", "photo-animal", "CC-BY-SA-4.0 (Jee & Rani Nature Photography)"
    ),
    _gcompris("erase", "calf.webp", "photo-animal", "CC-BY-SA-4.0 (Basile Morin)"),
    _gcompris("erase", "camels.webp", "photo-animal", "CC-BY-SA-4.0 (Alexandr frolov)"),
    _gcompris("erase", "caterpillar.webp", "photo-animal", "CC-BY-SA-4.0 (Ivar Leidus)"),
    _gcompris("erase", "chamaeleon.webp", "photo-animal", "CC-BY-3.0 (Benny Trapp)"),
    _gcompris("erase", "cheetah.webp", "photo-animal", "CC-BY-SA-4.0 (Charles J. Sharp)"),
    _gcompris("erase", "crab.webp", "photo-animal", "CC0-1.0 (Nosferattus)"),
    _gcompris("erase", "dolphin.webp", "photo-animal", "CC-BY-SA-4.0 (טל שמע)"),
    _gcompris("erase", "flying_fox.webp", "photo-animal", "CC-BY-SA-4.0 (Andrew Mercer)"),
    _gcompris("erase", "gibbon.webp", "photo-animal", "CC-BY-3.0 (JJ Harrison)"),
    _gcompris("erase", "giraffe.webp", "photo-animal", "public domain (Sergio Cambelo)"),
    _gcompris("erase", "goat.webp", "photo-animal", "CC-BY-SA-4.0 (JoachimKohlerBremen)"),
    _gcompris("erase", "gorilla.webp", "photo-animal", "CC-BY-SA-4.0 (Charles J. Sharp)"),
    _gcompris("erase", "gosling.webp", "photo-animal", "CC-BY-SA-4.0 (Stephan Sprinz)"),
    _gcompris("erase", "heron.webp", "photo-animal", "CC-BY-SA-4.0 (Stephan Sprinz)"),
    _gcompris("erase", "horse.webp", "photo-animal", "CC-BY-SA-4.0 (Eatcha)"),
    _gcompris("erase", "kingfisher.webp", "photo-animal", "CC0-1.0 (Frank-2.0)"),
    _gcompris("erase", "kitten.webp", "photo-animal", "CC-BY-2.0 (GalgenTX)"),
    _gcompris("erase", "long_nosed_monkey.webp", "photo-animal", "CC-BY-SA-4.0 (Charles J. Sharp)"),
    _gcompris("erase", "macaque.webp", "photo-animal", "CC-BY-SA-4.0 (PJeganathan)"),
    _gcompris("erase", "meerkats.webp", "photo-animal", "CC-BY-SA-4.0 (Charles J. Sharp)"),
    _gcompris("erase", "northern_harrier.webp", "photo-animal", "CC-BY-SA-4.0 (Frank Schulenburg)"),
    _gcompris("erase", "nubian_ibex.webp", "photo-animal", "CC-BY-SA-4.0 (Rhododendrites)"),
    _gcompris("erase", "penguin.webp", "photo-animal", "CC-BY-SA-4.0 (Gordon Leggett)"),
    _gcompris("erase", "pika.webp", "photo-animal", "public domain (NPS Climate Change Response)"),
    _gcompris("erase", "red_panda.webp", "photo-animal", "CC0-1.0 (Mathias Appel)"),
    _gcompris("erase", "rhinoceros.webp", "photo-animal", "CC-BY-SA-4.0 (Charles J. Sharp)"),
    _gcompris("erase", "spoonbills.webp", "photo-animal", "CC-BY-SA-4.0 (Ryzhkov Sergey)"),
    _gcompris("erase", "squirrel.webp", "photo-animal", "CC-BY-SA-4.0 (Роман Наумов)"),
    _gcompris("erase", "swans.webp", "photo-animal", "CC-BY-SA-4.0 (Charles J. Sharp)"),
    _gcompris("erase", "toucan.webp", "photo-animal", "CC-BY-SA-4.0 (LG Nyqvist)"),
    _gcompris(
        "explore_farm_animals", "animals/cat.webp", "photo-animal", "public domain (Loliloli)"
    ),
    _gcompris(
        "explore_farm_animals",
        "animals/chicken.webp",
        "photo-animal",
        "public domain (Tranquilles)",
    ),
    _gcompris(
        "explore_farm_animals", "animals/cow.webp", "photo-animal", "public domain (Dohduhdah)"
    ),
    _gcompris(
        "explore_farm_animals", "animals/dog.webp", "photo-animal", "public domain (Hans Kemperman)"
    ),
    _gcompris(
        "explore_farm_animals", "animals/duck.webp", "photo-animal", "CC0-1.0 (Bernard Spragg)"
    ),
    _gcompris(
        "explore_farm_animals", "animals/horse.webp", "photo-animal", "CC0-1.0 (Seth Zeigler)"
    ),
    _gcompris("explore_farm_animals", "animals/owl.webp", "photo-animal", "CC0-1.0 (Lepale)"),
    _gcompris(
        "explore_farm_animals", "animals/pig.webp", "photo-animal", "public domain (Teinesavaii)"
    ),
    _gcompris(
        "explore_farm_animals", "animals/sheep.webp", "photo-animal", "CC0-1.0 (Rob Mitchell)"
    ),
    _gcompris(
        "explore_monuments",
        "wonders/chichenItza.webp",
        "photo-city",
        "CC-BY-SA-4.0 (Daniel Schwen)",
    ),
    _gcompris(
        "explore_monuments",
        "wonders/christTheRedeemer.webp",
        "photo-landscape",
        "CC-BY-SA-4.0 (Chensiyuan)",
    ),
    _gcompris(
        "explore_monuments", "wonders/colosseum.webp", "photo-city", "public domain (Urse Ovidiu)"
    ),
    _gcompris(
        "explore_monuments",
        "wonders/greatWallofChina.webp",
        "photo-landscape",
        "CC0-1.0 (Nicolas Perrault III)",
    ),
    _gcompris(
        "explore_monuments",
        "wonders/machuPicchu.webp",
        "photo-landscape",
        "CC0-1.0 (Guillaume Pascal)",
    ),
    _gcompris(
        "explore_monuments", "wonders/petra.webp", "photo-city", "public domain (Berthold Werner)"
    ),
    _gcompris("explore_monuments", "wonders/tajMahal.webp", "photo-city", "CC-BY-SA-4.0 (Yann)"),
    _gcompris(
        "explore_monuments",
        "india/ajantaCave.webp",
        "photo-landscape",
        "public domain (Jonathanawhite)",
    ),
    _gcompris(
        "explore_monuments",
        "india/gatewayofIndia.webp",
        "photo-night",
        "CC0-1.0 (Simon Steinberger)",
    ),
    _gcompris(
        "explore_monuments", "india/goldenTemple.webp", "photo-city", "CC0-1.0 (Jasdeep Singh)"
    ),
    _gcompris(
        "explore_monuments", "india/greatStupa.webp", "photo-city", "public domain (ArnoldBetten)"
    ),
    _gcompris("explore_monuments", "india/hawaMahal.webp", "photo-city", "public domain (Janwiki)"),
    _gcompris(
        "explore_monuments", "india/konarkSunTemple.webp", "photo-city", "public domain (Tetraktys)"
    ),
    _gcompris(
        "explore_monuments", "india/mysorePalace.webp", "photo-city", "public domain (Shiva sg)"
    ),
    _gcompris("explore_monuments", "india/qutubMinar.webp", "photo-city", "CC0-1.0 (pramadas)"),
    _gcompris(
        "explore_monuments", "india/rangGhar.webp", "photo-city", "public domain (Porikolpok Oxom)"
    ),
    _gcompris(
        "explore_monuments",
        "france/arlesAmphitheater.webp",
        "photo-city",
        "public domain ((WT-fr) OT Arles)",
    ),
    _gcompris(
        "explore_monuments", "france/chateaudeChambord.webp", "photo-city", "public domain (BjörnT)"
    ),
    _gcompris(
        "explore_monuments",
        "france/chateaudeChenonceau.webp",
        "photo-city",
        "public domain (Alf van Beem)",
    ),
    _gcompris(
        "explore_monuments",
        "france/citedeCarcassonne.webp",
        "photo-city",
        "public domain (Petitemontagnedujura)",
    ),
    _gcompris(
        "explore_monuments", "france/eiffelTower.webp", "photo-city", "public domain (Tognopop)"
    ),
    _gcompris(
        "explore_monuments", "france/montStMichel.webp", "photo-landscape", "CC0-1.0 (Ali Sabbagh)"
    ),
    _gcompris(
        "explore_monuments", "france/palaisdesPapes.webp", "photo-city", "CC0-1.0 (Tognopop)"
    ),
    _gcompris(
        "explore_monuments", "france/pontduGard.webp", "photo-city", "public domain (Mimova)"
    ),
    _gcompris(
        "explore_monuments", "france/reimsCathedral.webp", "photo-city", "public domain (Mattana)"
    ),
    _gcompris(
        "explore_monuments",
        "france/rocamadour.webp",
        "photo-landscape",
        "public domain (François Darras)",
    ),
    _gcompris(
        "explore_monuments", "germany/berlinCathedral.webp", "photo-city", "CC0-1.0 (Gary Todd)"
    ),
    _gcompris(
        "explore_monuments",
        "germany/brandenburgGate.webp",
        "photo-night",
        "public domain (Evans1551)",
    ),
    _gcompris(
        "explore_monuments",
        "germany/neuschwansteinCastle.webp",
        "photo-city",
        "CC0-1.0 (cameralends)",
    ),
    _gcompris(
        "explore_monuments", "germany/schwerinPalace.webp", "photo-city", "CC0-1.0 (Hermann Luyken)"
    ),
    _gcompris(
        "explore_monuments",
        "germany/trierImperialBaths.webp",
        "photo-city",
        "public domain (Berthold Werner)",
    ),
    _gcompris(
        "explore_monuments", "usa/canyondeChelly.webp", "photo-landscape", "public domain (Nikater)"
    ),
    _gcompris(
        "explore_monuments",
        "usa/castillodeSanMarcos.webp",
        "photo-city",
        "public domain (National Park Service)",
    ),
    _gcompris(
        "explore_monuments",
        "usa/castleClinton.webp",
        "photo-city",
        "public domain (Jack E. Boucher, National Park Service)",
    ),
    _gcompris("explore_monuments", "usa/fortSumter.webp", "photo-city", "CC0-1.0 (Gary Todd)"),
    _gcompris(
        "explore_monuments",
        "usa/georgeWashingtonBirthplace.webp",
        "photo-city",
        "public domain (National Park Service)",
    ),
    _gcompris(
        "explore_monuments",
        "usa/lincolnMemorial.webp",
        "photo-night",
        "CC0-1.0 (Brylie Christopher Oxley)",
    ),
    _gcompris("explore_monuments", "usa/mountRushmore.webp", "photo-landscape", "CC0-1.0 (Eekim)"),
    _gcompris(
        "explore_monuments", "usa/navajo.webp", "photo-landscape", "public domain (Jon Sullivan)"
    ),
    _gcompris(
        "explore_monuments", "egypt/bentPyramid.webp", "photo-city", "public domain (Neithsabes)"
    ),
    _gcompris(
        "explore_monuments", "egypt/greatPyramidOfGiza.webp", "photo-city", "CC0-1.0 (Gary Todd)"
    ),
    _gcompris(
        "explore_monuments", "egypt/meidumPyramid.webp", "photo-city", "public domain (Neithsabes)"
    ),
    _gcompris(
        "explore_monuments", "egypt/redPyramid.webp", "photo-city", "public domain (Chipdawes)"
    ),
    _gcompris(
        "explore_world_animals", "animals/bison.webp", "photo-animal", "CC0-1.0 (Kurt Kaiser)"
    ),
    _gcompris(
        "explore_world_animals",
        "animals/chameleon.webp",
        "photo-animal",
        "public domain (Nilesh1104)",
    ),
    _gcompris(
        "explore_world_animals",
        "animals/crocodile.webp",
        "photo-animal",
        "public domain (Djambalawa)",
    ),
    _gcompris(
        "explore_world_animals", "animals/dragon.webp", "photo-animal", "public domain (TimVickers)"
    ),
    _gcompris(
        "explore_world_animals",
        "animals/giraffe.webp",
        "photo-animal",
        "CC0-1.0 (Mike and Lara Wolfe)",
    ),
    _gcompris(
        "explore_world_animals",
        "animals/hedgehog.webp",
        "photo-animal",
        "public domain (George Chernilevsky)",
    ),
    _gcompris(
        "explore_world_animals", "animals/jaguar.webp", "photo-animal", "CC0-1.0 (Frieda Bredesen)"
    ),
    _gcompris(
        "explore_world_animals",
        "animals/kangaroo.webp",
        "photo-animal",
        "public domain (Vicki Nunn)",
    ),
    _gcompris(
        "explore_world_animals", "animals/koala.webp", "photo-animal", "public domain (BurningWell)"
    ),
    _gcompris(
        "explore_world_animals", "animals/lemur.webp", "photo-animal", "CC0-1.0 (Mathias Appel)"
    ),
    _gcompris(
        "explore_world_animals",
        "animals/moose.webp",
        "photo-animal",
        "public domain (Ryan Hagerty)",
    ),
    _gcompris(
        "explore_world_animals",
        "animals/narwhal.webp",
        "photo-animal",
        "public domain (Dr Kristin Laidre)",
    ),
    _gcompris(
        "explore_world_animals", "animals/panda.webp", "photo-animal", "public domain (Jeff Kubina)"
    ),
    _gcompris(
        "explore_world_animals",
        "animals/polar_bear.webp",
        "photo-animal",
        "public domain (anonymous)",
    ),
    _gcompris(
        "explore_world_animals", "animals/scarlet_macaw.webp", "photo-animal", "CC0-1.0 (Dcoetzee)"
    ),
    _gcompris(
        "explore_world_music",
        "music/africa.webp",
        "photo-object",
        "public domain (Kenneth Ritchards)",
    ),
    _gcompris(
        "explore_world_music", "music/america.webp", "photo-interior", "CC-BY-2.0 (Tom Harpel)"
    ),
    _gcompris(
        "explore_world_music", "music/australia.webp", "photo-people", "CC-BY-2.0 (Steve Evans)"
    ),
    _gcompris(
        "explore_world_music", "music/ireland.webp", "photo-people", "CC-BY-2.0 (candyschwartz)"
    ),
    _gcompris("explore_world_music", "music/italy.webp", "photo-people", "CC0-1.0 (SoriamuséuM)"),
    _gcompris(
        "explore_world_music", "music/japan.webp", "photo-night", "public domain (takami torao)"
    ),
    _gcompris("explore_world_music", "music/mexico.webp", "photo-people", "CC0-1.0 (Elidealista)"),
    _gcompris(
        "explore_world_music",
        "music/middleeast.webp",
        "photo-object",
        "CC0-1.0 (Metropolitan Museum of Art)",
    ),
    _gcompris(
        "explore_world_music",
        "music/orchestra.webp",
        "photo-people",
        "public domain (ABC Informática)",
    ),
)
CURATED: tuple[Curated, ...] = (*FILE_PHOTOS, *KPHOTOALBUM_PHOTOS, *GCOMPRIS_PHOTOS)


def _rcc_entry(*, blob: bytes, index: int) -> tuple[int, int, int, int]:
    """A tree node: name offset, flags, then child count and first child, or locale and data."""
    version, tree = struct.unpack_from(">II", blob, 4)
    start = tree + index * (14 if version == 1 else 22)
    name, flags, middle, last = struct.unpack_from(">IHII", blob, start)
    return name, flags, middle, last


def _rcc_name(*, blob: bytes, offset: int) -> str:
    """A node's UTF-16 name from the names table."""
    (names,) = struct.unpack_from(">I", blob, 16)
    (length,) = struct.unpack_from(">H", blob, names + offset)
    start = names + offset + 6
    return blob[start : start + 2 * length].decode("utf-16-be")


def _rcc_walk(*, blob: bytes, index: int, prefix: str, found: dict[str, bytes]) -> None:
    """Add every file below one node of a Qt resource bundle to `found`."""
    name, flags, count, last = _rcc_entry(blob=blob, index=index)
    path = f"{prefix}/{_rcc_name(blob=blob, offset=name)}" if index else ""
    if flags & RCC_DIRECTORY:
        for child in range(last, last + count):
            _rcc_walk(blob=blob, index=child, prefix=path, found=found)
        return
    if flags & RCC_ZSTD:
        raise ValueError(f"{path} is zstd-compressed, which this reader does not decode")
    (data,) = struct.unpack_from(">I", blob, 12)
    (length,) = struct.unpack_from(">I", blob, data + last)
    payload = blob[data + last + 4 : data + last + 4 + length]
    # qCompress data: a 4-byte size, then a zlib stream.
    found[path] = zlib.decompress(payload[4:]) if flags & RCC_ZLIB else payload


def rcc_files(path: Path) -> dict[str, bytes]:
    """Every file in a Qt binary resource bundle (`.rcc`), by its path inside the bundle."""
    blob = path.read_bytes()
    if blob[:4] != RCC_MAGIC:
        raise ValueError(f"{path} is not a Qt resource bundle")
    found: dict[str, bytes] = {}
    _rcc_walk(blob=blob, index=0, prefix="", found=found)
    return found


def _decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return as_rgb(np.asarray(image.convert("RGB")))


def _loader(*, path: Path, member: str, turn: int) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        data = rcc_files(path)[member] if member else path.read_bytes()
        return np.ascontiguousarray(np.rot90(_decode(data), k=-turn // 90))

    return load


def _present(*, entry: Curated, root: Path, bundles: dict[Path, set[str]]) -> bool:
    """Whether the entry's file (and its member, for a bundle) is installed under root."""
    path = root / entry.path
    if not path.is_file():
        return False
    if not entry.member:
        return True
    if path not in bundles:
        bundles[path] = set(rcc_files(path))
    return entry.member in bundles[path]


def debian_photos(*, root: Path = Path("/usr/share")) -> list[Photo]:
    """The curated photographs installed under root; entries whose files are missing are skipped."""
    bundles: dict[Path, set[str]] = {}
    return [
        Photo(
            name=f"debian-{entry.package}-{entry.slug}",
            origin=f"{entry.package}={DEBIAN_PHOTO_PACKAGES[entry.package]}",
            licence=entry.licence,
            load=_loader(path=root / entry.path, member=entry.member, turn=entry.turn),
            kind=entry.kind,
        )
        for entry in CURATED
        if _present(entry=entry, root=root, bundles=bundles)
    ]


def install_command() -> list[str]:
    """The apt-get argv that installs the exact package versions the table was checked against."""
    pinned = [f"{name}={version}" for name, version in DEBIAN_PHOTO_PACKAGES.items()]
    return ["apt-get", "install", "-y", "--no-install-recommends", *pinned]
