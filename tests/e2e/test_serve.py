"""The whole app as `make run` starts it: real processes talking HTTP, on the test database."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.common.processes import free_port, wait_until_ready
from tests.support import images
from tests.support.api import PASSWORD
from tests.support.models import write_tiny_model
from tests.support.processes import child_running, deepcatcher_command, running


@pytest.fixture
def app_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for the three services on free ports, with the tiny model."""
    ports = {name: str(free_port()) for name in ("WEB", "API", "INFERENCE")}
    return {
        "DEEPCATCHER_API_DATABASE_URL": database_url,
        "DEEPCATCHER_API_IMAGE_DIR": str(tmp_path / "images"),
        "DEEPCATCHER_API_PORT": ports["API"],
        "DEEPCATCHER_API_INFERENCE_URL": f"http://127.0.0.1:{ports['INFERENCE']}",
        "DEEPCATCHER_INFERENCE_PORT": ports["INFERENCE"],
        "DEEPCATCHER_INFERENCE_MODEL_PATH": str(write_tiny_model(folder=tmp_path)),
        "DEEPCATCHER_WEB_PORT": ports["WEB"],
        "DEEPCATCHER_WEB_API_URL": f"http://127.0.0.1:{ports['API']}",
        "DEEPCATCHER_WEB_INFERENCE_URL": f"http://127.0.0.1:{ports['INFERENCE']}",
    }


@pytest.fixture
def served(
    app_env: dict[str, str], tmp_path: Path, clean_database: None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`deepcatcher serve` running until the test ends; yields it and the API's URL."""
    # Started as a shell starts a background job (SIGINT ignored): Ctrl-C must still stop it all.
    command = deepcatcher_command("serve")
    log = tmp_path / "serve.log"
    with running(command, env=app_env, log=log, sigint_ignored=True) as process:
        api = f"http://127.0.0.1:{app_env['DEEPCATCHER_API_PORT']}"
        # Three services start on two cores, the inference one checking its towers first: on a
        # loaded CI machine that once took over the default 120 s.
        wait_until_ready(f"{api}/readyz", process=process, timeout_s=300.0)
        yield process, api


def test_full_flow_over_http(
    served: tuple[subprocess.Popen[bytes], str], app_env: dict[str, str]
) -> None:
    process, api = served
    admin = subprocess.run(
        deepcatcher_command(
            "users", "create", "--email", "root@example.org", "--password", PASSWORD, "--admin"
        ),
        env={**__import__("os").environ, **app_env},
        capture_output=True,
        check=True,
    )
    assert b"created admin root@example.org" in admin.stdout
    with httpx.Client(base_url=api, timeout=60) as client:
        registered = client.post(
            "/v1/auth/register", json={"email": "ada@example.org", "password": PASSWORD}
        )
        assert registered.status_code == 201
        user = _sign_in(client, "ada@example.org")
        root = _sign_in(client, "root@example.org")
        photo = images.jpeg(seed=11)
        checked = client.post(
            "/v1/predictions",
            files=[
                ("files", ("a.jpg", photo, "image/jpeg")),
                ("files", ("b.png", images.png(seed=12), "image/png")),
            ],
            headers=user | {"X-Request-ID": "e2e-flow-1"},
        )
        assert checked.status_code == 201, checked.text
        assert checked.headers["X-Request-ID"] == "e2e-flow-1"
        first = checked.json()["items"][0]["prediction"]
        assert first["model"]["name"] == "tiny" and first["reused"] is False
        again = client.post(
            "/v1/predictions", files=[("files", ("a.jpg", photo, "image/jpeg"))], headers=user
        )
        assert again.json()["items"][0]["prediction"]["reused"] is True
        history = client.get("/v1/predictions", headers=user).json()["items"]
        assert [i["status"] for i in checked.json()["items"]] == ["ok", "ok"], checked.text
        assert len(history) == 3
        report = client.post(
            f"/v1/predictions/{first['id']}/reports", json={"claimed_label": "real"}, headers=user
        )
        assert report.status_code == 201
        resolved = client.patch(
            f"/v1/reports/{report.json()['id']}", json={"status": "confirmed"}, headers=root
        )
        assert resolved.status_code == 200
        export = client.get("/v1/admin/feedback-export", headers=root)
        with tarfile.open(fileobj=io.BytesIO(export.content)) as archive:
            manifest_file = archive.extractfile("manifest.jsonl")
            assert manifest_file is not None
            rows = [json.loads(line) for line in manifest_file.read().splitlines()]
        assert [row["label"] for row in rows] == ["real"]

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    for port in ("API", "INFERENCE", "WEB"):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{app_env[f'DEEPCATCHER_{port}_PORT']}/healthz", timeout=2)


def _sign_in(client: httpx.Client, email: str) -> dict[str, str]:
    token = client.post("/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_sigterm_stops_every_child(
    served: tuple[subprocess.Popen[bytes], str], app_env: dict[str, str]
) -> None:
    process, _ = served
    web = f"http://127.0.0.1:{app_env['DEEPCATCHER_WEB_PORT']}"
    wait_until_ready(f"{web}/healthz", process=process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    for port in ("API", "INFERENCE", "WEB"):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{app_env[f'DEEPCATCHER_{port}_PORT']}/healthz", timeout=2)


def test_a_killed_service_is_restarted_while_the_others_keep_answering(
    served: tuple[subprocess.Popen[bytes], str], app_env: dict[str, str], tmp_path: Path
) -> None:
    process, api = served
    web, inference = (
        f"http://127.0.0.1:{app_env[f'DEEPCATCHER_{name}_PORT']}" for name in ("WEB", "INFERENCE")
    )
    wait_until_ready(f"{web}/healthz", process=process)
    wait_until_ready(f"{inference}/readyz", process=process)
    killed = child_running(process.pid, module="services.inference.main")

    os.kill(killed, signal.SIGKILL)

    assert httpx.get(f"{api}/healthz", timeout=5).status_code == 200
    assert httpx.get(f"{web}/healthz", timeout=5).status_code == 200
    wait_until_ready(f"{inference}/readyz", process=process)
    assert child_running(process.pid, module="services.inference.main") != killed
    checked = httpx.post(
        f"{api}/v1/predictions", files={"files": ("a.jpg", images.jpeg(seed=3))}, timeout=60
    )
    assert checked.status_code == 200, checked.text
    log = (tmp_path / "serve.log").read_text()
    assert "inference was killed by SIGKILL" in log
    assert "restarting it in 1 s" in log
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def test_a_service_that_keeps_failing_is_restarted_ever_more_slowly(
    app_env: dict[str, str], tmp_path: Path
) -> None:
    broken = app_env | {"DEEPCATCHER_INFERENCE_MODEL_PATH": str(tmp_path / "missing.keras")}
    log = tmp_path / "serve.log"
    with running(deepcatcher_command("serve"), env=broken, log=log) as process:
        deadline = time.monotonic() + 180
        while "restarting it in 2 s" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        api = f"http://127.0.0.1:{app_env['DEEPCATCHER_API_PORT']}"
        assert httpx.get(f"{api}/healthz", timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    # uvicorn exits with code 3 when the app fails to start
    assert "inference exited with code 3; restarting it in 1 s" in log.read_text()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{api}/healthz", timeout=2)
