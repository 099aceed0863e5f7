#!/usr/bin/env bash
# Look at every dialog on a virtual screen of a given size (see scripts/dialog_shots.py), light and dark.
#   bash scripts/dialog_shots.sh --out /tmp/dialogs --screen 1024x700
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
screen=1024x700
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--screen" ] && screen=${args[$((i + 1))]}
done
command -v Xvfb >/dev/null 2>&1 || { echo "Xvfb is needed: apt-get install -y xvfb" >&2; exit 1; }
display=99
while [ -e "/tmp/.X${display}-lock" ] || [ -e "/tmp/.X11-unix/X${display}" ]; do display=$((display + 1)); done
Xvfb ":${display}" -screen 0 "${screen}x24" -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
trap 'kill "$xvfb_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display}" ] && break; sleep 0.1; done
export DISPLAY=":${display}" QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1 QT_ENABLE_HIGHDPI_SCALING=0
"$PY" scripts/dialog_shots.py "$@"
