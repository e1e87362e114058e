#!/usr/bin/env bash
# Regenerates the benchmark records in docs/reports/: COST sweeps of every problem on the standard
# synthetic graphs and on two real graphs, moscow-roads and cnr-2000, taken from the folder
# $COSTGRAPH_DATASETS names (the small-graph layout: roads/..., law/...), else from the dataset cache
# ($COSTGRAPH_CACHE, else datasets/cache; see docs/datasets.md). Usage:
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

real() { # LAYOUT-PATH DATASET: prints the real graph's file, in whichever form is there, or nothing
    local name f
    name=$(basename "$1" .zst)
    if [ -n "${COSTGRAPH_DATASETS:-}" ]; then
        set -- "$COSTGRAPH_DATASETS/$1"
    else
        set -- "${COSTGRAPH_CACHE:-datasets/cache}/$2/$name.zst" "${COSTGRAPH_CACHE:-datasets/cache}/$2/$name"
    fi
    for f in "$@"; do
        if [ -f "$f" ]; then
            echo "$f"
            return
        fi
    done
}
moscow=$(real roads/moscow-roads.gr.zst moscow-roads)
cnr=$(real law/cnr-2000.graph.zst cnr-2000)
if [ -n "$moscow" ]; then
    graph moscow $cg convert "$moscow" --undirected
else
    echo "note: moscow-roads not found (set COSTGRAPH_DATASETS, or see docs/datasets.md); not swept" >&2
fi
if [ -n "$cnr" ]; then
    graph cnr-2000 $cg convert "$cnr" --order hilbert
else
    echo "note: cnr-2000 not found (costgraph datasets fetch cnr-2000, or set COSTGRAPH_DATASETS); not swept" >&2
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
if [ -n "$moscow" ]; then
    sweep moscow cc
    sweep moscow msf
fi
if [ -n "$cnr" ]; then
    sweep cnr-2000 cc
    sweep cnr-2000 pagerank
fi
