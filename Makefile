# Two commands do all set-up on a fresh Debian/Ubuntu machine:
#   make demo   - system library, venv, package; paints a picture (demo.png)
#   make test   - the same set-up, then ruff (lint + format check) and the test suite
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
PY := $(VENV)/bin/python
SHARED_DATA := $(abspath ../shared/data)
# Tests, benchmarks and the demo read the offline data copies when they sit beside the checkout.
export PAINT_GYM_DATA ?= $(if $(wildcard $(SHARED_DATA)/mnist.npz),$(SHARED_DATA),)

.PHONY: setup demo lint test bench clean

$(VENV)/.installed: pyproject.toml scripts/setup.sh
	PYTHON=$(PYTHON) VENV=$(VENV) TORCH_SPEC="$(TORCH_SPEC)" bash scripts/setup.sh
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(VENV)/bin/paint-gym demo --out demo.png

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest -q

bench: setup
	$(PY) benchmarks/env_speed.py

clean:
	rm -rf $(VENV) demo.png .pytest_cache
