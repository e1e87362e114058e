#!/usr/bin/env bash
# Regenerates the benchmark records in docs/reports/: COST sweeps of every problem on the standard
# synthetic graphs and on real graphs from ../shared/datasets. Usage:
#   bash benches/record.sh [WORKDIR] [MAX_CORES]
# WORKDIR holds the generated .cgr files (several GB at scale 22); default /tmp/costgraph-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/costgraph-bench}
cores=${2:-$(nproc)}
mkdir -p "$work" docs/reports
cargo build --release
cg=target/release/costgraph

graph() { # NAME COMMAND...
    local name=$1; shift
    [ -f "$work/$name.cgr" ] || "$@" -o "$work/$name.cgr"
}
graph kron22 $cg generate kron --scale 22 --weights 1..255
graph urand22 $cg generate urand --scale 22 --degree 16 --weights 1..255
graph grid4m $cg generate grid --rows 2048 --cols 2048 --weights 1..255
graph kron22-directed $cg generate kron --scale 22 --directed --order hilbert
if [ -d ../shared/datasets ]; then
    graph moscow $cg convert ../shared/datasets/roads/moscow-roads.gr.zst --undirected
    graph cnr-2000 $cg convert ../shared/datasets/law/cnr-2000.arcs.txt.zst --order hilbert
fi

sweep() { # NAME PROBLEM
    local out="$work/report-$1-$2"
    $cg cost "$2" "$work/$1.cgr" --max-cores "$cores" --repeat 3 --warmup 1 --out "$out"
    cp "$out/report.md" "docs/reports/$1-$2.md"
    cp "$out/scaling.svg" "docs/reports/$1-$2.svg"
}
for g in kron22 urand22 grid4m; do
    sweep $g cc
    sweep $g msf
done
sweep kron22-directed pagerank
if [ -d ../shared/datasets ]; then
    sweep moscow cc
    sweep moscow msf
    sweep cnr-2000 cc
    sweep cnr-2000 pagerank
fi
