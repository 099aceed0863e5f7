# The two commands of the README: `make run` opens the app, `make test` runs every check.
# `make bench` runs the benchmarks by hand (never part of `make test`): BENCH_SIZE=10k|100k|1M, DB=file or URL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

BENCH_SIZE ?= 100k

.PHONY: run test lint venv clean app bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@bash scripts/system-deps.sh run
	$(BIN)/tamdesk $(if $(DB),--db $(DB),)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: $(STAMP)
	@bash scripts/system-deps.sh test
	$(MAKE) --no-print-directory lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_startup.py --size $(BENCH_SIZE)
	$(BIN)/python benchmarks/bench_export.py --size $(BENCH_SIZE) $(if $(DB),--db $(DB),)
	$(BIN)/python benchmarks/bench_imports.py --size $(BENCH_SIZE) $(if $(findstring postgresql,$(DB)),--db $(DB),)
	$(BIN)/python benchmarks/bench_health.py
	$(BIN)/python benchmarks/bench_tickets_page.py --size $(BENCH_SIZE) --scope mine $(if $(DB),--db $(DB),)
	$(BIN)/python benchmarks/bench_tickets_page.py --size $(BENCH_SIZE) --scope all $(if $(DB),--db $(DB),)
	$(BIN)/python benchmarks/bench_memory.py --size $(BENCH_SIZE) $(if $(DB),--db $(DB),)
	$(BIN)/python benchmarks/bench_memory.py --size $(BENCH_SIZE) $(if $(DB),--db $(DB),) --day
	$(BIN)/python benchmarks/bench_search.py --size $(BENCH_SIZE) $(if $(DB),--db $(DB),)

app: $(STAMP)
	bash scripts/build-app.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis
