# Two commands for a fresh machine with Python 3.11+ and make: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= neuromoa-report

.PHONY: demo test test-readme lint bench startup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make demo` installs every extra ([all]); `make test` adds the test tools ([all,test]).
# A fit-only user needs neither: `pip install neuromoa` is the core (see the README).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
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

# the suite on every core (pytest-xdist; tests use tmp_path and free ports, never fixed names;
# --dist loadfile keeps a file's tests on one worker, in order: the browser tests build on each other)
test: lint
	$(BIN)/python -m pytest -q -m "not readme_long" -n auto --dist loadfile

# The README's long command blocks (benchmarks, full reports): minutes each, so not in `make test`.
test-readme: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m readme_long tests/test_readme_commands.py

# start-up of the CLI (--help, --version, a small engage), lazy vs eager, new processes
startup: $(VENV)/.installed-test
	$(BIN)/python benchmarks/startup.py

bench: $(VENV)/.installed-test
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
