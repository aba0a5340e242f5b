#!/usr/bin/env bash
# Builds the libFuzzer targets (cmake --preset fuzz: clang, ASan + UBSan) and runs each for
# SECONDS (default 60) on a scratch copy of its seed corpus (tests/fuzz/corpus/<target>).
# Prints each target's exec count; exits non-zero on any crash, leak, timeout or out-of-memory,
# leaving the crashing input under build/fuzz/artifacts/<target>/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (needs clang and libclang-rt-14-dev)
set -euo pipefail

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "fuzz: SECONDS must be a positive integer, got '$seconds'" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
all=(fuzz_versioncodec fuzz_walsegment fuzz_jsonl fuzz_policy)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")

# Longest input per target: big enough for many records / nested documents, small enough that
# the fuzzer spends its time on structure rather than on long random tails.
max_len() {
  case "$1" in
    fuzz_versioncodec) echo 16384 ;;
    fuzz_walsegment) echo 65536 ;;
    fuzz_jsonl) echo 65536 ;;
    fuzz_policy) echo 8192 ;;
  esac
}

for t in "${targets[@]}"; do
  if [[ -z "$(max_len "$t")" ]]; then
    echo "fuzz: unknown target $t (known: ${all[*]})" >&2
    exit 2
  fi
done

jobs="${FUZZ_BUILD_JOBS:-2}"
cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j "$jobs" --target "${targets[@]}"

out="$root/build/fuzz/runs"
mkdir -p "$out"
failed=()
for t in "${targets[@]}"; do
  len="$(max_len "$t")"
  corpus="$out/$t.corpus"
  artifacts="$root/build/fuzz/artifacts/$t/"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  cp "$root/tests/fuzz/corpus/${t#fuzz_}/"* "$corpus/"
  log="$out/$t.log"
  echo "fuzz: $t for ${seconds}s (max_len $len)"
  rc=0
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
    "build/fuzz/tests/fuzz/$t" "$corpus" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=25 \
      -max_len="$len" -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1 || rc=$?
  runs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)"
  cov="$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || true)"
  if ((rc != 0)); then
    echo "fuzz: $t FAILED (exit $rc) after ${runs:-?} execs; see $log and $artifacts" >&2
    grep -E 'ERROR: |SUMMARY: |runtime error' "$log" | head -5 >&2 || true
    failed+=("$t")
  else
    echo "fuzz: $t ok: ${runs:-?} execs in ${seconds}s, coverage ${cov:-?} edges, corpus $(ls "$corpus" | wc -l) inputs"
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
