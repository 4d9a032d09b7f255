"""`pip install clients/python` works on its own, in a fresh venv without TensorFlow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
# What `deepcatcher check` imports, without the services' heavy dependencies (TensorFlow,
# Pillow, the database drivers): the project itself is installed with --no-deps.
CHECK_DEPENDENCIES = ["typer", "rich", "pydantic-settings", "fastapi", "numpy"]


def test_client_installs_and_works_without_the_services(
    servers: Servers, account: Account, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    # Outside the project: no PYTHONPATH pointing at the checkout, no inherited packages.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    install = [python, "-m", "pip", "install", "--quiet", str(ROOT / "clients" / "python")]
    install += ["--constraint", str(ROOT / "constraints.txt")]
    subprocess.run(install, check=True, env=env, cwd=tmp_path, timeout=240)
    freeze = subprocess.run(
        [python, "-m", "pip", "list", "--format=freeze"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    installed = {line.split("==")[0].lower() for line in freeze.stdout.splitlines()}
    assert {"deepcatcher-client", "httpx", "pydantic"} <= installed
    assert not installed & {"tensorflow", "keras", "fastapi", "deepcatcher"}
    photo = tmp_path / "bright.jpg"
    photo.write_bytes(images.flat_jpeg(level=230, seed=900))
    with link_server_in_thread() as site:
        link = site.put("/dark.jpg", images.flat_jpeg(level=30, seed=901), "image/jpeg")
        run = [python, "-c", SCRIPT, servers.api, account.api_key, str(photo), link]
        checked = subprocess.run(run, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "fake real"


def test_deepcatcher_check_of_links_runs_without_tensorflow(
    servers: Servers, account: Account, tmp_path: Path
) -> None:
    python, env = _fresh_venv(tmp_path / "venv")
    constraints = ["--constraint", str(ROOT / "constraints.txt")]
    pip = [python, "-m", "pip", "install", "--quiet", *constraints]
    subprocess.run(
        [*pip, str(ROOT / "clients" / "python"), *CHECK_DEPENDENCIES],
        check=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    subprocess.run([*pip, "--no-deps", str(ROOT)], check=True, env=env, cwd=tmp_path, timeout=300)
    links = tmp_path / "links.txt"
    with link_server_in_thread() as site:
        bright = site.put("/bright.jpg", images.flat_jpeg(level=230, seed=902), "image/jpeg")
        links.write_text(site.put("/dark.jpg", images.flat_jpeg(level=30, seed=903), "image/jpeg"))
        command = [str(Path(python).parent / "deepcatcher"), "check", "--no-progress", bright]
        command += ["--from", str(links), "--server", servers.api, "--format", "json"]
        done = subprocess.run(
            command, env=env | {"DEEPCATCHER_API_KEY": account.api_key}, cwd=tmp_path,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    probe = [python, "-c", "import importlib.util as u; print(u.find_spec('tensorflow'))"]
    assert subprocess.run(probe, env=env, capture_output=True, text=True).stdout.strip() == "None"
    assert done.returncode == 1, done.stderr  # something is fake
    assert [row["verdict"] for row in json.loads(done.stdout)] == ["fake", "real"]


def _fresh_venv(venv: Path) -> tuple[str, dict[str, str]]:
    """A new virtual environment's python, and an environment that does not see the checkout."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    return str(venv / "bin" / "python"), env
