# Build, demo and test the aep.flow_service collection.
#
#   make demo   virtualenv + pinned tools, build and install the collection, run the demo
#               playbook against the local Flow Service emulator, stop the emulator.
#   make test   every test layer, in order, stopping at the first failure.
#
# Needs only python3 (with venv), make and git. Everything lands in this checkout: the tools in
# .venv (and .venv-newest for the newest ansible-core), everything built in .build/.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
# Interpreter for the newest supported ansible-core (2.21 needs Python >= 3.12). Empty means
# look for python3.13 on PATH, then in pyenv's versions.
PYTHON_NEWEST ?=

ROOT := $(abspath .)
VENV := $(ROOT)/.venv
VENV_NEWEST := $(ROOT)/.venv-newest
BUILD := $(ROOT)/.build
DIST := $(BUILD)/dist
COLLECTIONS := $(BUILD)/collections
INSTALLED := $(COLLECTIONS)/ansible_collections/aep/flow_service
VERSION = $(shell sed -n 's/^version:[[:space:]]*//p' galaxy.yml | tr -d "\"'")
TARBALL = $(DIST)/aep-flow_service-$(VERSION).tar.gz

PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
STAMP_NEWEST := $(VENV_NEWEST)/.installed-requirements
# Run a tool from .venv (or .venv-newest) whatever the caller's PATH holds.
IN_VENV := env PATH="$(VENV)/bin:$$PATH" VIRTUAL_ENV="$(VENV)"
IN_VENV_NEWEST := env PATH="$(VENV_NEWEST)/bin:$$PATH" VIRTUAL_ENV="$(VENV_NEWEST)"
# Two pytest workers (pytest-xdist), one per core: each gets its own emulator, and most test
# time is spent waiting on ansible-playbook or on retry back-offs. PYTEST_WORKERS=0 turns it off.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?= -q -p no:cacheprovider -n $(PYTEST_WORKERS)

EMULATOR_PORT ?= 8180
# Extra arguments for tests/emulator/run.py in `make demo` and `make emulator`.
EMULATOR_ARGS ?=
DEMO_PLAYBOOK := playbooks/demo.yml
DEMO_ENV := AEP_CLIENT_ID=aep-demo-client AEP_CLIENT_SECRET=aep-demo-secret \
	AEP_ORG_ID=0123456789ABCDEF01234567@AdobeOrg AEP_SANDBOX_NAME=prod \
	ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

# The layers of `make test`, in the order they run.
TEST_LAYERS := test-unit test-integration test-reliability sanity lint build changelog-lint test-newest

# pip warns once per package about index folders that some machines' pip.conf names but that do
# not exist; only that warning is dropped (pipefail keeps pip's exit status).
PIP_QUIET = 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }

banner = @printf '\n==> %s\n' "$(1)"

.PHONY: help demo test venv venv-newest dist install build emulator clean clean-all lock \
	$(TEST_LAYERS) test-long benchmark

help:
	@echo "make demo        set up .venv, build + install the collection, run $(DEMO_PLAYBOOK) against the emulator"
	@echo "make test        run every test layer: $(TEST_LAYERS)"
	@echo "make venv        create .venv with the pinned toolchain (requirements-dev.txt)"
	@echo "make dist        build the collection tarball into .build/dist"
	@echo "make install     build and install it into .build/collections"
	@echo "make build       install, then render every plugin's docs and lint them"
	@echo "make test-long   the reliability suite's long resource loops (minutes; not in make test)"
	@echo "make benchmark   tests/benchmark/run.py and rotation.py against the emulator (BENCH_ARGS=--quick for a short run)"
	@echo "make emulator    run the Flow Service emulator in the foreground on port $(EMULATOR_PORT)"
	@echo "make lock        re-resolve constraints-*.txt from requirements-*.txt"
	@echo "make clean       remove .build/ (clean-all: also .venv and .venv-newest)"

# ---------------------------------------------------------------- environments

venv: $(STAMP)

# Reinstalled only when a requirements or constraints file changes.
$(STAMP): requirements.txt requirements-dev.txt constraints-dev.txt
	$(call banner,venv: installing the pinned toolchain into .venv)
	@$(PY) -c 'import sys' 2>/dev/null || { rm -rf "$(VENV)"; $(PYTHON) -m venv "$(VENV)"; }
	@$(PY) -m pip install -q --disable-pip-version-check pip==26.3 $(PIP_QUIET)
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt $(PIP_QUIET)
	@$(PY) -m pip check
	@touch $@

# Prints the interpreter to build .venv-newest from, or nothing if there is none.
find_newest = $(PYTHON) tools/find_python.py --min 3.12 $(if $(PYTHON_NEWEST),"$(PYTHON_NEWEST)",python3.13 $(wildcard /root/.pyenv/versions/3.13*/bin/python3.13))

venv-newest: $(STAMP)
	@py="$$($(find_newest))"; \
	if [ -z "$$py" ]; then echo "no Python >= 3.12 found for .venv-newest (set PYTHON_NEWEST=/path/to/python3.13)"; exit 1; fi; \
	$(MAKE) PYTHON_NEWEST="$$py" $(STAMP_NEWEST)

$(STAMP_NEWEST): requirements.txt requirements-newest.txt constraints-newest.txt
	$(call banner,venv-newest: installing ansible-core 2.21 and the test tools into .venv-newest ($(PYTHON_NEWEST)))
	@$(VENV_NEWEST)/bin/python -c 'import sys' 2>/dev/null || { rm -rf "$(VENV_NEWEST)"; "$(PYTHON_NEWEST)" -m venv "$(VENV_NEWEST)"; }
	@$(VENV_NEWEST)/bin/python -m pip install -q --disable-pip-version-check pip==26.3 $(PIP_QUIET)
	@$(VENV_NEWEST)/bin/python -m pip install -q --disable-pip-version-check -r requirements-newest.txt $(PIP_QUIET)
	@$(VENV_NEWEST)/bin/python -m pip check
	@touch $@

# Re-resolve the full pins after editing requirements-dev.txt or requirements-newest.txt.
lock:
	$(call banner,lock: resolving constraints-dev.txt and constraints-newest.txt)
	@$(PYTHON) tools/lock.py "$(PYTHON)" requirements-dev.txt constraints-dev.txt
	@py="$$($(find_newest))"; \
	if [ -n "$$py" ]; then $(PYTHON) tools/lock.py "$$py" requirements-newest.txt constraints-newest.txt; \
	else echo "SKIPPED: constraints-newest.txt: no Python >= 3.12 found"; fi

# ---------------------------------------------------------------- build

# The tarball is built from a copy of the files git sees, so stray local files never ship.
dist: $(STAMP)
	$(call banner,dist: building the collection tarball into .build/dist)
	@$(PY) tools/stage.py "$(BUILD)/stage"
	@$(IN_VENV) ansible-galaxy collection build "$(BUILD)/stage/ansible_collections/aep/flow_service" \
		--output-path "$(DIST)" --force

install: dist
	$(call banner,install: installing $(notdir $(TARBALL)) into .build/collections)
	@rm -rf "$(INSTALLED)"
	@$(IN_VENV) ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" \
		ansible-galaxy collection install --force --offline -p "$(COLLECTIONS)" "$(TARBALL)"
	@test -f "$(INSTALLED)/MANIFEST.json" || { echo "install: $(INSTALLED) is missing"; exit 1; }

build: install
	$(call banner,build: ansible-doc of every plugin + antsibull-docs lint-collection-docs)
	@$(IN_VENV) $(PY) tools/check_docs.py "$(COLLECTIONS)"

# ---------------------------------------------------------------- demo

demo: install
	$(call banner,demo: $(DEMO_PLAYBOOK) against the local Flow Service emulator)
	@test -f "$(DEMO_PLAYBOOK)" || { echo "demo: $(DEMO_PLAYBOOK) does not exist yet; nothing to run"; exit 1; }
	@test -f tests/emulator/run.py || { echo "demo: tests/emulator/run.py does not exist yet; no emulator to run against"; exit 1; }
	@$(IN_VENV) ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" $(DEMO_ENV) \
		$(PY) tools/with_emulator.py --log "$(BUILD)/emulator-demo.log" \
		$(foreach a,$(EMULATOR_ARGS),--emulator-arg $(a)) -- ansible-playbook "$(DEMO_PLAYBOOK)"

# Not a test: numbers for tests/benchmark/README.md, in three runs: the approaches (BENCH_ARGS are run.py's
# options), the batch module behind a 40 requests/s throttle (THROTTLE_ARGS), rotations against params changes
# (ROTATION_ARGS are rotation.py's).
BENCH_ARGS ?=
THROTTLE_ARGS ?= --approaches e,e32 --throttle-rps 40
ROTATION_ARGS ?= --sizes 200,1000,5000
benchmark: install
	$(call banner,benchmark: tests/benchmark/run.py $(BENCH_ARGS))
	@$(IN_VENV) ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" $(PY) tests/benchmark/run.py $(BENCH_ARGS)
	$(call banner,benchmark: tests/benchmark/run.py $(THROTTLE_ARGS))
	@$(IN_VENV) ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" $(PY) tests/benchmark/run.py $(THROTTLE_ARGS)
	$(call banner,benchmark: tests/benchmark/rotation.py $(ROTATION_ARGS))
	@$(IN_VENV) ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" $(PY) tests/benchmark/rotation.py $(ROTATION_ARGS)

emulator: $(STAMP)
	$(call banner,emulator: Flow Service emulator on port $(EMULATOR_PORT); Ctrl-C stops it)
	@$(IN_VENV) $(PY) tests/emulator/run.py --port $(EMULATOR_PORT) $(EMULATOR_ARGS)

# ---------------------------------------------------------------- tests

# Each layer prints a banner and its time; the first failure stops the run.
test: $(STAMP)
	@start=$$(date +%s); times=""; \
	for layer in $(TEST_LAYERS); do \
		t0=$$(date +%s); \
		if ! $(MAKE) $$layer; then \
			printf '\nmake test: FAILED in layer %s after %ss\n' "$$layer" "$$(( $$(date +%s) - t0 ))"; exit 1; \
		fi; \
		t=$$(( $$(date +%s) - t0 )); times="$$times $$layer=$${t}s"; \
		printf '<== %s done in %ss\n' "$$layer" "$$t"; \
	done; \
	printf '\nmake test: every layer passed in %ss:%s\n' "$$(( $$(date +%s) - start ))" "$$times"

# tests/conftest.py (by tests/checkout.py) makes the checkout importable as ansible_collections.aep.flow_service.
test-unit: $(STAMP)
	$(call banner,test-unit: pytest tests/unit tests/emulator (ansible-core 2.19))
	@$(IN_VENV) $(PY) tools/pytest_layer.py test-unit tests/unit tests/emulator -- $(PYTEST_ARGS)

# ansible-playbook in these tests uses the built and installed collection: what ships.
test-integration: install
	$(call banner,test-integration: pytest tests/integration against .build/collections (ansible-core 2.19))
	@$(IN_VENV) ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" $(PY) tools/pytest_layer.py test-integration tests/integration -- $(PYTEST_ARGS)

# Faults, concurrent writers, bad input, secret scans, TLS; figures in tests/output/reliability/.
# The long resource loops (marked long) are left to `make test-long`.
test-reliability: install
	$(call banner,test-reliability: pytest tests/reliability against .build/collections (ansible-core 2.19))
	@$(IN_VENV) ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" $(PY) tools/pytest_layer.py test-reliability tests/reliability -- $(PYTEST_ARGS)

test-long: install
	$(call banner,test-long: pytest tests/reliability -m long (the long resource loops))
	@$(IN_VENV) ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" $(PY) tools/pytest_layer.py test-long tests/reliability -- $(PYTEST_ARGS) -m long

sanity: $(STAMP)
	$(call banner,sanity: ansible-test sanity --python 3.11 on a copy in .build/sanity)
	@$(IN_VENV) $(PY) tools/sanity.py "$(BUILD)"

# Plain ansible-lint, as a contributor or an editor runs it: .ansible-lint lets it install the checkout
# into .ansible/collections, so the playbooks resolve the collection's modules.
lint: $(STAMP)
	$(call banner,lint: ansible-lint (production profile, .ansible-lint))
	@[ -t 1 ] || export NO_COLOR=1; \
	$(IN_VENV) ansible-lint

changelog-lint: $(STAMP)
	$(call banner,changelog-lint: antsibull-changelog lint)
	@$(IN_VENV) antsibull-changelog lint

# Unit and integration tests again under the newest ansible-core, when Python >= 3.12 exists.
test-newest: $(STAMP) install
	$(call banner,test-newest: pytest tests/unit tests/integration under ansible-core 2.21)
	@py="$$($(find_newest))"; \
	if [ -z "$$py" ] && [ -n "$(PYTHON_NEWEST)" ]; then \
		echo "test-newest: PYTHON_NEWEST=$(PYTHON_NEWEST) is not a working Python >= 3.12 with venv"; exit 1; \
	fi; \
	if [ -z "$$py" ]; then \
		echo "SKIPPED: test-newest: no python3.13 (or other Python >= 3.12) found; set PYTHON_NEWEST=/path/to/python3.13"; \
		exit 0; \
	fi; \
	$(MAKE) PYTHON_NEWEST="$$py" $(STAMP_NEWEST); \
	$(IN_VENV_NEWEST) $(VENV_NEWEST)/bin/python tools/pytest_layer.py test-newest-unit tests/unit -- $(PYTEST_ARGS); \
	$(IN_VENV_NEWEST) ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" \
		$(VENV_NEWEST)/bin/python tools/pytest_layer.py test-newest-integration tests/integration -- $(PYTEST_ARGS)

# ---------------------------------------------------------------- housekeeping

clean:
	rm -rf "$(BUILD)" tests/output

clean-all: clean
	rm -rf "$(VENV)" "$(VENV_NEWEST)"
