#!/usr/bin/env bash
# Regenerate the README screenshots in docs/screenshots/ (see scripts/screenshots.py).
# Uses a virtual X server (Xvfb) when there is one, so the app runs as on a desktop; otherwise Qt's offscreen
# platform. Extra arguments go to screenshots.py (e.g. --out DIR, --no-dark).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || { echo "No $PY: run 'make venv' first (or set PYTHON)." >&2; exit 1; }

if command -v Xvfb >/dev/null 2>&1; then
  display=99
  while [ -e "/tmp/.X${display}-lock" ] || [ -e "/tmp/.X11-unix/X${display}" ]; do display=$((display + 1)); done
  Xvfb ":${display}" -screen 0 1920x1200x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  trap 'kill "$xvfb_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display}" ] && break; sleep 0.1; done
  export DISPLAY=":${display}" QT_QPA_PLATFORM=xcb
else
  echo "Xvfb not found: using Qt's offscreen platform." >&2
  export QT_QPA_PLATFORM=offscreen
fi
export QT_SCALE_FACTOR=1 QT_ENABLE_HIGHDPI_SCALING=0
"$PY" scripts/screenshots.py "$@"
