#!/usr/bin/env bash
# Installs the Debian 12 packages Frostline needs, and only the ones that are missing.
# Not ccache: the build uses it where it is installed, but on a fresh machine (CI) every compile
# misses, and the misses cost 25-60 s a sanitizer tree (docs/reliability.md, "Sanitizers").
# Usage: scripts/deps.sh [--gui-tools]   (--gui-tools adds Xvfb and ImageMagick for screenshots)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev
  libdb5.3++-dev db5.3-util
  libxxhash-dev libtoml11-dev nlohmann-json3-dev libssl-dev
  dpkg-dev file help2man librsvg2-bin desktop-file-utils appstream
  clang libclang-rt-14-dev
)
if [[ "${1:-}" == "--gui-tools" ]]; then
  packages+=(xvfb xauth imagemagick)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
