"""`pip install clients/python` works on its own, in a fresh venv without TensorFlow: the client
and its `deepcatcher-check` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients.conftest import Account, Servers
from tests.support import images
from tests.support.links import link_server_in_thread

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import importlib.util, sys
assert importlib.util.find_spec("tensorflow") is None, "tensorflow is installed"
assert importlib.util.find_spec("services") is None, "the services are importable"
from deepcatcher_client import Client
with Client(sys.argv[1], api_key=sys.argv[2]) as client:
    batch = client.predict([sys.argv[3]])
    linked = client.check_url(sys.argv[4])
print(batch.items[0].prediction.verdict, linked.items[0].prediction.verdict)
"""


@pytest.fixture(scope="module")
def sdk_venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv's bin folder holding `pip install clients/python` only, and its environment."""
    venv = tmp_path_factory.mktemp("sdk") / "venv"
    # Outside the project: no PYTHONPATH pointing at the checkout, no inherited packages.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    install = [python, "-m", "pip", "install", "--quiet", str(ROOT / "clients" / "python")]
    install += ["--constraint", str(ROOT / "constraints.txt")]
    subprocess.run(install, check=True, env=env, cwd=venv.parent, timeout=240)
    return venv / "bin", env


def test_the_sdk_installs_without_the_services(sdk_venv: tuple[Path, dict[str, str]]) -> None:
    bin_dir, env = sdk_venv
    freeze = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "list", "--format=freeze"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    installed = {line.split("==")[0].lower() for line in freeze.stdout.splitlines()}
    assert {"deepcatcher-client", "httpx", "pydantic", "typer", "rich"} <= installed
    assert not installed & {"tensorflow", "keras", "onnxruntime", "fastapi", "deepcatcher"}


def test_client_works_without_the_services(
    sdk_venv: tuple[Path, dict[str, str]], servers: Servers, account: Account, tmp_path: Path
) -> None:
    bin_dir, env = sdk_venv
    photo = tmp_path / "bright.jpg"
    photo.write_bytes(images.flat_jpeg(level=230, seed=900))
    with link_server_in_thread() as site:
        link = site.put("/dark.jpg", images.flat_jpeg(level=30, seed=901), "image/jpeg")
        run = [str(bin_dir / "python"), "-c", SCRIPT, servers.api, account.api_key, str(photo)]
        checked = subprocess.run(
            [*run, link], env=env, cwd=tmp_path, capture_output=True, text=True
        )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "fake real"


def test_deepcatcher_check_runs_from_the_sdk_alone(
    sdk_venv: tuple[Path, dict[str, str]], servers: Servers, account: Account, tmp_path: Path
) -> None:
    bin_dir, env = sdk_venv
    command = str(bin_dir / "deepcatcher-check")
    helped = subprocess.run([command, "--help"], env=env, capture_output=True, text=True)
    assert helped.returncode == 0, helped.stderr
    assert "--from" in helped.stdout and "--server" in helped.stdout
    links = tmp_path / "links.txt"
    with link_server_in_thread() as site:
        bright = site.put("/bright.jpg", images.flat_jpeg(level=230, seed=902), "image/jpeg")
        links.write_text(site.put("/dark.jpg", images.flat_jpeg(level=30, seed=903), "image/jpeg"))
        arguments = ["--no-progress", bright, "--from", str(links), "--server", servers.api]
        done = subprocess.run(
            [command, *arguments, "--format", "json"],
            env=env | {"DEEPCATCHER_API_KEY": account.api_key}, cwd=tmp_path,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr  # something is fake
    assert [row["verdict"] for row in json.loads(done.stdout)] == ["fake", "real"]
