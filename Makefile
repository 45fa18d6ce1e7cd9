# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench bench-digest install

$(BIN)/pmbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(BIN)/pmbot

install: $(BIN)/pmbot

run: install  ## serve Slack over HTTP on SQLite (pmbot.db) with SLACK_* from the environment or .env; without them, the playground
	$(BIN)/python -m bot.playground.make_run

test: install  ## lint, then the whole suite on SQLite and PostgreSQL
	scripts/ensure-postgres
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: install  ## the filing benchmark (see bench/README.md)
	$(BIN)/python -m bench.filing

bench-digest: install  ## the weekly digest at 1k/10k/100k requests, SQLite and PostgreSQL (see bench/README.md)
	scripts/ensure-postgres
	$(BIN)/python -m bench.digest --postgres
