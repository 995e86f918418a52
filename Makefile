# Two commands for a fresh machine with Python 3.11+ and make: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= neuromoa-report

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# The main job: amitriptyline's engagement at a low and an antidepressant dose, then the report.
demo: $(VENV)/.installed
	$(BIN)/neuromoa engage --compound amitriptyline --dose "10 mg" --every 24h
	$(BIN)/neuromoa engage --compound amitriptyline --dose "150 mg" --every 24h
	$(BIN)/neuromoa report --out $(OUT)
	@echo "Open $(OUT)/index.html in a browser (it works offline)."

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
