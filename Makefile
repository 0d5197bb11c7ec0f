# One command per task. Every target sets up .venv first if it is missing or stale.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run demo test test-unit test-integration lint format typecheck definitions contract lock clean

$(STAMP): pyproject.toml requirements/dev.lock
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

run: install  ## start the whole platform locally and play the demo story; Ctrl-C stops it
	$(PY) -m tools.localrun run

demo: install  ## same, but exit after the story (0 when every step was observed)
	$(PY) -m tools.localrun demo

test: install lint typecheck  ## the whole suite: lint, types, unit, integration, end to end
	$(PY) -m pytest

test-unit: install
	$(PY) -m pytest tests/unit

test-integration: install
	$(PY) -m pytest tests/integration tests/e2e

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

typecheck: install
	$(PY) -m mypy shared services tools

definitions: install  ## regenerate deploy/rabbitmq/definitions.json from shared/topology.py
	$(PY) -m tools.rabbitmq_definitions --deterministic

contract: install  ## regenerate docs/asyncapi and docs/schemas from the code
	$(PY) -m tools.asyncapi

lock: install  ## re-pin requirements/*.lock after changing dependencies in pyproject.toml
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
		--python-platform linux -o requirements/runtime.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--python-platform linux -o requirements/dev.lock

clean:
	rm -rf $(VENV) .run .pytest_cache .mypy_cache .ruff_cache
