"""Small steps many API tests take: sign up, sign in, make an admin, upload images."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.users.models import Role, User

PASSWORD = "correct horse battery staple"


async def sign_up(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    """Register and sign in; return the Authorization header."""
    registered = await client.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    return await sign_in(client, email)


async def sign_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    """Sign in; return the Authorization header."""
    response = await client.post("/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def promote_to_admin(engine: AsyncEngine, email: str) -> None:
    """Give a user the admin role directly in the database."""
    async with engine.begin() as connection:
        await connection.execute(update(User).where(User.email == email).values(role=Role.admin))


def files(*items: tuple[str, bytes, str]) -> list[tuple[str, tuple[str, bytes, str]]]:
    """Multipart `files` fields from (name, bytes, content type) triples."""
    return [("files", item) for item in items]


async def predict(
    client: httpx.AsyncClient, *items: tuple[str, bytes, str], **kwargs: Any
) -> httpx.Response:
    """POST images to /v1/predictions."""
    return await client.post("/v1/predictions", files=files(*items), **kwargs)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"]
    assert "Traceback" not in response.text
    return body


JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"


async def count_rows(engine: AsyncEngine, table: str) -> int:
    """How many rows a table has."""
    from sqlalchemy import text

    async with engine.connect() as connection:
        return int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())  # noqa: S608


async def create_prediction(
    client: httpx.AsyncClient, headers: dict[str, str], data: bytes, name: str = "photo.jpg"
) -> dict[str, Any]:
    """Check one JPEG as a signed-in user; return the saved prediction."""
    response = await predict(client, (name, data, JPEG), headers=headers)
    assert response.status_code == 201, response.text
    prediction: dict[str, Any] = response.json()["items"][0]["prediction"]
    return prediction


def raw_multipart(*, filename: bytes, data: bytes, boundary: str = "dc-test-boundary") -> bytes:
    """A one-file multipart body with the file name's bytes exactly as given (no escaping)."""
    head = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="files"; filename="'
        + filename
        + b'"\r\nContent-Type: image/jpeg\r\n\r\n'
    )
    return head + data + f"\r\n--{boundary}--\r\n".encode()
