#!/usr/bin/env bash
# Makes functions/ self-contained before a deploy: stages the shared library's source into
# functions/coinbox_platform (gitignored), where the deployed functions import it from.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf functions/coinbox_platform
cp -r shared/src/coinbox_platform functions/coinbox_platform
find functions/coinbox_platform -name '__pycache__' -prune -exec rm -rf {} +
echo "staged coinbox_platform into functions/"
