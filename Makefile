# Đôn Đốc: `make run` serves the demo, `make test` runs the whole suite (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
TRANSLATIONS := tracker/translations
# Test processes in parallel (pytest-xdist); `make test TEST_WORKERS=1` runs them one by one.
TEST_WORKERS ?= 4

.PHONY: run test lint fmt migrate translations extract-messages install install-test bench-data

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Cần Python 3.11 trở lên / Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F $(TRANSLATIONS)/babel.cfg -k N_ -k _l -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

run: install
	$(BIN)/tracker db upgrade
	$(BIN)/tracker demo
	$(BIN)/tracker serve --host 127.0.0.1 --port 5000

# Two passes: everything in parallel, then the tests that measure time or rate (marker
# `serial`), alone, so that another test never shares the machine with their clock.
test: install-test
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not serial"
	$(BIN)/pytest -m serial

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check tracker bots tests bench
	$(BIN)/mypy

fmt: install-test
	$(BIN)/ruff format tracker bots tests bench
	$(BIN)/ruff check --fix .

migrate: install
	$(BIN)/tracker db upgrade

bench-data: install
	$(BIN)/python bench/generate.py --units 2000 --assignments 100000
