#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite. CI runs exactly this.
#   1. the default build (RelWithDebInfo): every Qt Test suite, GUI suites offscreen
#   2. the Debian package: build, lintian, install with apt, run installed, purge
# With --sanitizers (or FROSTLINE_SANITIZERS=1) also:
#   3. AddressSanitizer + UndefinedBehaviorSanitizer: the whole suite again
#   4. ThreadSanitizer: the concurrency suites
#   5. libFuzzer: each fuzz target for FROSTLINE_FUZZ_SECONDS (default 60)
# FROSTLINE_QUICK=1 runs only stage 1 (for a fast local loop).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
jobs=$(nproc)
stage() { echo; echo "=== test.sh: $* ($(date +%H:%M:%S))"; }

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

if [[ "${1:-}" != "--sanitizers" && "${FROSTLINE_SANITIZERS:-0}" != 1 ]]; then
  stage "all stages passed"
  exit 0
fi

stage "AddressSanitizer + UBSan suite"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"

stage "ThreadSanitizer concurrency suites"
cmake --preset tsan >/dev/null
concurrency=$(ctest --test-dir build/tsan -N -L concurrency 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: //p')
# shellcheck disable=SC2086
cmake --build --preset tsan -j "$jobs" --target frostline-cli frostline-crashworker $concurrency
ctest --preset tsan -j "$jobs"

if [[ -x scripts/fuzz.sh ]]; then
  stage "fuzzing"
  scripts/fuzz.sh "${FROSTLINE_FUZZ_SECONDS:-60}"
fi
stage "all stages passed"
