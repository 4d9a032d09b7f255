"""History, the result page, the checked image, deleting and reporting."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

import httpx
from PIL import Image

from tests.support.images import jpeg, png
from tests.web.conftest import WebFactory
from tests.web.pages import HTMX, checked_prediction_ids, post_form, sign_up

JPEG, PNG = "image/jpeg", "image/png"


async def test_history_needs_signing_in(web: httpx.AsyncClient) -> None:
    response = await web.get("/predictions")
    assert response.status_code == 303
    assert response.headers["location"] == "/account/sign-in?next=/predictions"


async def test_history_lists_checks_newest_first_with_thumbnails(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    first, second = await checked_prediction_ids(
        web, ("older.jpg", jpeg(seed=1), JPEG), ("newer.png", png(seed=2), PNG)
    )
    page = await web.get("/predictions")
    assert page.status_code == 200
    assert f"/predictions/{first}/image?w=320" in page.text
    assert f"/predictions/{second}/image?w=320" in page.text
    assert "No checks yet" not in page.text


async def test_history_is_empty_with_a_way_forward(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    page = await web.get("/predictions")
    assert "No checks yet" in page.text and 'href="/"' in page.text


async def test_history_filters_by_verdict_and_day(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    (prediction,) = await checked_prediction_ids(web, ("photo.jpg", jpeg(seed=3), JPEG))
    detail = await web.get(f"/predictions/{prediction}")
    verdict = next(v for v in ("fake", "uncertain", "real") if f"verdict-panel-{v}" in detail.text)
    other = next(v for v in ("fake", "uncertain", "real") if v != verdict)
    today = datetime.now(UTC).date()
    tomorrow = today + timedelta(days=1)

    assert prediction in (await web.get(f"/predictions?verdict={verdict}")).text
    assert "No checks match these filters" in (await web.get(f"/predictions?verdict={other}")).text
    assert prediction in (await web.get(f"/predictions?from={today}&to={today}")).text
    filtered = await web.get(f"/predictions?from={tomorrow}")
    assert prediction not in filtered.text and "Clear filters" in filtered.text


async def test_filters_swap_only_the_results_for_htmx(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    await checked_prediction_ids(web, ("photo.jpg", jpeg(seed=4), JPEG))
    partial = await web.get(
        "/predictions?verdict=", headers=HTMX | {"HX-Target": "history-results"}
    )
    assert partial.text.lstrip().startswith('<div id="history-results"')
    assert "<html" not in partial.text


async def test_load_more_pages_through_history(make_web: WebFactory) -> None:
    async with make_web(history_page_size=2) as web:
        await sign_up(web, "ada@example.org")
        ids = await checked_prediction_ids(
            web, *((f"{n}.jpg", jpeg(seed=10 + n), JPEG) for n in range(3))
        )
        first_page = await web.get("/predictions")
        assert first_page.text.count('class="history-item"') == 2
        more_link = re.search(r'id="history-more".*?hx-get="([^"]+)"', first_page.text, re.DOTALL)
        assert more_link
        more_url = html.unescape(more_link.group(1))
        more = await web.get(more_url, headers=HTMX | {"HX-Target": "history-more"})
    assert more.text.count('class="history-item"') == 1
    assert 'id="history-more"' not in more.text  # the last page offers no more
    shown = [i for i in ids if i in first_page.text] + [i for i in ids if i in more.text]
    assert sorted(shown) == sorted(ids)


async def test_result_page_shows_verdict_evidence_facts_and_model(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    (prediction,) = await checked_prediction_ids(web, ("harbour.jpg", jpeg(seed=5), JPEG))
    page = await web.get(f"/predictions/{prediction}")
    text = page.text
    assert page.status_code == 200
    labels = ("Likely AI-generated", "No AI traces found", "Uncertain")
    assert any(label in text for label in labels)
    headings = ("All views together", "Semantic view", "Low-level view", "Provenance")
    for heading in (*headings, "Frequency spectrum", "Image facts", "Model"):
        assert f">{heading}</h" in text
    assert "No provenance information" in text
    assert "data:image/png;base64," in text  # the spectrum picture
    assert 'class="heatmap"' in text and "Show where the detector looked" in text
    assert "What this verdict means" in text
    assert "tiny" in text  # the model's name
    assert "Report a wrong result" in text


async def test_result_image_is_a_jpeg_for_its_owner_only(
    web: httpx.AsyncClient, make_web: WebFactory
) -> None:
    await sign_up(web, "ada@example.org")
    (prediction,) = await checked_prediction_ids(web, ("photo.png", png(seed=6), PNG))
    image = await web.get(f"/predictions/{prediction}/image?w=320")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.headers["cache-control"].startswith("private")
    assert max(Image.open(BytesIO(image.content)).size) <= 320
    assert (await web.get(f"/predictions/{prediction}/image?w=123")).status_code == 404
    async with make_web() as stranger:
        await sign_up(stranger, "eve@example.org")
        assert (await stranger.get(f"/predictions/{prediction}/image?w=320")).status_code == 404
        assert (await stranger.get(f"/predictions/{prediction}")).status_code == 404


async def test_deleting_with_htmx_removes_the_row_and_flashes(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    (prediction,) = await checked_prediction_ids(web, ("photo.jpg", jpeg(seed=7), JPEG))
    response = await post_form(web, f"/predictions/{prediction}/delete", headers=HTMX)
    assert response.status_code == 200
    assert 'id="flashes"' in response.text and 'hx-swap-oob="true"' in response.text
    assert "deleted from your history" in response.text
    assert (await web.get(f"/predictions/{prediction}")).status_code == 404


async def test_deleting_without_javascript_returns_to_history(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    (prediction,) = await checked_prediction_ids(web, ("photo.jpg", jpeg(seed=8), JPEG))
    response = await post_form(web, f"/predictions/{prediction}/delete")
    assert response.status_code == 303 and response.headers["location"] == "/predictions"
    history = await web.get("/predictions")
    assert "deleted from your history" in history.text and prediction not in history.text


async def test_reporting_with_htmx_thanks_in_place(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    (prediction,) = await checked_prediction_ids(web, ("photo.jpg", jpeg(seed=9), JPEG))
    report = {
        "claimed_label": "real",
        "comment": "I took it.",
        "source_url": "https://example.org/a",
    }
    response = await post_form(web, f"/predictions/{prediction}/reports", report, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="report"')
    assert "Thank you." in response.text
    reports = await web.get("/reports")
    assert "photo.jpg" in reports.text and "I took it." in reports.text


async def test_reporting_without_javascript_redirects_with_a_flash(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    (prediction,) = await checked_prediction_ids(web, ("photo.jpg", jpeg(seed=10), JPEG))
    response = await post_form(web, f"/predictions/{prediction}/reports", {"claimed_label": "fake"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/predictions/{prediction}#report"
    assert "report was sent" in (await web.get(f"/predictions/{prediction}")).text


async def test_a_bad_report_shows_what_to_fix(web: httpx.AsyncClient) -> None:
    await sign_up(web, "ada@example.org")
    (prediction,) = await checked_prediction_ids(web, ("photo.jpg", jpeg(seed=11), JPEG))
    no_claim = await post_form(web, f"/predictions/{prediction}/reports", {"comment": "hm"})
    bad_url = await post_form(
        web,
        f"/predictions/{prediction}/reports",
        {"claimed_label": "real", "source_url": "not a url"},
        headers=HTMX,
    )
    assert no_claim.status_code == 422 and "Say what the image really is." in no_claim.text
    assert "hm</textarea>" in no_claim.text  # what was typed stays
    assert bad_url.status_code == 422 and "full web address" in bad_url.text
    assert "No reports yet" in (await web.get("/reports")).text
