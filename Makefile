# Set-up and checks for incident_learning.
#
#   make demo    install the library into .venv and run its demonstration
#   make test    install the library and the pinned dev tools, run every check
#
# Everything lives in one virtual environment, .venv. Installs are recorded by
# stamp files inside .venv, so they rerun when pyproject.toml changes and vanish
# with the venv (`make clean`).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

# pip >= 25.1 is needed for [dependency-groups] (`pip install --group`).
PIP_SPEC := pip>=25.1

STAMP_VENV := $(VENV)/.stamp-venv
STAMP_RUN  := $(VENV)/.stamp-install-runtime
STAMP_DEV  := $(VENV)/.stamp-install-dev

CHECKS := VENV=$(VENV) .ci/checks

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev demo test lint typecheck docs bench clean

help:
	@echo "make demo       install the library into $(VENV) and run the demo"
	@echo "make test       install library + dev tools, run all checks (what CI runs)"
	@echo "make lint       ruff format --check and ruff check"
	@echo "make typecheck  mypy (strict)"
	@echo "make docs       build the HTML docs into docs/_build/html"
	@echo "make bench      run the serialization, graph, analysis, report and import/export benchmarks"
	@echo "make clean      remove $(VENV) and every generated file"

venv: $(STAMP_VENV)

$(STAMP_VENV):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -U "$(PIP_SPEC)"
	@touch $@

install: $(STAMP_RUN)

$(STAMP_RUN): pyproject.toml .ci/constraints.txt $(STAMP_VENV)
	$(PIP) install -c .ci/constraints.txt -e ".[report]"
	@touch $@

install-dev: $(STAMP_DEV)

$(STAMP_DEV): pyproject.toml .ci/constraints.txt $(STAMP_VENV)
	$(PIP) install -c .ci/constraints.txt -e ".[fast]" --group dev
	@touch $@

demo: $(STAMP_RUN)
	$(VENV)/bin/incident-learning demo --out demo

test: $(STAMP_DEV)
	$(CHECKS)

lint: $(STAMP_DEV)
	$(CHECKS) format lint

typecheck: $(STAMP_DEV)
	$(CHECKS) typecheck

docs: $(STAMP_DEV)
	$(CHECKS) docs

bench: $(STAMP_DEV)
	$(PY) benchmarks/bench_serialization.py
	$(PY) benchmarks/bench_graph.py
	$(PY) benchmarks/bench_analysis.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_interop.py

clean:
	rm -rf $(VENV) docs/_build benchmarks/results dist build demo \
	       .coverage .coverage.* coverage.xml htmlcov \
	       .hypothesis .mypy_cache .ruff_cache .pytest_cache
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
	find . -name '*.egg-info' -type d -prune -not -path './.git/*' -exec rm -rf {} +
