"""`pip install clients/python` works on its own, in a fresh venv without TensorFlow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.clients.conftest import Account, Servers
from tests.support import images

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import importlib.util, sys
assert importlib.util.find_spec("tensorflow") is None, "tensorflow is installed"
assert importlib.util.find_spec("services") is None, "the services are importable"
from deepcatcher_client import Client
with Client(sys.argv[1], api_key=sys.argv[2]) as client:
    batch = client.predict([sys.argv[3]])
print(batch.items[0].prediction.verdict)
"""


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
    run = [python, "-c", SCRIPT, servers.api, account.api_key, str(photo)]
    checked = subprocess.run(run, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "fake"
