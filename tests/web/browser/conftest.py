"""Browser fixtures: Debian's Chromium driven by Playwright against the three real services."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright

from tests.web.browser.stack import Stack, running_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"
# axe-core, pinned in services/web/package.json (a dev dependency), installed by `npm ci`.
AXE = Path(__file__).resolve().parents[3] / "services/web/node_modules/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
AXE_RULES = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
DESKTOP = ViewportSize(width=1280, height=860)
PHONE = ViewportSize(width=375, height=812)


def ensure_chromium() -> Path:
    """Debian's Chromium, installed with apt-get when missing; never a downloaded browser build."""
    if CHROMIUM.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail("Chromium is missing and apt-get is not available to install it.")
    for command in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"Could not install Chromium ({' '.join(command)}):\n{done.stderr[-2000:]}")
    if not CHROMIUM.exists():
        pytest.fail("apt-get installed chromium but /usr/bin/chromium is still missing.")
    return CHROMIUM


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """Inference (tiny model), API (fresh database) and web, each a uvicorn process."""
    async with running_stack(folder=tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium."""
    executable = ensure_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(executable), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


@pytest.fixture
async def context(browser: Browser, stack: Stack) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (cookies, storage) opening the web service."""
    context = await browser.new_context(base_url=stack.web_url, viewport=DESKTOP)
    context.set_default_timeout(20_000)
    yield context
    await context.close()


@pytest.fixture
async def page(context: BrowserContext) -> AsyncIterator[Page]:
    """A tab that fails the test on any JavaScript error or CSP violation."""
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text} at {message.location}")
            if "content security policy" in message.text.lower().replace("-", " ")
            else None
        ),
    )
    yield page
    assert not problems, problems


async def screenshot(page: Page, name: str, *, javascript: bool = True) -> None:
    """Check the page for accessibility, then save it at desktop and phone width.

    At phone width the page must fit: nothing may stick out sideways. Screenshots go to
    tests/artifacts/web/. Without JavaScript no script can run, axe and the width check included.
    """
    if javascript:
        await assert_accessible(page, name)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if javascript:
        await page.evaluate("window.scrollTo(0, 0)")  # the sticky header belongs at the top
    # caret="initial": hiding the caret leaves style="" on inputs, which htmx would later copy
    # onto swapped elements, tripping the CSP (a test artefact, not the app's).
    await page.screenshot(path=ARTIFACTS / f"{name}-desktop.png", full_page=True, caret="initial")
    await page.set_viewport_size(PHONE)
    if javascript:
        page_width = await page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= PHONE["width"], f"{name} is {page_width}px wide on a phone"
    await page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True, caret="initial")
    await page.set_viewport_size(DESKTOP)


async def assert_accessible(page: Page, name: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA or best-practice violations (labels, contrast, alt …)."""
    # Contrast measured halfway through a card's fade-in would be the fade's, not the page's.
    await page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, so the page's CSP (rightly) does not apply to it.
        await page.evaluate(AXE.read_text())
    result = await page.evaluate("options => axe.run(document, options)", AXE_RULES)
    violations = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
    ]
    assert not violations, f"{name}: " + "; ".join(violations)
