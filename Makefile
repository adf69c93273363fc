# Two commands for a new user: `make serve` runs Kinerja, `make test` runs the tests.
# Both create the virtual environment (.venv) and install the project on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint bench

# Serving needs Kinerja and its dependencies only; the test tools (pytest, Playwright,
# linters, PostgreSQL's driver) come with the first `make test` or `make lint`.
$(BIN)/kinerja: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

TEST_TOOLS := $(VENV)/.test-tools

$(TEST_TOOLS): $(BIN)/kinerja pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

serve: $(BIN)/kinerja
	$(BIN)/kinerja serve --host $(HOST) --port $(PORT)

test: $(TEST_TOOLS)
	$(BIN)/python -m pytest

lint: $(TEST_TOOLS)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/kinerja kb check

# Every figure of benchmarks/README.md, each against its anchor measured in the same run.
bench: $(BIN)/kinerja
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/agreement.py --cases 800
	$(BIN)/python benchmarks/bench_engine.py --cases 500
	$(BIN)/python benchmarks/bench_cli.py --runs 20
	$(BIN)/python benchmarks/bench_batch.py --cases 10000
	$(BIN)/python benchmarks/bench_web.py --duration 15
