"""What a person does in the browser, as small reusable steps."""

from __future__ import annotations

import base64

from playwright.async_api import Page, expect

from tests.support.api import PASSWORD

ImageFile = tuple[str, bytes, str]

_FILES_JS = """
(files) => {
  const transfer = new DataTransfer();
  for (const file of files) {
    const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], file.name, { type: file.type }));
  }
  return transfer;
}
"""
_PASTE_JS = f"""
(files) => {{
  const transfer = ({_FILES_JS})(files);
  const options = {{ clipboardData: transfer, bubbles: true, cancelable: true }};
  const event = new ClipboardEvent("paste", options);
  document.dispatchEvent(event);
}}
"""


def _payload(files: list[ImageFile]) -> list[dict[str, str]]:
    return [
        {"name": name, "type": kind, "data": base64.b64encode(data).decode("ascii")}
        for name, data, kind in files
    ]


async def drop_files(page: Page, files: list[ImageFile]) -> None:
    """Drag files from the desktop onto the drop zone."""
    transfer = await page.evaluate_handle(_FILES_JS, _payload(files))
    await page.dispatch_event("[data-check-form]", "drop", {"dataTransfer": transfer})


async def paste_files(page: Page, files: list[ImageFile]) -> None:
    """Paste images from the clipboard into the page."""
    await page.evaluate(_PASTE_JS, _payload(files))


async def register(page: Page, email: str) -> None:
    """Create an account through the registration form."""
    await page.goto("/account/register")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Repeat the password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.locator(".flash-success")).to_contain_text("Welcome")


async def sign_in(page: Page, email: str) -> None:
    """Sign in through the sign-in form."""
    await page.goto("/account/sign-in")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator(".flash-success")).to_contain_text("signed in")
