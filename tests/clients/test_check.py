"""The checker against the real services: folders in, verdicts and an exit status out.

It runs as `deepcatcher check`, the server's alias of the SDK's `deepcatcher-check` (which
test_install.py runs from a venv holding the SDK only).
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from deepcatcher_client import Client
from deepcatcher_client.checker.state import CheckState

from tests.clients.conftest import Account, Servers
from tests.support import images
from tests.support.links import link_server_in_thread, page
from tests.support.processes import closed_port_url, deepcatcher_command, running

DARK, BRIGHT = 30, 230


def image_folder(root: Path, *, dark: int, bright: int = 0, seed: int = 0) -> Path:
    """A folder tree of small distinct JPEGs, half of them one level down."""
    for index in range(dark + bright):
        folder = root / ("nested/deeper" if index % 2 else "")
        folder.mkdir(parents=True, exist_ok=True)
        level = BRIGHT if index < bright else DARK
        (folder / f"{index:03}.jpg").write_bytes(images.flat_jpeg(level=level, seed=seed + index))
    (root / "notes.txt").write_text("not an image: skipped by the walk")
    return root


def check(
    *args: str, api_key: str | None, progress: bool = False, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """Run `deepcatcher check` to its end."""
    env = {name: value for name, value in os.environ.items() if name != "DEEPCATCHER_API_KEY"}
    env |= {"DEEPCATCHER_API_KEY": api_key} if api_key else {}
    command = deepcatcher_command("check", "--progress" if progress else "--no-progress", *args)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def saved_state(path: Path) -> CheckState | None:
    """The state file's content, once there is one."""
    return CheckState.model_validate_json(path.read_bytes()) if path.is_file() else None


def wait_for_state(path: Path, *, ready: object, timeout_s: float = 120) -> CheckState:
    """Poll the state file until `ready(state)` holds."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = saved_state(path)
        if state is not None and ready(state):  # type: ignore[operator]
            return state
        time.sleep(0.05)
    raise AssertionError(f"the state file never got there: {saved_state(path)}")


def test_a_folder_of_200_images_checks_as_bulk_jobs_and_exits_1(
    servers: Servers, account: Account, tmp_path: Path
) -> None:
    folder = image_folder(tmp_path / "photos", dark=195, bright=5)
    started = time.monotonic()
    done = check(str(folder), "--server", servers.api, "--format", "json", api_key=account.api_key)
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 200 and not [row for row in rows if row["error"]]
    assert sorted(row["verdict"] for row in rows).count("fake") == 5
    assert {row["path"] for row in rows if row["verdict"] == "fake"} == {
        str(folder / name) for name in ("000.jpg", "002.jpg", "004.jpg")
    } | {str(folder / "nested/deeper" / name) for name in ("001.jpg", "003.jpg")}
    with Client(servers.api, api_key=account.api_key) as client:
        assert sum(job.total for job in client.jobs()) == 200
    assert "200 images: 5 fake, 0 uncertain, 195 real, 0 error" in done.stderr
    print(f"200 images checked end to end in {elapsed:.1f} s")


def test_a_small_real_set_goes_as_predictions_exits_0_and_reads_a_config_file(
    servers: Servers, account: Account, tmp_path: Path
) -> None:
    folder = image_folder(tmp_path / "few", dark=5, seed=300)
    config = tmp_path / "client.toml"
    config.write_text(f'server = "{servers.api}"\napi_key = "{account.api_key}"\n')
    done = check(str(folder), "--config", str(config), "--format", "csv", api_key=None)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["verdict"] for row in rows] == ["real"] * 5 and all(
        row["prediction_id"] for row in rows
    )
    with Client(servers.api, api_key=account.api_key) as client:
        assert list(client.jobs()) == [] and len(list(client.predictions())) == 5
    table = check(str(folder), "--config", str(config), api_key=None, progress=True)
    assert table.returncode == 0 and "real" in table.stdout and "5 already checked" in table.stderr
    assert "checking" in table.stderr and "5/5" in table.stderr  # the progress bar's last state


def test_errors_exit_2(servers: Servers, account: Account, tmp_path: Path) -> None:
    folder = image_folder(tmp_path / "mixed", dark=2, bright=1, seed=400)
    (folder / "broken.jpg").write_bytes(b"this is no image")
    done = check(str(folder), "--server", servers.api, "--format", "json", api_key=account.api_key)
    assert done.returncode == 2, done.stderr
    errors = {
        Path(row["path"]).name: row["error"] for row in json.loads(done.stdout) if row["error"]
    }
    assert list(errors) == ["broken.jpg"]
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "broken.png").write_bytes(b"not a png either")
    lonely = check(str(alone), "--server", servers.api, "--format", "csv", api_key=account.api_key)
    assert lonely.returncode == 2 and "error:" not in lonely.stderr
    assert "broken.png" in lonely.stdout and "1 error" in lonely.stderr
    down = check(str(folder), "--server", closed_port_url(), api_key=account.api_key)
    assert down.returncode == 2 and "cannot reach" in down.stderr
    missing = check(str(tmp_path / "nowhere"), "--server", servers.api, api_key=account.api_key)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr


def test_a_killed_run_resumes_without_checking_anything_twice(
    servers: Servers, account: Account, tmp_path: Path
) -> None:
    folder = image_folder(tmp_path / "many", dark=120, seed=1000)
    state_path = tmp_path / "resume.json"
    args = [str(folder), "--server", servers.api, "--state", str(state_path), "--bulk-over", "1000"]
    env = {"DEEPCATCHER_API_KEY": account.api_key}
    command = deepcatcher_command("check", "--no-progress", *args)
    with running(command, env=env, log=tmp_path / "first.log") as first:
        at_kill = wait_for_state(state_path, ready=lambda state: len(state.checked) >= 32)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert len(at_kill.checked) < 120, "the run ended before it could be killed"
    resumed = check(*args, "--format", "json", api_key=account.api_key)
    assert resumed.returncode == 0, resumed.stderr
    assert len(json.loads(resumed.stdout)) == 120
    with Client(servers.api, api_key=account.api_key) as client:
        history = list(client.predictions())
    assert len(history) == 120  # one prediction per image: none was checked twice
    assert len({item.image.sha256 for item in history}) == 120
    again = check(*args, api_key=account.api_key)
    assert again.returncode == 0 and "(120 already checked before this run)" in again.stderr
    with Client(servers.api, api_key=account.api_key) as client:
        assert len(list(client.predictions())) == 120


def test_a_killed_bulk_run_collects_its_jobs_instead_of_resubmitting(
    servers: Servers, account: Account, tmp_path: Path
) -> None:
    folder = image_folder(tmp_path / "queued", dark=40, seed=2000)
    state_path = tmp_path / "resume.json"
    args = [str(folder), "--server", servers.paused_api, "--state", str(state_path)]
    args += ["--bulk-over", "10", "--job-size", "20"]
    command = deepcatcher_command("check", "--no-progress", *args)
    env = {"DEEPCATCHER_API_KEY": account.api_key}
    with running(command, env=env, log=tmp_path / "first.log") as first:
        wait_for_state(state_path, ready=lambda state: len(state.pending_jobs) == 2)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    inference = servers.api_env["DEEPCATCHER_API_INFERENCE_URL"]
    worker_env = servers.paused_env | {"DEEPCATCHER_API_INFERENCE_URL": inference}
    with running(deepcatcher_command("worker"), env=worker_env, log=tmp_path / "worker.log"):
        resumed = check(*args, api_key=account.api_key)
    assert resumed.returncode == 0, resumed.stderr
    with Client(servers.paused_api, api_key=account.api_key) as client:
        assert [job.total for job in client.jobs()] == [20, 20]
        assert len(list(client.predictions())) == 40
    assert saved_state(state_path) == CheckState.model_validate(
        saved_state(state_path).model_dump() | {"pending_jobs": {}}  # type: ignore[union-attr]
    )


def test_links_files_and_a_list_of_links_are_checked_together(
    servers: Servers, account: Account, tmp_path: Path
) -> None:
    folder = image_folder(tmp_path / "mixed", dark=2, seed=500)
    state = ["--state", str(tmp_path / "resume.json")]
    with link_server_in_thread() as site:
        bright = site.put("/render.jpg", images.flat_jpeg(level=BRIGHT, seed=501), "image/jpeg")
        site.put("/media/dark.jpg", images.flat_jpeg(level=DARK, seed=502), "image/jpeg")
        html = page('<meta property="og:image" content="/media/dark.jpg">')
        story, gone = site.put("/story", html, "text/html"), site.url("/gone.jpg")
        links = tmp_path / "links.txt"
        links.write_text(f"# pasted from the newsroom chat\n{story}\n\n{gone}\n")
        done = check(
            bright, str(folder), "--from", str(links), "--server", servers.api, "--format", "json",
            *state, api_key=account.api_key,
        )  # fmt: skip
        again = check(bright, "--from", str(links), "--server", servers.api, *state, api_key=None)
    assert done.returncode == 2, done.stderr  # the missing link is an error
    rows = {row["path"]: row for row in json.loads(done.stdout)}
    assert list(rows)[2:] == [bright, story, gone]  # files first, then links as given
    assert [rows[path]["verdict"] for path in (bright, story)] == ["fake", "real"]
    assert [row["verdict"] for row in list(rows.values())[:2]] == ["real", "real"]
    assert "404" in rows[gone]["error"]
    assert "5 images: 1 fake, 0 uncertain, 3 real, 1 error" in done.stderr
    assert "(2 already checked before this run)" in again.stderr  # both links kept by the state
    with Client(servers.api, api_key=account.api_key) as client:
        sources = {p.source.url for p in client.predictions() if p.source is not None}
    assert sources == {bright, story}
