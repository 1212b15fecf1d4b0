# One obvious way to run things. `make run` and `make test` each do all the set-up they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint format init clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## run: install, then start the dashboard on the embedded store (created with demo data on first start)
run: $(BIN)/.installed
	$(BIN)/streamlit run dashboard.py --server.port $(PORT)

## test: install (including Debian's chromium for the browser test, poppler's pdftoppm for
## the board pack test and nginx for the reverse proxy's test), then run every test
test: $(BIN)/.installed
	scripts/install-browser
	scripts/install-pdf-tools
	scripts/install-proxy
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

## init: create or migrate the store and load demo data from the command line
init: $(BIN)/.installed
	$(BIN)/python -m metrics init --demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data/*.duckdb data/*.duckdb.wal tests/artifacts .pytest_cache
