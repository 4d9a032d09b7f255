"""TensorFlow Serving as the model backend: crops go to its REST predict API, not in-process."""

from __future__ import annotations

import httpx
import numpy as np

from services.inference.detectors.lowlevel.card import ModelCard


class TFServingError(RuntimeError):
    """TensorFlow Serving did not answer a predict call properly."""


class TFServingRunner:
    """Calls a model served by TensorFlow Serving; the same interface as the in-process runner."""

    def __init__(
        self, *, url: str, model_name: str, card: ModelCard, chunk_crops: int, timeout_s: float
    ) -> None:
        self.card = card
        self.chunk_crops = chunk_crops
        self.predict_path = f"/v1/models/{model_name}:predict"
        self.http = httpx.Client(base_url=url, timeout=timeout_s)

    def logits(self, crops: np.ndarray) -> np.ndarray:
        """Raw logits, one per crop, for a (n, size, size, 3) uint8 array."""
        outputs = [
            self._predict(crops[start : start + self.chunk_crops])
            for start in range(0, len(crops), self.chunk_crops)
        ]
        return np.concatenate(outputs) if outputs else np.zeros(0, np.float32)

    def warm_up(self) -> None:
        """One call of each shape serving will send, so TF Serving has compiled them."""
        size = self.card.input.crop_size
        for count in sorted({1, self.card.input.max_crops, self.chunk_crops}):
            self.logits(np.zeros((count, size, size, 3), np.uint8))

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.http.close()

    def _predict(self, chunk: np.ndarray) -> np.ndarray:
        # Server-side batching merges these calls across inference replicas.
        body = {"instances": chunk.astype(np.float32).tolist()}
        try:
            response = self.http.post(self.predict_path, json=body)
        except httpx.HTTPError as exc:
            raise TFServingError(f"TensorFlow Serving cannot be reached: {exc}") from exc
        if response.status_code != 200:
            raise TFServingError(
                f"TensorFlow Serving answered {response.status_code}: {response.text[:200]}"
            )
        predictions = np.asarray(response.json()["predictions"], dtype=np.float32)
        return predictions.reshape(-1)
