#!/usr/bin/env bash
# Installs what is missing, builds, creates a demo store and runs the main job:
# the GUI on that store when there is a display, otherwise a headless demo through frostline-cli.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target frostline frostline-cli
cli=build/default/app/frostline-cli
store=${FROSTLINE_DEMO_STORE:-$HOME/.local/share/frostline/demo-store}
if [[ ! -d "$store" ]]; then
  mkdir -p "$(dirname "$store")"
  "$cli" init "$store"
  "$cli" generate "$store" --entities 2000 --versions 50000 --span-days 60 --seed 7
fi
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  exec build/default/app/frostline "$store"
fi
echo "== no display: headless demo on $store"
set -x
"$cli" stats "$store"
"$cli" policy show --preset aggressive > "$store.aggressive.json"
"$cli" preview "$store" --policy "$store.aggressive.json" > "$store.preview.txt"
head -n 12 "$store.preview.txt"
"$cli" migrate "$store" --policy "$store.aggressive.json"
"$cli" wal "$store"
"$cli" verify "$store"
"$cli" stats "$store"
