"""The home page: checking images anonymously and signed in, with JavaScript or without."""

from __future__ import annotations

import httpx

from tests.support.images import encode, jpeg, photo_like, png
from tests.support.processes import closed_port_url
from tests.web.conftest import ApiAppFactory, WebFactory
from tests.web.pages import HTMX, check, csrf_token, sign_up

JPEG, PNG = "image/jpeg", "image/png"


async def test_home_offers_the_upload_form_and_says_checks_are_not_saved(
    web: httpx.AsyncClient,
) -> None:
    page = await web.get("/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'name="files"' in page.text and "multiple" in page.text
    assert "checks are not saved" in page.text
    assert '<script src="/static/vendor/htmx/htmx.min.js"' in page.text


async def test_a_scanned_tiff_is_offered_and_checked_with_its_picture(
    web: httpx.AsyncClient,
) -> None:
    page = await web.get("/")
    accept = page.text.split('accept="', 1)[1].split('"', 1)[0].split(",")
    assert {"image/tiff", ".tif", ".tiff"} <= set(accept)
    first, second = photo_like(seed=3).convert("CMYK"), photo_like(seed=4)
    scan = encode(first, format="TIFF", save_all=True, append_images=[second])

    result = await check(web, ("scan.tif", scan, "image/tiff"))

    assert result.status_code == 200
    assert result.text.count('class="result-card result-') == 1
    assert "Not an image we can check" not in result.text
    assert "data:image/jpeg;base64," in result.text


async def test_anonymous_check_gives_one_card_per_file_in_order(web: httpx.AsyncClient) -> None:
    page = await check(
        web,
        ("first.jpg", jpeg(seed=1), JPEG),
        ("notes.txt", b"not an image", "text/plain"),
        ("second.png", png(seed=2), PNG),
    )
    assert page.status_code == 200
    text = page.text
    assert text.index("first.jpg") < text.index("notes.txt") < text.index("second.png")
    assert text.count('class="result-card result-') == 3
    assert "Not an image we can check" in text
    assert text.count("Show evidence") == 2  # nothing saved: the evidence is inline
    assert "data:image/jpeg;base64," in text  # an inline picture, since no image is kept
    assert "/predictions/" not in text.split("<main", 1)[1].split("</main>", 1)[0]


async def test_verdicts_are_words_with_a_gauge_never_a_bare_confidence(
    web: httpx.AsyncClient,
) -> None:
    page = await check(web, ("photo.jpg", jpeg(seed=3), JPEG))
    labels = ("Likely AI-generated", "No AI traces found", "Uncertain")
    assert any(label in page.text for label in labels)
    assert 'class="gauge-bar"' in page.text and "on a scale from 0 (real) to 1" in page.text
    assert "confidence" not in page.text.lower()


async def test_htmx_upload_returns_only_the_cards(web: httpx.AsyncClient) -> None:
    cards = await check(web, ("photo.jpg", jpeg(seed=4), JPEG), htmx=True)
    assert cards.status_code == 200
    assert "<html" not in cards.text and "result-card" in cards.text


async def test_signed_in_checks_are_saved_and_link_to_their_result(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    page = await check(web, ("photo.jpg", jpeg(seed=5), JPEG))
    assert "Open evidence" in page.text and "Report a wrong result" in page.text
    assert "/image?w=320" in page.text
    assert "Your checks are saved" in page.text


async def test_choosing_no_file_asks_for_one(web: httpx.AsyncClient) -> None:
    token = await csrf_token(web)
    page = await web.post(
        "/check",
        data={"csrf_token": token},
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    assert page.status_code == 422
    assert "Choose at least one image" in page.text


async def test_too_many_files_are_refused_before_the_api(web: httpx.AsyncClient) -> None:
    files = [(f"{n}.jpg", jpeg(seed=n), JPEG) for n in range(17)]
    page = await check(web, *files)
    assert page.status_code == 422
    assert "at most 16 images" in page.text


async def test_a_down_detector_gives_a_friendly_card(
    make_api_app: ApiAppFactory, make_web: WebFactory
) -> None:
    async with (
        make_api_app(transport=httpx.AsyncHTTPTransport(), inference_url=closed_port_url()) as api,
        make_web(api_transport=httpx.ASGITransport(app=api)) as web,
    ):
        cards = await check(web, ("photo.jpg", jpeg(seed=6), JPEG), htmx=True)
    assert cards.status_code == 200
    assert "The detector is unavailable" in cards.text
    assert "Traceback" not in cards.text


async def test_file_names_are_escaped(web: httpx.AsyncClient) -> None:
    page = await check(web, ("<script>alert(1)</script>.jpg", jpeg(seed=7), JPEG))
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.jpg" in page.text


async def test_htmx_posts_need_the_csrf_header_or_field(web: httpx.AsyncClient) -> None:
    token = await csrf_token(web)
    files = [("files", ("photo.jpg", jpeg(seed=8), JPEG))]
    refused = await web.post("/check", files=files, headers=HTMX)
    accepted = await web.post("/check", files=files, headers=HTMX | {"X-CSRF-Token": token})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    assert accepted.status_code == 200 and "result-card" in accepted.text
