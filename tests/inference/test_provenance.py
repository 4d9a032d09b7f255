"""Provenance findings on files the tests write themselves, through the real service.

The model here has a card whose uncertain band covers almost everything (real below 0.01, fake
above 0.99), so a `fake` verdict can only come from provenance and `uncertain` means metadata
did not decide.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, PngImagePlugin

from services.inference.config import InferenceSettings
from services.inference.detectors.calibration import Thresholds
from services.inference.main import create_app
from tests.inference.signing import (
    SigningAuthority,
    created_manifest,
    edited_manifest,
    make_authority,
    sign,
)
from tests.inference.support import copy_model, rewrite_card, wait_until_ready
from tests.support.apps import INFERENCE_AUTH, INFERENCE_TOKEN, lifespan_of
from tests.support.images import encode, jpeg, photo_like

SD_PARAMETERS = (
    "a lighthouse at dusk, oil painting\nNegative prompt: blurry\n"
    "Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x512, "
    "Model: sd_xl_base_1.0"
)
COMFY_PROMPT = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "flux1-dev.safetensors"}},
    "3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 20, "model": ["4", 0]}},
}
COMFY_WORKFLOW = {"last_node_id": 9, "nodes": [{"id": 4, "type": "CheckpointLoaderSimple"}]}
XMP_TEMPLATE = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
    'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/{kind}"/>'
    "</rdf:RDF></x:xmpmeta>"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol2;</x:xmpmeta>'
)


@pytest.fixture(scope="module")
def wide_band_model(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with an uncertain band from 0.01 to 0.99, served alone (no fusion card),
    so that any verdict other than `uncertain` can only come from provenance."""
    path = copy_model(tiny_model, tmp_path_factory.mktemp("wide"), name="wide")
    rewrite_card(path, thresholds=Thresholds(real_below=0.01, fake_above=0.99))
    return path


@pytest.fixture(scope="module")
def authority() -> SigningAuthority:
    """A throwaway C2PA certificate authority."""
    return make_authority()


@pytest.fixture(scope="module")
async def untrusting(wide_band_model: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A service with no C2PA trust list."""
    async with _service(model_path=wide_band_model, fusion_card_path=None) as client:
        yield client


@pytest.fixture(scope="module")
async def trusting(
    wide_band_model: Path, authority: SigningAuthority, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """A service whose trust list is the test authority's root certificate."""
    anchors = tmp_path_factory.mktemp("trust") / "anchors.pem"
    anchors.write_bytes(authority.root_pem)
    async with _service(
        model_path=wide_band_model, fusion_card_path=None, c2pa_trust_anchors_path=anchors
    ) as client:
        yield client


class _service:
    def __init__(self, **settings: Any) -> None:
        settings = {"environment": "test", "service_token": INFERENCE_TOKEN, **settings}
        self.app = create_app(InferenceSettings(**settings))
        self.lifespan = lifespan_of(self.app)
        transport = httpx.ASGITransport(app=self.app)
        self.client = httpx.AsyncClient(
            transport=transport, base_url="http://inference.test", headers=INFERENCE_AUTH
        )

    async def __aenter__(self) -> httpx.AsyncClient:
        await self.lifespan.__aenter__()
        await wait_until_ready(self.client)
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self.lifespan.__aexit__(None, None, None)


async def provenance_of(client: httpx.AsyncClient, data: bytes) -> tuple[dict[str, Any], ...]:
    """The answer and its provenance signal."""
    response = await client.post("/v1/predict", files={"file": ("upload", data)})
    assert response.status_code == 200, response.text
    body = response.json()
    return body, next(s for s in body["signals"] if s["name"] == "provenance")


def png_with_text(**chunks: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        info.add_itxt(key, value) if key.startswith("XML:") else info.add_text(key, value)
    return encode(photo_like(seed=11), format="PNG", pnginfo=info)


def jpeg_with_exif(tags: dict[int, Any], *, exif_ifd: dict[int, Any] | None = None) -> bytes:
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[tag] = value
    for tag, value in (exif_ifd or {}).items():
        exif.get_ifd(0x8769)[tag] = value
    return encode(photo_like(seed=12), format="JPEG", exif=exif, quality=92)


def assert_decided_by_generator_claim(body: dict[str, Any], signal: dict[str, Any]) -> None:
    assert body["verdict"] == "fake"
    assert body["decided_by"] == "provenance"
    assert body["score"] == 1.0
    assert signal["score"] == 1.0
    assert signal["evidence"]["status"] == "generator-claim"


@pytest.mark.parametrize(
    ("chunks", "field"),
    [
        ({"parameters": SD_PARAMETERS}, "PNG text 'parameters'"),
        (
            {"prompt": json.dumps(COMFY_PROMPT), "workflow": json.dumps(COMFY_WORKFLOW)},
            "PNG text 'prompt'",
        ),
        ({"invokeai_metadata": '{"model": {"name": "sdxl"}}'}, "PNG text 'invokeai_metadata'"),
        (
            {"Software": "NovelAI", "Comment": '{"steps": 28, "sampler": "k_euler", "uc": ""}'},
            "PNG text 'Software'",
        ),
        ({"XML:com.adobe.xmp": XMP_TEMPLATE.format(kind="trainedAlgorithmicMedia")}, "XMP"),
    ],
    ids=["sd-webui", "comfyui", "invokeai", "novelai", "xmp-in-png"],
)
async def test_generator_chunks_decide_fake(
    untrusting: httpx.AsyncClient, chunks: dict[str, str], field: str
) -> None:
    body, signal = await provenance_of(untrusting, png_with_text(**chunks))

    assert_decided_by_generator_claim(body, signal)
    generator = [f for f in signal["evidence"]["findings"] if f["kind"] == "generator"]
    assert generator[0]["field"].startswith(field)
    assert generator[0]["signed"] is False


async def test_comfyui_evidence_names_the_checkpoint(untrusting: httpx.AsyncClient) -> None:
    _, signal = await provenance_of(untrusting, png_with_text(prompt=json.dumps(COMFY_PROMPT)))

    assert "flux1-dev.safetensors" in signal["evidence"]["findings"][0]["value"]


@pytest.mark.parametrize(
    "data",
    [
        jpeg_with_exif({0x0131: "Adobe Firefly 2.0"}),
        jpeg_with_exif({0x9286: "Made with OpenAI Labs"}),
        jpeg_with_exif({}, exif_ifd={0x9286: b"UNICODE\x00" + SD_PARAMETERS.encode("utf-16-be")}),
        encode(
            photo_like(seed=13),
            format="JPEG",
            xmp=XMP_TEMPLATE.format(kind="compositeWithTrainedAlgorithmicMedia").encode(),
        ),
    ],
    ids=["exif-software", "dalle-usercomment", "a1111-usercomment", "xmp-composite"],
)
async def test_generator_exif_and_xmp_decide_fake(
    untrusting: httpx.AsyncClient, data: bytes
) -> None:
    body, signal = await provenance_of(untrusting, data)

    assert_decided_by_generator_claim(body, signal)


async def test_clean_camera_jpeg_is_not_fake_on_metadata_grounds(
    untrusting: httpx.AsyncClient,
) -> None:
    camera = jpeg_with_exif(
        {0x010F: "Canon", 0x0110: "Canon EOS 5D Mark IV", 0x0131: "Firmware Version 1.2.0"},
        exif_ifd={0x9003: "2024:05:01 10:00:00"},
    )

    body, signal = await provenance_of(untrusting, camera)

    assert body["verdict"] == "uncertain"
    assert body["decided_by"] == "model"
    assert signal["score"] is None
    assert signal["evidence"]["status"] == "capture-claim"
    assert signal["evidence"]["findings"] == [
        {
            "kind": "capture",
            "source": "exif",
            "field": "EXIF Make/Model",
            "value": "Canon Canon EOS 5D Mark IV",
            "signed": False,
        }
    ]
    assert "never used to call an image real" in signal["summary"]


async def test_missing_metadata_is_no_information_never_real(
    untrusting: httpx.AsyncClient,
) -> None:
    body, signal = await provenance_of(untrusting, jpeg(seed=14))

    assert body["verdict"] == "uncertain"
    assert signal["score"] is None
    assert signal["evidence"]["status"] == "no-provenance-information"
    assert "proves nothing" in signal["summary"]


async def test_free_text_naming_a_generator_is_only_a_hint(untrusting: httpx.AsyncClient) -> None:
    data = jpeg_with_exif({0x010E: "My painting, in the style of Midjourney art"})

    body, signal = await provenance_of(untrusting, data)

    assert body["decided_by"] == "model"
    assert signal["evidence"]["status"] == "unverified-claims"
    assert signal["evidence"]["findings"][0]["kind"] == "hint"


async def test_hostile_xmp_is_ignored(untrusting: httpx.AsyncClient) -> None:
    data = encode(photo_like(seed=15), format="JPEG", xmp=BILLION_LAUGHS)

    body, signal = await provenance_of(untrusting, data)

    assert body["decided_by"] == "model"
    assert signal["evidence"]["findings"] == []


async def test_c2pa_generator_claim_from_an_untrusted_signer_decides_fake(
    untrusting: httpx.AsyncClient, authority: SigningAuthority
) -> None:
    manifest = created_manifest(source_type="trainedAlgorithmicMedia", generator="Test Diffusion")
    signed = sign(jpeg(seed=16), manifest=manifest, authority=authority)

    body, signal = await provenance_of(untrusting, signed)

    assert_decided_by_generator_claim(body, signal)
    c2pa = signal["evidence"]["c2pa"]
    assert c2pa["trust_list_configured"] is False
    (active,) = c2pa["manifests"]
    assert active["claim_generator"] == "Test Diffusion"
    assert active["digital_source_types"] == ["trainedAlgorithmicMedia"]
    assert (active["signature_valid"], active["signer_trusted"]) == (True, False)
    assert active["bound_to_image"] is True
    assert "signer not on the trust list" in signal["summary"]


async def test_c2pa_signer_on_the_configured_trust_list_is_trusted(
    trusting: httpx.AsyncClient, authority: SigningAuthority
) -> None:
    manifest = created_manifest(source_type="trainedAlgorithmicMedia")
    signed = sign(jpeg(seed=17), manifest=manifest, authority=authority)

    body, signal = await provenance_of(trusting, signed)

    assert_decided_by_generator_claim(body, signal)
    (active,) = signal["evidence"]["c2pa"]["manifests"]
    assert (active["signature_valid"], active["signer_trusted"]) == (True, True)
    assert signal["evidence"]["c2pa"]["validation_state"] == "Trusted"


async def test_c2pa_claim_in_an_ingredient_decides_fake(
    trusting: httpx.AsyncClient, authority: SigningAuthority
) -> None:
    generated = sign(
        jpeg(seed=18),
        manifest=created_manifest(source_type="trainedAlgorithmicMedia"),
        authority=authority,
    )
    edited = sign(jpeg(seed=19), manifest=edited_manifest(), authority=authority, parent=generated)

    body, signal = await provenance_of(trusting, edited)

    assert_decided_by_generator_claim(body, signal)
    active, ingredient = signal["evidence"]["c2pa"]["manifests"]
    assert (active["role"], active["digital_source_types"]) == ("active", [])
    assert (ingredient["role"], ingredient["depth"]) == ("ingredient", 1)
    assert ingredient["digital_source_types"] == ["trainedAlgorithmicMedia"]
    assert ingredient["signer_trusted"] is True
    assert "ingredient manifest" in signal["evidence"]["findings"][0]["field"]


async def test_c2pa_claim_that_no_longer_matches_the_pixels_is_only_a_hint(
    untrusting: httpx.AsyncClient, authority: SigningAuthority
) -> None:
    manifest = created_manifest(source_type="trainedAlgorithmicMedia")
    signed = bytearray(sign(jpeg(seed=20), manifest=manifest, authority=authority))
    signed[-200] ^= 0xFF  # change the image data after signing

    body, signal = await provenance_of(untrusting, bytes(signed))

    assert body["decided_by"] == "model"
    (active,) = signal["evidence"]["c2pa"]["manifests"]
    assert active["bound_to_image"] is False
    assert "assertion.dataHash.mismatch" in active["integrity_failures"]
    assert signal["evidence"]["findings"][0]["kind"] == "hint"


async def test_c2pa_camera_capture_is_not_fake(
    untrusting: httpx.AsyncClient, authority: SigningAuthority
) -> None:
    manifest = created_manifest(source_type="digitalCapture", generator="Test Camera")
    manifest["assertions"].append(
        {"label": "stds.exif", "data": {"exif:Make": "Nikon", "exif:Model": "Z 9"}}
    )
    signed = sign(jpeg(seed=21), manifest=manifest, authority=authority)

    body, signal = await provenance_of(untrusting, signed)

    assert body["verdict"] == "uncertain"
    assert body["decided_by"] == "model"
    assert signal["evidence"]["status"] == "capture-claim"
    assert signal["evidence"]["findings"][0]["value"] == "Nikon Z 9"
    assert signal["evidence"]["findings"][0]["signed"] is True


async def test_jpeg_comment_naming_a_generator_is_only_a_hint(
    untrusting: httpx.AsyncClient,
) -> None:
    data = encode(photo_like(seed=22), format="JPEG", comment=b"Created with Stable Diffusion")

    body, signal = await provenance_of(untrusting, data)

    assert body["decided_by"] == "model"
    assert signal["evidence"]["findings"][0]["source"] == "jpeg-comment"
    assert signal["evidence"]["findings"][0]["kind"] == "hint"


async def test_hostile_text_chunks_are_cheap_and_harmless(untrusting: httpx.AsyncClient) -> None:
    data = png_with_text(
        prompt="[" * 200_000,
        Comment="{" * 200_000,
        parameters="Steps: 1, " * 50_000,
    )

    body, signal = await asyncio.wait_for(provenance_of(untrusting, data), timeout=10)

    assert body["decided_by"] == "model"
    assert signal["evidence"]["findings"] == []
