# Every command a user or CI needs: `make demo`, `make test`, `make record`, `make bench`, `make wheel`.
# Each target installs what it needs first (Python packages into .venv, Azurite from npm, the
# registry from Debian's packages), so all of them work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest
AZURITE := node_modules/.bin/azurite-blob

.PHONY: setup venv tools test test-unit test-scenario test-emulator test-live test-robustness record demo bench wheel clean

setup: venv tools acrtransfer.egg-info

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt emulator/setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q -e emulator
	touch $@

# The dev-extension metadata az needs to load the extension from this checkout (tests/conftest.py).
acrtransfer.egg-info: setup.py $(VENV)/.installed
	$(PY) setup.py -q egg_info >/dev/null
	touch $@

tools: $(AZURITE) /usr/bin/docker-registry
$(AZURITE): package.json
	npm install --no-audit --no-fund --silent
	touch $@
/usr/bin/docker-registry:
	scripts/apt-install.sh docker-registry

test: setup
	$(PYTEST) tests -q -p no:cacheprovider

test-unit: setup
	$(PYTEST) tests/unit -q
test-scenario: setup
	$(PYTEST) tests/scenario -q
test-emulator: setup
	$(PYTEST) tests/emulator -q
test-live: setup
	$(PYTEST) tests/live -q
# Part of `make test` too. HYPOTHESIS_PROFILE=thorough (ACRT_FUZZ_EXAMPLES=N) fuzzes far longer.
test-robustness: setup
	$(PYTEST) tests/robustness -q

record: setup
	scripts/record.sh

demo: setup
	scripts/demo.sh

bench: setup
	$(PY) benchmarks/run.py

wheel: venv
	rm -rf build dist
	$(PY) setup.py -q bdist_wheel
	@ls dist/*.whl

clean:
	rm -rf build dist *.egg-info .state
