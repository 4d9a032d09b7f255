"""Prometheus metrics, kept in a registry per app so several apps can share one process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Scope

from services.common.observability import RequestObserver

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128)


class InferenceMetrics:
    """Every metric the inference service exports."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        prefix = "deepcatcher_inference"
        self.requests = Counter(
            f"{prefix}_http_requests",
            "HTTP requests answered.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            f"{prefix}_http_request_seconds",
            "HTTP request latency.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.predictions = Counter(
            f"{prefix}_predictions",
            "Images answered, by verdict.",
            ["verdict"],
            registry=self.registry,
        )
        self.rejected = Counter(
            f"{prefix}_rejected",
            "Images refused because the queue was full.",
            registry=self.registry,
        )
        self.batch_size = Histogram(
            f"{prefix}_batch_size",
            "Images merged into one model call.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.batch_crops = Histogram(
            f"{prefix}_batch_crops",
            "Crops in one model call.",
            buckets=(1, 4, 16, 32, 64, 128, 256, 512, 1024, 2048),
            registry=self.registry,
        )
        self.model_seconds = Histogram(
            f"{prefix}_model_call_seconds",
            "Time of one batched model call.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.stage_seconds = Histogram(
            f"{prefix}_stage_seconds",
            "Time spent per pipeline stage and image.",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            f"{prefix}_queue_depth", "Images waiting for the model.", registry=self.registry
        )
        self.in_flight = Gauge(
            f"{prefix}_in_flight", "Images admitted and not yet answered.", registry=self.registry
        )
        self.model_load_seconds = Gauge(
            f"{prefix}_model_load_seconds",
            "Time to load and check the model.",
            registry=self.registry,
        )
        self.model_warmup_seconds = Gauge(
            f"{prefix}_model_warmup_seconds", "Time to warm the model up.", registry=self.registry
        )
        self.model_info = Gauge(
            f"{prefix}_model_info",
            "The model being served (value 1).",
            ["name", "version", "device", "precision"],
            registry=self.registry,
        )


class MetricsMiddleware(RequestObserver):
    """Count every HTTP request and time it, labelled by route template (not raw path)."""

    def __init__(self, app: ASGIApp, *, metrics: InferenceMetrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    def observe(self, *, scope: Scope, status: int, seconds: float) -> None:
        """Count the request and record its latency."""
        route = getattr(scope.get("route"), "path", "unmatched")
        self.metrics.requests.labels(scope["method"], route, str(status)).inc()
        self.metrics.latency.labels(route).observe(seconds)
