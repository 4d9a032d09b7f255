# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WEB_ASSETS := services/web/node_modules/.package-lock.json

.PHONY: install run test lint typecheck unit lock model load clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25"
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[dev,train]'
	touch $(STAMP)

# The web UI's front-end packages (htmx, the Inter font), pinned by package-lock.json.
$(WEB_ASSETS): services/web/package.json services/web/package-lock.json
	npm ci --prefix services/web --no-audit --no-fund
	touch $(WEB_ASSETS)

install: $(STAMP) $(WEB_ASSETS)

run: install
	$(BIN)/deepcatcher db upgrade
	$(BIN)/deepcatcher serve

test: lint typecheck unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy services migrations tests

unit: install
	$(BIN)/pytest

# Rebuilds the bundled default model with our own offline recipe (about 22 minutes on 2 idle cores).
model: install
	$(BIN)/deepcatcher train --recipe default

# The load test against API + inference on the local PostgreSQL (see benchmarks/load.py).
load: install
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[load]'
	$(BIN)/python benchmarks/load.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

# Regenerates the pinned constraints from what is installed now.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^deepcatcher' > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
