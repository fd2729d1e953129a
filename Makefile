# The two commands of the README: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: demo test lint

$(BIN)/hub: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/hub
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/hub
	$(BIN)/hub demo --port $(PORT)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	scripts/start-postgres
	HUB_TEST_DATABASE=sqlite $(BIN)/pytest -n 2 --dist loadgroup -p no:cacheprovider
	HUB_TEST_DATABASE=postgresql $(BIN)/pytest -n 2 --dist loadgroup -p no:cacheprovider
