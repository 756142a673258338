# szportal developer / CI entry points.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

# The tests that touch the database run a second time on PostgreSQL (a throw-away
# server from Debian's binaries; README, "Two commands").
PG_TEST_PATHS ?= tests/webapp tests/workers tests/soak/test_soak.py

.PHONY: venv instance test test-sqlite test-postgres bench run clean

venv: $(STAMP)

# Re-installs only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --upgrade pip
	$(VPY) -m pip install -e '.[dev]'
	touch $(STAMP)

instance:
	mkdir -p instance

test: test-sqlite test-postgres

test-sqlite: venv instance
	$(VPY) -m pytest -q $(PYTEST_ARGS)

test-postgres: venv instance
	SZ_TEST_DATABASE=postgresql $(VPY) -m pytest -q $(PG_TEST_PATHS) $(PYTEST_ARGS)

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

# ---------------------------------------------------------------------------
# bench-load: move-to-all-screens latency of the portal beside the floor
# (issue 8); docs/PERFORMANCE.md.  make bench-load LOAD_SESSIONS=10 LOAD_SECONDS=5
# ---------------------------------------------------------------------------
LOAD_SESSIONS ?= 1,10,50,200
LOAD_SECONDS ?= 20

.PHONY: bench-load
bench-load: venv instance
	$(VPY) -m bench.load --compare --sessions $(LOAD_SESSIONS) --seconds $(LOAD_SECONDS)

# ---------------------------------------------------------------------------
# bench-memory: RSS growth over finished play-throughs, released (rematches) and
# kept (issue 8: < 20 MB per 1,000).  make bench-memory MEMORY_PLAYTHROUGHS=200
# ---------------------------------------------------------------------------
MEMORY_PLAYTHROUGHS ?= 1000
MEMORY_WARMUP ?= 100

.PHONY: bench-memory
bench-memory: venv instance
	$(VPY) -m bench.memory --playthroughs $(MEMORY_PLAYTHROUGHS) --warmup $(MEMORY_WARMUP)
