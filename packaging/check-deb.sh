#!/usr/bin/env bash
# Builds the Debian package, lints it, installs it with apt (so its dependencies resolve),
# runs the installed programs on a throw-away store, purges it and checks nothing is left.
# Run as root (or with sudo) on Debian 12. Safe to run repeatedly.
# Usage: packaging/check-deb.sh        (FROSTLINE_BUILD_DIR overrides build/default)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=$(realpath -m "${FROSTLINE_BUILD_DIR:-build/default}")
pkg=frostline

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run (e.g. scripts/deps.sh elsewhere) instead of failing at once.
apt_opts=(-o DPkg::Lock::Timeout=300)

# The check installs and purges the real package system-wide: two runs at once on one machine
# (two clones testing side by side) would purge each other's install. Take turns.
exec 9>/tmp/frostline-check-deb.lock
if ! flock -n 9; then
  echo "== check-deb: another check-deb run holds /tmp/frostline-check-deb.lock; waiting for it"
  flock 9
fi

step() { echo "== check-deb: $*"; }
fail() {
  echo "check-deb: FAIL: $*" >&2
  exit 1
}

work=$(mktemp -d /tmp/frostline-check-deb.XXXXXX)
installed_by_us=0
cleanup() {
  # An interrupted run must not leave the package behind for the next one.
  if ((installed_by_us)); then $SUDO apt-get "${apt_opts[@]}" purge -y -qq "$pkg" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- Build the package --------------------------------------------------------------------
step "build in $build"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake --preset default >/dev/null
fi
cmake --build "$build" -j "$(nproc)"
rm -f "$build"/${pkg}_*.deb
(cd "$build" && cpack -G DEB >"$work/cpack.log") || {
  cat "$work/cpack.log" >&2
  fail "cpack -G DEB"
}
debs=("$build"/${pkg}_*.deb)
[[ ${#debs[@]} -eq 1 && -f "${debs[0]}" ]] || fail "expected one ${pkg}_*.deb in $build"
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
step "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"
dpkg-deb -f "$deb" Depends

# --- Static checks on the package ---------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents"
if grep -E 'tst_|bench_|crashworker|testsupport' "$work/contents"; then
  fail "test or benchmark files are in the package"
fi
for f in ./usr/bin/frostline-cli ./usr/share/man/man1/frostline-cli.1.gz ./usr/share/doc/$pkg/copyright; do
  grep -qxF "$f" "$work/contents" || fail "$f missing from the package"
done
if grep -qxF ./usr/bin/frostline "$work/contents"; then
  gui=1
  for f in ./usr/share/applications/io.frostline.Frostline.desktop \
    ./usr/share/metainfo/io.frostline.Frostline.metainfo.xml \
    ./usr/share/icons/hicolor/scalable/apps/io.frostline.Frostline.svg \
    ./usr/share/man/man1/frostline.1.gz; do
    grep -qxF "$f" "$work/contents" || fail "$f missing from the package"
  done
  for size in 16 32 48 64 128 256; do
    grep -qxF "./usr/share/icons/hicolor/${size}x${size}/apps/io.frostline.Frostline.png" "$work/contents" ||
      fail "${size}x${size} icon missing from the package"
  done
  # The metainfo's newest release must be the version being packaged.
  newest=$(grep -o '<release version="[^"]*"' resources/io.frostline.Frostline.metainfo.xml | head -n1 | cut -d'"' -f2)
  [[ "$newest" == "$version" ]] ||
    fail "resources/io.frostline.Frostline.metainfo.xml: newest <release> is $newest, package is $version"
else
  gui=0
  echo "check-deb: built without the GUI; skipping desktop checks"
fi

step "lintian"
if ! command -v lintian >/dev/null; then
  $SUDO apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends lintian >/dev/null ||
    { $SUDO apt-get "${apt_opts[@]}" update -qq && $SUDO apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends lintian >/dev/null; }
fi
# Run unprivileged when we can: lintian unpacks untrusted archives and says so as root.
lint=(lintian --display-info)
if [[ $(id -u) -eq 0 ]] && id nobody >/dev/null 2>&1; then
  cp "$deb" "$work/" && chmod 755 "$work" && chmod 644 "$work/$(basename "$deb")"
  lint=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/tmp "${lint[@]}")
  lintdeb="$work/$(basename "$deb")"
else
  lintdeb=$deb
fi
"${lint[@]}" "$lintdeb" 2>&1 | tee "$build/lintian.txt" || true
if grep -q '^E: ' "$build/lintian.txt"; then
  fail "lintian reports errors (see $build/lintian.txt)"
fi

# --- Install ------------------------------------------------------------------------------
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv "not-installed"; then
  step "purging an earlier $pkg"
  $SUDO apt-get "${apt_opts[@]}" purge -y -qq "$pkg" >/dev/null
fi
step "apt-get install $(basename "$deb")"
installed_by_us=1
cp "$deb" "$work/pkg.deb"
chmod 644 "$work/pkg.deb"
# apt-get wants a path that looks like one: ./file.deb or an absolute path.
if ! (cd "$work" && $SUDO apt-get "${apt_opts[@]}" install -y -qq ./pkg.deb >"$work/apt.log" 2>&1); then
  # A fresh machine may have stale lists; refresh once and retry.
  $SUDO apt-get "${apt_opts[@]}" update -qq
  (cd "$work" && $SUDO apt-get "${apt_opts[@]}" install -y -qq ./pkg.deb >"$work/apt.log" 2>&1) || {
    cat "$work/apt.log" >&2
    fail "apt-get install ./$(basename "$deb")"
  }
fi
dpkg -L "$pkg" | sort >"$work/installed-paths"

# A man page must be installed and render; slim images that path-exclude /usr/share/man are let off.
check_man() {
  local page=/usr/share/man/man1/$1.1.gz
  if [[ ! -f $page ]]; then
    grep -qs 'path-exclude=/usr/share/man' /etc/dpkg/dpkg.cfg.d/* && return 0
    fail "$page not installed"
  fi
  if command -v man >/dev/null; then
    man -l "$page" >/dev/null 2>"$work/man.err" || fail "$page does not render: $(cat "$work/man.err")"
  fi
}

# --- Run what was installed ---------------------------------------------------------------
cli=/usr/bin/frostline-cli
[[ -x $cli ]] || fail "$cli not installed"
step "$cli --version"
out=$("$cli" --version)
echo "$out"
[[ "$out" == *"$version"* ]] || fail "frostline-cli --version says '$out', package is $version"
check_man frostline-cli

step "headless demo with the installed frostline-cli in $work/store"
store=$work/store
# One command per line, each checked: "set -e" does not hold inside "( ... ) || fail".
run() {
  echo "+ $*"
  "$@" || fail "exit $? from: $*"
}
run_to() {
  local file=$1
  shift
  echo "+ $* > $(basename "$file")"
  "$@" >"$file" || fail "exit $? from: $*"
}
cd "$work"
run "$cli" init "$store"
run "$cli" generate "$store" --entities 200 --versions 2000 --span-days 30 --seed 7
run_to "$work/aggressive.json" "$cli" policy show --preset aggressive
run_to "$work/preview.json" "$cli" preview "$store" --policy "$work/aggressive.json" --json
run_to "$work/migrate.json" "$cli" migrate "$store" --policy "$work/aggressive.json" --json
run "$cli" verify "$store"
cd "$src"
grep -q '"reason":"age"' "$work/preview.json" || fail "preview found no candidates: $(head -c 300 "$work/preview.json")"
grep -Eq '"migrated":[1-9]' "$work/migrate.json" || fail "migrate moved nothing: $(cat "$work/migrate.json")"
echo "migrate: $(cat "$work/migrate.json")"

if ((gui)); then
  step "installed GUI smoke start (offscreen)"
  out=$(QT_QPA_PLATFORM=offscreen /usr/bin/frostline --version)
  echo "$out"
  [[ "$out" == *"$version"* ]] || fail "frostline --version says '$out', package is $version"
  desktop-file-validate /usr/share/applications/io.frostline.Frostline.desktop ||
    fail "installed desktop file does not validate"
  appstreamcli validate --no-net /usr/share/metainfo/io.frostline.Frostline.metainfo.xml >"$work/as.log" || {
    cat "$work/as.log" >&2
    fail "installed metainfo does not validate"
  }
  check_man frostline
fi

# --- Purge and look for leftovers ---------------------------------------------------------
step "apt-get purge $pkg"
$SUDO apt-get "${apt_opts[@]}" purge -y -qq "$pkg" >/dev/null
installed_by_us=0
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv "not-installed"; then
  fail "$pkg still known to dpkg after purge: $(dpkg-query -W -f='${Status}' "$pkg")"
fi
left=0
while IFS= read -r path; do
  [[ "$path" == /usr/* ]] || continue
  [[ -e "$path" || -L "$path" ]] || continue
  # Shared directories (/usr/bin, hicolor/...) stay when another package owns them.
  if [[ -d "$path" && ! -L "$path" ]] && dpkg -S "$path" >/dev/null 2>&1; then continue; fi
  echo "left behind: $path" >&2
  left=1
done <"$work/installed-paths"
((left == 0)) || fail "files of $pkg are left in /usr after purge"

step "OK: $(basename "$deb") builds, lints without errors, installs, runs and purges cleanly"
