# CoinBox platform — the two commands a newcomer needs:
#   make dev    start the whole local stack with demo data; prints URLs, sign-ins, a demo API key
#   make test   lint, types, unit tests, then every emulator test against the real local stack
SHELL := /bin/bash
PY := functions/venv/bin/python
STACK := $(PY) scripts/stack.py

.PHONY: setup dev test lint typecheck unit stack-tests rules-test bench bench-exports stop predeploy deploy-dry-run clean lock

setup:
	@bash scripts/setup.sh

dev: setup
	@$(STACK) dev

test: setup lint typecheck unit stack-tests

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck:
	$(PY) -m mypy shared/src
	cd functions && venv/bin/python -m mypy --config-file ../mypy.ini main.py api jobs tasks triggers

unit:
	$(PY) -m pytest tests/unit -q

# One stack for every emulator test: pytest (Firestore, Auth, Functions, Tasks, Hosting,
# Storage) and the Firestore rules tests (node --test with @firebase/rules-unit-testing).
stack-tests:
	$(STACK) exec -- bash -c '$(PY) -m pytest tests -q -m "emulator or stack" --durations=15 && node --test tests/rules/'

rules-test: setup
	$(STACK) exec -- node --test tests/rules/

bench-exports: setup
	$(STACK) exec -- $(PY) scripts/bench_exports.py

bench: setup
	$(STACK) exec -- $(PY) scripts/bench.py

stop:
	@$(PY) scripts/stack.py stop

# Regenerate functions/requirements.txt (the hashed lock) from functions/requirements.in;
# `make unit` (tests/unit/test_lock.py) fails while the two disagree.
lock: setup
	$(PY) scripts/lock.py

predeploy:
	bash scripts/predeploy.sh

deploy-dry-run: setup predeploy
	node_modules/.bin/firebase deploy --only functions --dry-run --project $${PROJECT:-demo-coinbox}

clean: stop
	rm -rf .stack functions/coinbox_platform
