# One command to run, one to test. Everything is installed into .venv from pinned versions.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench bench-crash check preview schedule clean help

help:
	@echo "make run     - install (if needed) and start the bot"
	@echo "make test    - install (if needed), lint with ruff, run pytest with coverage"
	@echo "make bench   - run the benchmarks and print the report"
	@echo "make format  - format the code with ruff"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/challenge-bot run

check: $(STAMP)
	$(BIN)/challenge-bot check

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

bench-crash: $(STAMP)
	$(BIN)/python -m pytest -m slow tests/slow -s

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov
