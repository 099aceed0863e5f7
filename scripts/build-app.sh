#!/usr/bin/env bash
# Build the one-folder desktop bundle dist/tamdesk/ with PyInstaller (packaging/tamdesk.spec), then check that
# the bundled `tamdesk --version` runs. Exits non-zero when the build or the check fails.
#
#   bash scripts/build-app.sh              # uses .venv (created by `make venv`) when it exists
#   BUILD_VENV=build/venv bash scripts/build-app.sh   # a separate, clean build environment
#   DIST_DIR=/tmp/out WORK_DIR=/tmp/work bash scripts/build-app.sh   # elsewhere than dist/ and build/
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${BUILD_VENV:-.venv}
DIST=${DIST_DIR:-dist}
WORK=${WORK_DIR:-build/pyinstaller}
if [ ! -x "$VENV/bin/python" ] && [ ! -x "$VENV/Scripts/python.exe" ]; then
  echo "Creating the build environment in $VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
fi
PY="$VENV/bin/python"
[ -x "$PY" ] || PY="$VENV/Scripts/python.exe"
"$PY" -c 'import importlib.metadata as m; m.version("tamdesk")' 2>/dev/null || "$PY" -m pip install --quiet -e .
"$PY" -c 'import PyInstaller' 2>/dev/null || "$PY" -m pip install --quiet -e '.[build]'

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" packaging/tamdesk.spec
echo "Built $DIST/tamdesk in $(( $(date +%s) - start )) s ($(du -sh "$DIST/tamdesk" | cut -f1))"

exe=$DIST/tamdesk/tamdesk
[ -x "$exe" ] || exe=$DIST/tamdesk/tamdesk.exe
if ! version=$("$exe" --version); then
  echo "The bundle was built but '$exe --version' failed." >&2
  exit 1
fi
echo "$exe --version: $version"
