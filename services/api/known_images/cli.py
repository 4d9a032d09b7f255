"""`deepcatcher known-images`: import, list and remove known images through the API."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

known_app = typer.Typer(
    help="Manage the known images through the API (an admin's token).", no_args_is_help=True
)
ApiUrl = Annotated[str, typer.Option(envvar="DEEPCATCHER_API_URL", help="The API service.")]
Token = Annotated[
    str, typer.Option(envvar="DEEPCATCHER_TOKEN", help="An admin's sign-in token or API key.")
]
DEFAULT_API_URL = "http://127.0.0.1:8002"


def _run(api_url: str, token: str, send: Callable[[httpx.AsyncClient], Awaitable[int]]) -> None:
    """Send one request with an admin's credential; exit with its outcome."""

    async def run() -> int:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=api_url, headers=headers, timeout=600.0) as client:
            return await send(client)

    try:
        outcome = asyncio.run(run())
    except httpx.TransportError as exc:
        typer.echo(f"error: cannot reach the API at {api_url}: {_reason(exc)}", err=True)
        outcome = 1
    raise typer.Exit(outcome)


def _reason(exc: httpx.TransportError) -> str:
    """The operating system's words for the failure ("Connection refused"), else httpx's."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno:
            return os.strerror(cause.errno)
        cause = cause.__cause__ or cause.__context__
    return str(exc) or type(exc).__name__


@known_app.command("import")
def import_command(
    archive: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    token: Token,
    api_url: ApiUrl = DEFAULT_API_URL,
) -> None:
    """Import a zip of images with a manifest.csv (file,label,note): all rows or none."""
    data = archive.read_bytes()
    _run(api_url, token, lambda client: send_import(client=client, name=archive.name, data=data))


@known_app.command("list")
def list_command(
    token: Token,
    api_url: ApiUrl = DEFAULT_API_URL,
    search: Annotated[str | None, typer.Option(help="Text in the note or file name.")] = None,
) -> None:
    """The newest known images, one a line: id, label, date, note."""
    _run(api_url, token, lambda client: send_list(client=client, search=search))


@known_app.command("remove")
def remove_command(entry_id: str, token: Token, api_url: ApiUrl = DEFAULT_API_URL) -> None:
    """Remove one known image by id."""
    _run(api_url, token, lambda client: send_remove(client=client, entry_id=entry_id))


async def send_import(*, client: httpx.AsyncClient, name: str, data: bytes) -> int:
    """POST the archive; print one line per manifest row; 0 when everything was imported."""
    response = await client.post(
        "/v1/admin/known-images/import",
        files={"archive": (name, data, "application/zip")},
    )
    body = response.json()
    for item in body.get("items", []):
        typer.echo(f"{item['index']:>4} {item['file']}: {_outcome(item)}")
    if response.status_code != 201:
        typer.echo(f"error: {body.get('detail') or body.get('title')}", err=True)
        return 1
    typer.echo(f"imported {body['imported']} known images")
    return 0


def _outcome(item: dict[str, Any]) -> str:
    if item["status"] == "ok":
        entry = item.get("entry")
        return f"ok {entry['id']}" if entry else "ok"
    return f"error: {item['error'].get('detail') or item['error']['title']}"


async def send_list(*, client: httpx.AsyncClient, search: str | None) -> int:
    """GET one page of known images and print it."""
    params = {"limit": "100"} | ({"q": search} if search else {})
    response = await client.get("/v1/admin/known-images", params=params)
    body = response.json()
    if response.status_code != 200:
        typer.echo(f"error: {body.get('detail') or body.get('title')}", err=True)
        return 1
    for item in body["items"]:
        typer.echo(f"{item['id']} {item['label']:<4} {item['created_at'][:10]} {item['note']}")
    return 0


async def send_remove(*, client: httpx.AsyncClient, entry_id: str) -> int:
    """DELETE one known image."""
    response = await client.delete(f"/v1/admin/known-images/{entry_id}")
    if response.status_code != 204:
        typer.echo(f"error: {response.json().get('detail')}", err=True)
        return 1
    typer.echo(f"removed {entry_id}")
    return 0
