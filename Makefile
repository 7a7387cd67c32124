# One command to run, one to test. Everything is installed into .venv from pinned versions.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev   # the bot and the dev tools (tests, lint)
RUN_STAMP := $(VENV)/.installed-run  # the bot only: what `make run` needs

.PHONY: run test test-clock postgres lint format bench bench-crash check preview schedule clean help

help:
	@echo "make run     - install (if needed) and start the bot"
	@echo "make test    - install (if needed), lint with ruff, type-check with mypy, run pytest with coverage"
	@echo "make test-clock - the unit and series tests with the system clock moved (faketime)"
	@echo "make bench   - run the benchmarks and print the report"
	@echo "make format  - format the code with ruff"

$(RUN_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/challenge-bot run

check: $(RUN_STAMP)
	$(BIN)/challenge-bot check

# The store tests run on SQLite and on a real PostgreSQL (Debian's server, installed if
# missing; each run starts its own throwaway cluster on 127.0.0.1), then the end-to-end tests
# that write the most state run again with the bot on PostgreSQL.
PG_E2E ?= tests/e2e/test_series.py tests/e2e/test_comments.py tests/e2e/test_members.py \
	tests/e2e/test_editions.py tests/e2e/test_faults.py
test: $(STAMP) postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)
	E2E_DATABASE=postgresql $(BIN)/python -m pytest -q -p no:cacheprovider $(PG_E2E)

postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq postgresql >/dev/null)

# The suite with the system clock moved (libfaketime fakes the monotonic clock too, which
# time.sleep needs): months and years ahead, and inside Morocco's Ramadan clock change. Always
# offsets, never an absolute "@date": every process (the bot subprocesses too) must agree.
FAKETIME_LIB := /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
CLOCK_TESTS ?= tests/unit tests/e2e/test_series.py
RAMADAN_2027 = $$($(BIN)/python -c "from datetime import datetime as d, UTC; \
	print(f'{(d(2027, 2, 20, 10, tzinfo=UTC) - d.now(UTC)).total_seconds():+.0f}')")
test-clock: $(STAMP) postgres
	@test -f $(FAKETIME_LIB) || (apt-get update -qq && apt-get install -y -qq faketime >/dev/null)
	@for when in +200d +1655d "$(RAMADAN_2027)"; do \
		echo "== clock moved by $$when"; \
		LD_PRELOAD=$(FAKETIME_LIB) FAKETIME="$$when" \
			$(BIN)/python -m pytest -q -p no:cacheprovider $(CLOCK_TESTS) || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

bench-crash: $(STAMP) postgres
	$(BIN)/python -m pytest -m slow tests/slow -s
	E2E_DATABASE=postgresql $(BIN)/python -m pytest -m slow tests/slow -s

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov
