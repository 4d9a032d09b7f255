"""A realistic mix against the API: sign in, check single images, browse history, report.

Each simulated user sends about one request a second (`constant_throughput(1)`), so the number
of users sets the arrival rate. Run through `benchmarks/load.py`, which starts the stack.
"""

from __future__ import annotations

import io
import random
import uuid

from locust import HttpUser, constant_throughput, task
from PIL import Image

PASSWORD = "load test passphrase"


def _photo(seed: int) -> bytes:
    """A 640x480 camera-like JPEG, different for every seed (so results are not reused)."""
    rng = random.Random(seed)
    image = Image.effect_noise((640, 480), 40 + rng.random() * 30).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


class Visitor(HttpUser):
    """Someone who signs in, checks images, looks at history and sometimes reports."""

    wait_time = constant_throughput(1.0)

    def on_start(self) -> None:
        email = f"load-{uuid.uuid4().hex[:12]}@example.org"
        self.client.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
        token = self.client.post(
            "/v1/auth/token", data={"username": email, "password": PASSWORD}, name="/v1/auth/token"
        ).json()["access_token"]
        self.client.headers["Authorization"] = f"Bearer {token}"
        self.predictions: list[str] = []

    @task(4)
    def check_image(self) -> None:
        data = _photo(random.getrandbits(32))
        response = self.client.post(
            "/v1/predictions", files={"files": ("photo.jpg", data, "image/jpeg")}
        )
        if response.status_code == 201:
            self.predictions.append(response.json()["items"][0]["prediction"]["id"])

    @task(3)
    def history(self) -> None:
        self.client.get("/v1/predictions?limit=20", name="/v1/predictions?limit")

    @task(2)
    def one_prediction(self) -> None:
        if self.predictions:
            self.client.get(
                f"/v1/predictions/{random.choice(self.predictions)}", name="/v1/predictions/{id}"
            )

    @task(1)
    def report(self) -> None:
        if self.predictions:
            self.client.post(
                f"/v1/predictions/{random.choice(self.predictions)}/reports",
                json={"claimed_label": "real", "comment": "load test"},
                name="/v1/predictions/{id}/reports",
            )
