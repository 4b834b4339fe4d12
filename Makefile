# Two commands do all set-up on a fresh Debian/Ubuntu machine:
#   make demo   - system library, venv, package; paints a picture (demo.png)
#   make test   - the same set-up, then ruff (lint + format check) and the test suite, and the
#                 RLlib tests in their own venv (Ray RLlib 2.60 pins gymnasium 1.2.2; the main
#                 venv keeps the newest gymnasium, so both versions are tested)
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
PY := $(VENV)/bin/python
VENV_RLLIB ?= .venv-rllib
SHARED_DATA := $(abspath ../shared/data)
# Tests, benchmarks and the demo read the offline data copies when they sit beside the checkout.
export PAINT_GYM_DATA ?= $(if $(wildcard $(SHARED_DATA)/mnist.npz),$(SHARED_DATA),)

.PHONY: setup rllib-venv demo lint test bench clean

$(VENV)/.installed: pyproject.toml scripts/setup.sh
	PYTHON=$(PYTHON) VENV=$(VENV) TORCH_SPEC="$(TORCH_SPEC)" bash scripts/setup.sh
	touch $@

setup: $(VENV)/.installed

# paint-gym[rllib] in its own venv: `.venv-rllib/bin/paint-gym train-rllib ...`
$(VENV_RLLIB)/.installed: pyproject.toml scripts/setup.sh
	PYTHON=$(PYTHON) VENV=$(VENV_RLLIB) TORCH_SPEC="$(TORCH_SPEC)" EXTRAS=rllib EXTRA_PACKAGES="pytest>=8" bash scripts/setup.sh
	touch $@

rllib-venv: $(VENV_RLLIB)/.installed

demo: setup
	$(VENV)/bin/paint-gym demo --out demo.png

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint rllib-venv
	$(PY) -m pytest -q
	$(VENV_RLLIB)/bin/python -m pytest -q tests/test_rllib.py tests/test_rl_libraries.py -k "rllib or RLlib"

bench: setup
	$(PY) benchmarks/env_speed.py

clean:
	rm -rf $(VENV) $(VENV_RLLIB) demo.png .pytest_cache
