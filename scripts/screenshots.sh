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

# A store being opened: 1,500,000 versions to replay give the status bar's step, bar and Cancel
# about a second and a half on screen; the whole X screen is grabbed as it is shown then.
big="$work/big-store"
"$cli" init "$big" >/dev/null
"$cli" generate "$big" --entities 100000 --versions 1500000 --span-days 60 --seed 3 >/dev/null
cat >"$work/opening.sh" <<SCRIPT
#!/usr/bin/env bash
build/default/app/frostline "$big" &
sleep 1.2
import -window root -crop 1280x820+0+0 +repage "$out/8-opening.png"
kill \$!
wait
SCRIPT
chmod +x "$work/opening.sh"
xvfb-run -a -s "-screen 0 1400x900x24" "$work/opening.sh" || true
ls -1 "$out"/*.png
