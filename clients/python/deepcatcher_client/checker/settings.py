"""Where `deepcatcher-check` finds its server and API key: the environment, then a config file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG_FILE = Path("~/.config/deepcatcher/client.toml")


class CheckSettings(BaseSettings):
    """`DEEPCATCHER_SERVER` and `DEEPCATCHER_API_KEY`, else `server` and `api_key` from the file."""

    model_config = SettingsConfigDict(
        env_prefix="DEEPCATCHER_", env_ignore_empty=True, extra="ignore"
    )

    server: str | None = None
    api_key: SecretStr | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment wins over the config file's values, which come in as init values."""
        return (env_settings, init_settings)


def load_settings(*, config_file: Path | None) -> CheckSettings:
    """The settings, reading the config file (TOML) when there is one."""
    path = (config_file or DEFAULT_CONFIG_FILE).expanduser()
    values: dict[str, Any] = tomllib.loads(path.read_text()) if path.is_file() else {}
    if config_file is not None and not path.is_file():
        raise FileNotFoundError(f"no config file at {path}")
    return CheckSettings(**values)
