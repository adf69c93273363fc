# Two commands for a new user: `make serve` runs Kinerja, `make test` runs the tests.
# Both create the virtual environment (.venv) and install the project on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint bench

$(BIN)/kinerja: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

serve: $(BIN)/kinerja
	$(BIN)/kinerja serve --host $(HOST) --port $(PORT)

test: $(BIN)/kinerja
	$(BIN)/python -m pytest

lint: $(BIN)/kinerja
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/kinerja kb check

bench: $(BIN)/kinerja
	$(BIN)/python benchmarks/bench_evaluate.py --cases 300
