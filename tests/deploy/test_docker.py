"""Docker cannot run here, so the compose file and Dockerfile are checked by reading them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import dockerfile
import pytest
import yaml
from pydantic_settings import BaseSettings

from services.api.config import ApiSettings
from services.inference.config import InferenceSettings
from services.web.config import WebSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS: dict[str, type[BaseSettings]] = {
    "DEEPCATCHER_API_": ApiSettings,
    "DEEPCATCHER_INFERENCE_": InferenceSettings,
    "DEEPCATCHER_WEB_": WebSettings,
}
LONG_RUNNING = {
    "postgres",
    "redis",
    "inference",
    "inference-gpu",
    "tfserving",
    "pgbouncer",
    "api",
    "worker",
    "web",
}
RUNTIME_TARGETS = {"api", "inference", "web"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def stages() -> dict[str, list[dockerfile.Command]]:
    """Each Dockerfile stage's instructions, by stage name."""
    found: dict[str, list[dockerfile.Command]] = {}
    current = ""
    for command in dockerfile.parse_file(str(ROOT / "Dockerfile")):
        if command.cmd == "FROM":
            current = (
                command.value[-1]
                if "AS" in [v.upper() for v in command.value]
                else command.value[0]
            )
            found[current] = []
        found.setdefault(current, []).append(command)
    return found


def _image_targets(compose: dict[str, Any]) -> dict[str, str]:
    """Which Dockerfile target each image name is built from."""
    return {
        service["image"]: service["build"]["target"]
        for service in compose["services"].values()
        if "build" in service
    }


def _target_of(name: str, compose: dict[str, Any]) -> str | None:
    service = compose["services"][name]
    if "build" in service:
        return str(service["build"]["target"])
    return _image_targets(compose).get(service.get("image", ""))


def test_the_stack_has_every_part(compose: dict[str, Any]) -> None:
    assert LONG_RUNNING | {"migrate"} == set(compose["services"])
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "images"}
    postgres = compose["services"]["postgres"]
    assert "pgdata:/var/lib/postgresql/data" in postgres["volumes"]


def test_every_long_running_service_has_a_healthcheck(
    compose: dict[str, Any], stages: dict[str, list[dockerfile.Command]]
) -> None:
    for name in LONG_RUNNING:
        service = compose["services"][name]
        target = _target_of(name, compose)
        in_dockerfile = target is not None and any(c.cmd == "HEALTHCHECK" for c in stages[target])
        assert "healthcheck" in service or in_dockerfile, name


def test_migrations_run_once_before_the_api_and_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["deepcatcher", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "worker"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
        assert "images:/data/images" in services[name]["volumes"]


def test_profiles(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["inference-gpu"]["profiles"] == ["gpu"]
    device = services["inference-gpu"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert (device["driver"], device["capabilities"]) == ("nvidia", ["gpu"])
    assert "profiles" not in services["inference"], "the CPU inference service is the default"
    tfserving = services["tfserving"]
    assert tfserving["profiles"] == ["tfserving"]
    assert "--enable_batching=true" in tfserving["command"]
    batching = ROOT / "deploy/tfserving/batching.txt"
    assert re.search(r"max_batch_size \{ value: \d+ \}", batching.read_text())
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"


def test_configuration_is_environment_only_and_names_real_settings(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert "env_file" not in service, name
        for key in service.get("environment", {}):
            prefix = next((p for p in SETTINGS if key.startswith(p)), None)
            if prefix is None:
                continue
            field = key.removeprefix(prefix).lower()
            assert field in SETTINGS[prefix].model_fields, f"{name}: {key} is not a setting"


def test_no_secret_has_a_default(compose: dict[str, Any]) -> None:
    for name in ("api", "web"):
        environment = compose["services"][name]["environment"]
        secret = next(v for k, v in environment.items() if k.endswith("SECRET_KEY"))
        assert secret.startswith("${DEEPCATCHER_SECRET_KEY:?"), name


def test_built_images_exist_as_dockerfile_targets(
    compose: dict[str, Any], stages: dict[str, list[dockerfile.Command]]
) -> None:
    assert set(_image_targets(compose).values()) == RUNTIME_TARGETS
    assert set(stages) >= RUNTIME_TARGETS


@pytest.mark.parametrize("target", sorted(RUNTIME_TARGETS))
def test_runtime_images_are_slim_and_run_as_non_root(
    target: str, stages: dict[str, list[dockerfile.Command]]
) -> None:
    commands = stages[target]
    assert commands[0].value[0] == "runtime"
    base = stages["runtime"][0].value[0]
    assert base == "${PYTHON_IMAGE}"
    users = [c.value[0] for c in commands if c.cmd == "USER"]
    assert users and not users[-1].startswith(("0", "root"))
    assert any(c.cmd == "HEALTHCHECK" for c in commands)
    assert not any(c.cmd == "RUN" for c in commands), "build steps belong in build stages"
    runtime_runs = " ".join(" ".join(c.value) for c in stages["runtime"] if c.cmd == "RUN")
    assert not re.search(r"\b(gcc|build-essential|apt-get install)\b", runtime_runs)


def test_slim_base_image() -> None:
    argument = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert argument is not None and argument.group(1).endswith("-slim-bookworm")


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run(
        [str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_inference_token_is_required_and_given_to_its_callers(compose: dict[str, Any]) -> None:
    expected = {
        "inference": "DEEPCATCHER_INFERENCE_SERVICE_TOKEN",
        "api": "DEEPCATCHER_API_INFERENCE_TOKEN",
        "worker": "DEEPCATCHER_API_INFERENCE_TOKEN",
        "web": "DEEPCATCHER_WEB_INFERENCE_TOKEN",
    }
    for name, key in expected.items():
        token = compose["services"][name]["environment"][key]
        assert token.startswith("${DEEPCATCHER_SERVICE_TOKEN:?"), name


def test_the_api_believes_forwarded_addresses_from_the_web_only(compose: dict[str, Any]) -> None:
    web_address = compose["services"]["web"]["networks"]["default"]["ipv4_address"]
    trusted = compose["services"]["api"]["environment"]["DEEPCATCHER_API_FORWARDED_ALLOW_IPS"]
    assert trusted == web_address == "${WEB_ADDRESS:-172.30.0.10}"
