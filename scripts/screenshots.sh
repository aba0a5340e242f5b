#!/usr/bin/env bash
# Builds the GUI, generates a demo store and saves one PNG per page into docs/screenshots/,
# running the real GUI under a virtual X server (xvfb-run) in its hidden --screenshot-dir mode.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default >/dev/null
cmake --build build/default -j2 --target frostline frostline-cli
cli=build/default/app/frostline-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store="$work/demo-store"
"$cli" init "$store" >/dev/null
"$cli" generate "$store" --entities 2000 --versions 60000 --span-days 60 --seed 7 >/dev/null
out=docs/screenshots
mkdir -p "$out"
rm -f "$out"/*.png
# A throw-away settings home so the operator's recent stores and geometry stay untouched.
export XDG_CONFIG_HOME="$work/config"
xvfb-run -a -s "-screen 0 1400x900x24" \
  build/default/app/frostline --screenshot-dir "$out" "$store"
ls -1 "$out"/*.png
