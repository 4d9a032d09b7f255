"""The inference service's settings, read from DEEPCATCHER_INFERENCE_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, FilePath, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.inference.detectors.semantic.backbone import Numerics

MIN_TOKEN_LENGTH = 32


class InferenceSettings(BaseSettings):
    """Everything the inference service can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="DEEPCATCHER_INFERENCE_", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = 8001
    log_level: str = "INFO"
    # Every route but the probes asks for it as a bearer token; the API and web send it.
    # Required outside development: anyone who reaches the port could otherwise use the model.
    service_token: SecretStr | None = None
    # When set, /metrics asks for this bearer token instead; unset, /metrics stays open.
    metrics_token: SecretStr | None = None
    model_path: Path = Path("models/deepcatcher-default.keras")
    # The fused detector: the semantic view's card and the fusion of every view. Without one,
    # the low-level model alone decides (as with a TF Serving model trained elsewhere).
    fusion_card_path: Path | None = Path("models/deepcatcher-fusion.json")
    semantic_threads: int = Field(default=0, ge=0, description="0 lets onnxruntime decide.")
    # How the CLIP tower computes. "int8": the pinned file as onnxruntime picks kernels, whose
    # u8 x s8 products saturate on x86 CPUs without VNNI (features then collapse); "int8-exact":
    # integer products exact on every CPU, features within cosine ~0.97 across CPUs; "fp32":
    # dequantised weights, the same features everywhere. None (the default): what the fusion
    # card's head was trained on; another value is for experiments only, since the head then
    # reads features it never saw (the self-check at start says so).
    # Derived graphs are built once under cache_dir and checked by sha256 (semantic/numerics.py).
    semantic_numerics: Numerics | None = None
    cache_dir: Path = Path("var/cache")
    # "tfserving": crops go to TensorFlow Serving (the model_path then names the exported
    # SavedModel directory it serves, for the card and the version hash); nothing runs in-process.
    model_backend: Literal["keras", "tfserving"] = "keras"
    tfserving_url: str = "http://127.0.0.1:8501"
    tfserving_model_name: str = "deepcatcher-default"
    tfserving_timeout_s: float = Field(default=30.0, gt=0.0)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_files_per_request: int = Field(default=16, ge=1)
    max_image_pixels: int = Field(default=50_000_000, ge=1)
    # Images merged into one model call, and how long the first one waits for company.
    batch_max_size: int = Field(default=16, ge=1)
    batch_max_wait_ms: float = Field(default=5.0, ge=0.0)
    # Images admitted at once (decoding or waiting for the model); beyond it, 503.
    queue_max_size: int = Field(default=64, ge=1)
    retry_after_s: int = Field(default=1, ge=1)
    model_timeout_s: float = Field(default=60.0, gt=0.0)
    # Crops per forward pass; bigger batches are split so memory stays bounded.
    model_chunk_crops: int = Field(default=64, ge=1)
    preprocess_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    tf_intra_op_threads: int = Field(default=0, ge=0, description="0 lets TensorFlow decide.")
    tf_inter_op_threads: int = Field(default=0, ge=0, description="0 lets TensorFlow decide.")
    gpu_memory_growth: bool = True
    mixed_precision: bool = True
    warmup: bool = True
    # PEM file of C2PA trust anchors; without one, no signer is reported as trusted.
    c2pa_trust_anchors_path: FilePath | None = None
    explain_thumbnail_px: int = Field(default=384, ge=32, le=2048)
    spectrum_image_px: int = Field(default=128, ge=16, le=512)
    spectrum_max_crops: int = Field(default=4, ge=1)

    @field_validator("fusion_card_path", "service_token", "metrics_token", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _require_service_token(self) -> InferenceSettings:
        token = self.service_token.get_secret_value() if self.service_token else ""
        if self.environment != "development" and len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(
                f"DEEPCATCHER_INFERENCE_SERVICE_TOKEN must be a random value of at least "
                f"{MIN_TOKEN_LENGTH} characters outside development (give the API and web the "
                "same one); make one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe())'"
            )
        return self

    @model_validator(mode="after")
    def _queue_holds_a_batch(self) -> InferenceSettings:
        if self.queue_max_size < self.batch_max_size:
            raise ValueError("queue_max_size must be at least batch_max_size")
        return self

    @property
    def max_request_bytes(self) -> int:
        """The largest multipart body a request may send."""
        return self.max_upload_bytes * self.max_files_per_request + 64 * 1024
