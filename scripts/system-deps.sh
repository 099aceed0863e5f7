#!/usr/bin/env bash
# Installs the system libraries Qt needs, on Debian/Ubuntu as root; elsewhere prints the command to run.
#   scripts/system-deps.sh test   libraries for the offscreen platform used by the tests
#   scripts/system-deps.sh run    plus the X11/xcb libraries for a real window
set -euo pipefail
mode=${1:-test}
packages=(libegl1 libgl1 libglx0 libglvnd0 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0 libxcb1 libx11-6
  libdbus-1-3 fonts-dejavu-core)
if [ "$mode" = run ]; then
  packages+=(libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
    libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
    libxkbcommon-x11-0 libx11-xcb1)
fi
if [ "$(uname -s)" != Linux ] || ! command -v dpkg-query >/dev/null 2>&1; then
  exit 0  # macOS and Windows: the PySide6 wheels carry what Qt needs
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Qt system libraries: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Qt needs these system libraries. Install them, then run make again:"
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi
