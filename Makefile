# Two commands do everything on a fresh Linux machine:
#   make demo   - set up .venv and run the demo round end to end
#   make test   - set up .venv and run the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out/demo
JOBS   ?= 2

.PHONY: setup demo test bench clean course lab course-build

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

# every benchmark prints its numbers and ratios (speed is never asserted in tests)
BENCHES := scale evaluate_scale sensitivity outranking consistency indicators benchmark quality tracking generation batch course
bench: $(STAMP)
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

# The training course in JupyterLab (installs the lab extra once): lessons, exercises with
# automatic checks and the weight explorer, course/zh and course/en.
LAB_STAMP := $(VENV)/.lab-installed
$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $(LAB_STAMP)

course: $(LAB_STAMP)
	$(BIN)/jupyter lab --notebook-dir=course

# The report notebooks and the course together in JupyterLab
lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

# The built, offline course (HTML, slides, exercises): make course-build LANG=zh ROUND=2025
LANG_ ?= zh
ROUND ?= 2025
course-build: $(STAMP)
	$(BIN)/perfkit course build --round $(ROUND) --lang $(LANG_) --out $(OUT)/course-$(LANG_)-$(ROUND)

clean:
	rm -rf $(VENV) out
