#!/usr/bin/env bash
# The fuzz run of BENCHMARKS.md's reliability table: every reader's fuzz test (tests/it/fuzz.rs)
# with N mutated inputs each (default 10,000) instead of CI's sample. Usage:
#   bash benches/fuzz.sh [N]
# A panic or an abort fails the test binary; the counts below are the cases each test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-10000}
start=$(date +%s)
COSTGRAPH_FUZZ_CASES=$cases cargo test --release --test it fuzz:: -- --test-threads 1 2>&1 |
    grep -E '^test |^test result'
echo "fuzz: $cases cases per test, $(($(date +%s) - start)) s (cargo test --release --test it fuzz::, COSTGRAPH_FUZZ_CASES=$cases)"
echo "leftover temporary files: $(find "${TMPDIR:-/tmp}" -maxdepth 1 -name '.costgraph-webgraph-*' | wc -l)"
