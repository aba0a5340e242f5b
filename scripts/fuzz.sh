#!/usr/bin/env bash
# Builds the libFuzzer targets in the asan tree (cmake --preset asan: clang, ASan + UBSan, the
# same tree that runs the sanitized suite) and runs each for SECONDS (default 60) on a scratch
# copy of its seed corpus (tests/fuzz/corpus/<target>), FROSTLINE_FUZZ_JOBS targets at a time
# (default 1; each target still gets its full SECONDS on a core of its own).
# Prints each target's exec count; exits non-zero on any crash, leak, timeout or out-of-memory,
# leaving the crashing input under build/asan/fuzz/artifacts/<target>/.
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
parallel="${FROSTLINE_FUZZ_JOBS:-1}"
[[ "$parallel" =~ ^[1-9][0-9]*$ ]] || parallel=1
cmake --preset asan >/dev/null
cmake --build build/asan -j "$jobs" --target "${targets[@]}"

out="$root/build/asan/fuzz/runs"
mkdir -p "$out"

# Runs one target; its verdict goes to $out/<target>.verdict: "ok" or "FAILED", then what to print.
fuzz_one() {
  local t=$1 len corpus artifacts log rc=0 runs cov
  len="$(max_len "$t")"
  corpus="$out/$t.corpus"
  artifacts="$root/build/asan/fuzz/artifacts/$t/"
  log="$out/$t.log"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  cp "$root/tests/fuzz/corpus/${t#fuzz_}/"* "$corpus/"
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
    "build/asan/tests/fuzz/$t" "$corpus" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=25 \
      -max_len="$len" -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1 || rc=$?
  runs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)"
  cov="$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || true)"
  if ((rc != 0)); then
    {
      echo FAILED
      echo "fuzz: $t FAILED (exit $rc) after ${runs:-?} execs; see $log and $artifacts"
      grep -E 'ERROR: |SUMMARY: |runtime error' "$log" | head -5 || true
    } >"$out/$t.verdict"
  else
    printf 'ok\nfuzz: %s ok: %s execs in %ss, coverage %s edges, corpus %s inputs\n' \
      "$t" "${runs:-?}" "$seconds" "${cov:-?}" "$(find "$corpus" -type f | wc -l)" >"$out/$t.verdict"
  fi
}

running=0
for t in "${targets[@]}"; do
  rm -f "$out/$t.verdict"
  if ((running >= parallel)); then
    wait -n || true
    running=$((running - 1))
  fi
  echo "fuzz: $t for ${seconds}s (max_len $(max_len "$t"))"
  fuzz_one "$t" &
  running=$((running + 1))
done
wait || true

failed=()
for t in "${targets[@]}"; do
  if [[ -f "$out/$t.verdict" && "$(head -n 1 "$out/$t.verdict")" == ok ]]; then
    tail -n +2 "$out/$t.verdict"
  else
    if [[ -f "$out/$t.verdict" ]]; then tail -n +2 "$out/$t.verdict" >&2; fi
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
