#!/usr/bin/env bash
# Makes functions/ self-contained before a deploy: stages the shared library's source into
# functions/coinbox_platform (gitignored), where the deployed functions import it from.
#
#   scripts/predeploy.sh [TARGET]   TARGET: a functions folder (has main.py); default functions/
#
# firebase.json runs it with no argument as the functions predeploy hook; tests stage into a copy.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-$root/functions}"
if [[ ! -f "$target/main.py" ]]; then
  echo "predeploy: $target is not a functions folder (no main.py)" >&2
  exit 2
fi
target="$(cd "$target" && pwd)"
rm -rf "$target/coinbox_platform"
cp -r "$root/shared/src/coinbox_platform" "$target/coinbox_platform"
find "$target/coinbox_platform" -name '__pycache__' -prune -exec rm -rf {} +
echo "staged coinbox_platform into $target/"
