#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite. CI runs exactly this.
#   1. the default build (RelWithDebInfo, gcc): every Qt Test suite, GUI suites offscreen
#   2. the Debian package: cpack from that same build, lintian, install with apt, run, purge
#   3. AddressSanitizer + UBSan (asan preset, clang): the whole suite again
#   4. libFuzzer: each fuzz target for FROSTLINE_FUZZ_SECONDS (default 45), two at a time,
#      built in the same asan tree (only the engine carries the fuzzer's coverage hooks)
#   5. ThreadSanitizer (tsan preset, clang): the concurrency suites (ctest label "concurrency")
# Stages 3 and 5 keep their temporary stores on a tmpfs when there is one (see below).
# About 20 minutes on 2 idle cores from nothing (docs/reliability.md, "Sanitizers").
# FROSTLINE_QUICK=1 runs only stage 1 (for a fast local loop).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
jobs=$(nproc)
stage() { echo; echo "=== test.sh: $* ($(date +%H:%M:%S), ${SECONDS}s in)"; }

stage "dependencies"
scripts/deps.sh

stage "default build and suite"
cmake --preset default >/dev/null
cmake --build --preset default -j "$jobs"
ctest --preset default -j "$jobs"

if [[ "${FROSTLINE_QUICK:-0}" == 1 ]]; then
  exit 0
fi

stage "Debian package"
packaging/check-deb.sh

# The sanitizer suites keep their temporary stores on a tmpfs when there is one with room: most
# suites wait on fsync (every WAL append and Berkeley DB commit is synchronous), which a tmpfs
# makes free, while what they check does not change (a kill -9 loses the process, not the page
# cache). The default suite above keeps the real disk, where operators run, and the two timings
# differ, which shakes out tests that lean on one. Only a tmpfs that allows exec (a test runs a
# copy of the CLI from there) with 4 GiB free, on a machine with 8 GiB of memory available
# beside it. FROSTLINE_SANITIZER_TMPDIR overrides.
sanitizer_tmp=""
if [[ -n "${FROSTLINE_SANITIZER_TMPDIR:-}" ]]; then
  sanitizer_tmp="$FROSTLINE_SANITIZER_TMPDIR"
elif [[ -d /dev/shm && -w /dev/shm ]] &&
  ! findmnt -no OPTIONS --target /dev/shm 2>/dev/null | grep -qw noexec &&
  (($(df --output=avail -k /dev/shm | tail -1) > 4 * 1024 * 1024)) &&
  (($(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) > 8 * 1024 * 1024)); then
  sanitizer_tmp=$(mktemp -d /dev/shm/frostline-tests.XXXXXX)
  chmod 1777 "$sanitizer_tmp" # like /tmp: a test runs the CLI as nobody from a copy in it
  trap 'rm -rf "$sanitizer_tmp"' EXIT
fi
sanitizer_ctest() {
  if [[ -n "$sanitizer_tmp" ]]; then
    TMPDIR="$sanitizer_tmp" ctest "$@"
  else
    ctest "$@"
  fi
}

stage "AddressSanitizer + UBSan suite${sanitizer_tmp:+ (temporary stores in $sanitizer_tmp)}"
cmake --preset asan >/dev/null
# The suites and what they start; the fuzz targets are built by scripts/fuzz.sh below.
asan_targets=$(ctest --test-dir build/asan -N 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: //p')
# shellcheck disable=SC2086
cmake --build --preset asan -j "$jobs" --target frostline-cli frostline-crashworker $asan_targets
sanitizer_ctest --preset asan -j "$jobs"

stage "fuzzing"
FROSTLINE_FUZZ_JOBS="${FROSTLINE_FUZZ_JOBS:-$jobs}" FUZZ_BUILD_JOBS="$jobs" \
  scripts/fuzz.sh "${FROSTLINE_FUZZ_SECONDS:-45}"

stage "ThreadSanitizer concurrency suites"
cmake --preset tsan >/dev/null
concurrency=$(ctest --test-dir build/tsan -N -L concurrency 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: //p')
# shellcheck disable=SC2086
cmake --build --preset tsan -j "$jobs" --target frostline-cli frostline-crashworker $concurrency
sanitizer_ctest --preset tsan -j "$jobs"

stage "all stages passed"
