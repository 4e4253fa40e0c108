# Two commands do everything on a fresh Linux machine:
#   make demo   - set up .venv and run the demo round end to end
#   make test   - set up .venv and run the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out/demo
JOBS   ?= 2

.PHONY: setup demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dask]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/perfkit validate datasets/demo_city/schemes/2025.yaml datasets/demo_city/rounds/2025 --round 2025
	$(BIN)/perfkit report notebooks/configs/demo_city_2025.yaml --out $(OUT)/demo_city_2025 --jobs $(JOBS)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

bench: $(STAMP)
	$(BIN)/python bench/sensitivity.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/benchmark.py

clean:
	rm -rf $(VENV) out
