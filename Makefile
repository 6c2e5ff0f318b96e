# CoinBox platform — the two commands a newcomer needs:
#   make dev    start the whole local stack with demo data; prints URLs, sign-ins, a demo API key
#   make test   lint, types, unit tests, then every emulator test against the real local stack
SHELL := /bin/bash
PY := functions/venv/bin/python
STACK := $(PY) scripts/stack.py

.PHONY: setup dev test lint typecheck unit stack-tests rules-test bench bench-coldstart bench-exports bench-cli stop \
	bench-wallet bench-usage bench-fanout predeploy deploy-dry-run clean lock sdk-generate sdk-python-generate sdk-typescript-test \
	sdk-typescript-generate postman web-test

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
	$(PY) -m mypy --strict sdks/python/src
	cd functions && venv/bin/python -m mypy --config-file ../mypy.ini main.py deploy.py api jobs tasks triggers

unit:
	$(PY) -m pytest tests/unit -q

# One stack for every emulator test: pytest (Firestore, Auth, Functions, Tasks, Hosting,
# Storage), the Firestore rules tests (node --test with @firebase/rules-unit-testing), the
# TypeScript SDK's tests (node --test; SDK_TS_TEST builds dist/ first), and the browser tests of
# the portal, dashboard and docs (node --test + playwright-core driving /usr/bin/chromium;
# screenshots in .stack/screenshots/).
SDK_TS_TEST := node sdks/typescript/scripts/build.mjs && node --test --test-concurrency=1 sdks/typescript/test/*.test.mjs
WEB_TEST := node --test --test-concurrency=1 tests/web/*.test.mjs
stack-tests:
	$(STACK) exec -- bash -c '$(PY) -m pytest tests -q -m "emulator or stack" --durations=15 && node --test tests/rules/ && $(SDK_TS_TEST) && $(WEB_TEST)'

sdk-typescript-test: setup
	$(STACK) exec -- bash -c '$(SDK_TS_TEST)'

# The browser tests alone (they also run in make test).
web-test: setup
	$(STACK) exec -- bash -c '$(WEB_TEST)'

# After an API change: scripts/openapi.py --write, then this (types, dist/, Postman collection).
sdk-typescript-generate: setup
	node sdks/typescript/scripts/generate.mjs
	node sdks/typescript/scripts/build.mjs
	node sdks/typescript/scripts/postman.mjs

postman: setup
	node sdks/typescript/scripts/postman.mjs

rules-test: setup
	$(STACK) exec -- node --test tests/rules/

# A group message to 100,000 members (docs/scaling.md, "Group-message fan-out").
bench-fanout: setup
	$(STACK) exec -- $(PY) scripts/bench_fanout.py

# Usage analytics over 30 days of 100,000 requests a day (docs/scaling.md, "Usage").
bench-usage: setup
	$(STACK) exec -- $(PY) scripts/bench_usage.py

# Money moves on one wallet: one at a time, then from 10 clients (docs/scaling.md, "One wallet").
bench-wallet: setup
	$(STACK) exec -- $(PY) scripts/bench_wallet.py

bench-exports: setup
	$(STACK) exec -- $(PY) scripts/bench_exports.py

bench: setup
	$(STACK) exec -- $(PY) scripts/bench.py

# One API function's cold start: import main, then its first request (docs/architecture.md).
bench-coldstart: setup
	$(PY) scripts/bench_coldstart.py

# The coinbox CLI's wall time for a 100-row bulk loans CSV next to the API time for the same rows.
bench-cli: setup
	$(STACK) exec -- $(PY) scripts/bench_cli.py

# Regenerate the Python SDK's models (and async resources) from docs/openapi.json.
sdk-python-generate:
	$(PY) sdks/python/scripts/generate.py

# After any API change: the OpenAPI snapshot, the error catalogue, the README route table, both
# SDKs' generated code and the Postman collection (their drift tests fail until this runs).
sdk-generate: setup
	$(PY) scripts/openapi.py --write
	$(PY) scripts/errors.py --write
	$(PY) scripts/routes.py --write
	$(PY) sdks/python/scripts/generate.py
	node sdks/typescript/scripts/generate.mjs
	node sdks/typescript/scripts/build.mjs
	node sdks/typescript/scripts/postman.mjs

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
