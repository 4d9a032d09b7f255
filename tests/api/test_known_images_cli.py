"""`deepcatcher known-images` when the API cannot be reached."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from tests.support.archives import with_manifest

runner = CliRunner()


@pytest.fixture
def refusing_url() -> Iterator[str]:
    """An address whose port is bound but not listening: every connection is refused."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"


def test_an_unreachable_api_is_one_clear_line_and_a_failure(
    refusing_url: str, tmp_path: Path
) -> None:
    archive = tmp_path / "known.zip"
    archive.write_bytes(with_manifest([{"file": "a.png", "label": "ai", "note": ""}]))
    commands = (["import", str(archive)], ["list"], ["remove", str(uuid.uuid4())])

    for command in commands:
        result = runner.invoke(
            app, ["known-images", *command, "--token", "t", "--api-url", refusing_url]
        )

        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert result.output.splitlines() == [
            f"error: cannot reach the API at {refusing_url}: Connection refused"
        ]
