# szportal developer / CI entry points.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: venv instance test bench run clean

venv: $(STAMP)

# Re-installs only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --upgrade pip
	$(VPY) -m pip install -e '.[dev]'
	touch $(STAMP)

instance:
	mkdir -p instance

test: venv instance
	$(VPY) -m pytest -q $(PYTEST_ARGS)

bench: venv instance
	$(VPY) -m bench

# ---------------------------------------------------------------------------
# run: start the portal. `szportal run` is implemented later in engine/cli.py.
# ---------------------------------------------------------------------------
run: venv instance
	$(VENV)/bin/szportal run

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info build dist
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +
