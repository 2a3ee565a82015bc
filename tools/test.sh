#!/usr/bin/env bash
# Runs the default test suite (CPU, no Slow/Gpu traits) and prints one closing line "N passed, N failed, N skipped".
# Usage: bash tools/test.sh [--slow] [extra dotnet test args]   (--slow: only the multi-minute [Trait("Category","Slow")] tests)
set -uo pipefail
cd "$(dirname "$0")/.."
filter="Category!=Slow&Category!=Gpu"
if [ "${1:-}" = "--slow" ]; then filter="Category=Slow"; shift; fi
results=$(mktemp -d)
dotnet build Med42.Ort.sln -c Release -nologo -v q || exit 1
dotnet test Med42.Ort.sln -c Release --no-build -nologo \
  --filter "$filter" \
  --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results/log.txt"
rc=${PIPESTATUS[0]}
passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$f")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c")
  # xunit's skipped tests are results with outcome NotExecuted; the Counters element does not count them.
  s=$(grep -o 'outcome="NotExecuted"' "$f" | wc -l)
  passed=$((passed + ${p:-0})); failed=$((failed + ${x:-0})); skipped=$((skipped + ${s:-0}))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
