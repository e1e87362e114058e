#!/usr/bin/env bash
# Regenerates BENCHMARKS.md from scratch, on this machine, at this commit: every figure in it comes
# from this run. Each section is measured into WORKDIR/sections/ and the document is assembled from
# them with a header naming the machine, the commit, the date and the load; the COST reports go to
# docs/reports/. Usage:
#
#   bash benches/record.sh [--work DIR] [--max-cores N] [--gapbs DIR] [--gbbs DIR --parlaylib DIR]
#                          [--big] [--only SECTION,...] [--quick]
#
#   --work DIR      generated graphs, reports, section files (default /tmp/costgraph-record; several
#                   GB, about 30 GB more with --big; every graph this run generates is deleted at the end).
#                   A non-empty folder is refused unless an earlier recording made it (.costgraph-record)
#   --max-cores N   the COST sweeps' largest core count (default: this machine's cores)
#   --gapbs DIR     a gapbs checkout (github.com/sbeamer/gapbs): CC and PageRank side by side
#   --gbbs DIR, --parlaylib DIR   GBBS and parlaylib checkouts: MSF side by side (needs --gapbs too)
#   --big           the billion-arc section too (Kronecker 26, the twitter-shaped graph; ~35 minutes)
#   --only S,...    measure only these sections again and reassemble with the others already in
#                   WORKDIR/sections (refused when those were measured at another commit or machine)
#   --quick         small graphs (scale 16): checks the script end to end in minutes; its document
#                   goes to WORKDIR/BENCHMARKS.md, never over the repository's
#
# Sections: cost peers pagerank differential cluster build big reliability. The cluster section
# needs root and iproute2 (network namespaces); the peers and pagerank sections need the
# checkouts; a section that cannot run says so in the document, with the reason.
# Real graphs (moscow-roads, cnr-2000) come from $COSTGRAPH_DATASETS (the small-graph layout:
# roads/..., law/...), else from the dataset cache (`costgraph datasets fetch NAME`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

work=/tmp/costgraph-record
cores=$(nproc)
gapbs="" gbbs="" parlaylib="" big=0 only="" quick=0
while [ $# -gt 0 ]; do
    case $1 in
    --work) work=$2; shift 2 ;;
    --max-cores) cores=$2; shift 2 ;;
    --gapbs) gapbs=$(realpath "$2"); shift 2 ;;
    --gbbs) gbbs=$(realpath "$2"); shift 2 ;;
    --parlaylib) parlaylib=$(realpath "$2"); shift 2 ;;
    --big) big=1; shift ;;
    --only) only=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    *) echo "error: unknown argument $1 (see the head of benches/record.sh)" >&2; exit 2 ;;
    esac
done
all_sections="cost peers pagerank differential cluster build big reliability"
# The work folder is this script's: it deletes its graphs and reports there. A folder that holds
# something else, and not the mark a recording leaves, is refused instead of cleared.
if [ -d "$work" ] && [ -n "$(ls -A "$work")" ] && [ ! -f "$work/.costgraph-record" ]; then
    echo "error: $work holds files that no recording made (no .costgraph-record): name an empty or new folder with --work" >&2
    exit 1
fi
mkdir -p "$work/sections" "$work/graphs" "$work/reports"
touch "$work/.costgraph-record"
if [ -z "$only" ]; then
    # A whole recording starts afresh: its own graphs (their generation is timed) and reports only.
    rm -rf "$work/graphs" "$work/reports"
    mkdir -p "$work/graphs" "$work/reports"
    [ $quick = 1 ] || rm -rf docs/reports
fi
mkdir -p docs/reports
work=$(realpath "$work")
sections="$work/sections"

commit=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain --untracked-files=no -- . ':!BENCHMARKS.md' ':!docs/reports')" ]; then
    echo "error: the working tree has uncommitted changes: BENCHMARKS.md must name the commit it measured" >&2
    exit 1
fi
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(lscpu | sed -n 's/^L2 cache: *//p' | head -1) L2, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(uname -sm)"
stamp="commit=$commit machine=$machine quick=$quick"

wanted() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
cargo build --release --quiet
if wanted build; then
    cargo bench --no-run --quiet 2>/dev/null # built now, not while the build section measures
fi
cg=$root/target/release/costgraph
sweep_repeat=5
if [ $quick = 1 ]; then
    scale=16 big_scale=18 tw_scale=17 grid=256 diff_scale=14 upd_scale=12 sweep_repeat=3
else
    scale=22 big_scale=26 tw_scale=25 grid=2048 diff_scale=20 upd_scale=18
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }
# section NAME TITLE: starts WORKDIR/sections/NAME.md (stdout goes there until `end`)
section() {
    exec 3>&1 1>"$sections/$1.md.part"
    echo "<!-- record: $stamp -->"
    echo
    echo "## $2"
    echo
    echo "Load average (1, 5, 15 min) at the start: $(load)."
    echo
    current=$1
    started=$(date +%s)
}
end() {
    echo
    echo "_Section measured in $(($(date +%s) - started)) s; load average at its end: $(load)._"
    echo
    exec 1>&3 3>&-
    mv "$sections/$current.md.part" "$sections/$current.md"
    echo "recorded: $current" >&2
}
skipped() { # NAME TITLE REASON
    section "$1" "$2"
    echo "Not measured in this recording: $3"
    end
}
timed() { # LABEL FILE COMMAND...: runs COMMAND under /usr/bin/time; appends to FILE one line
    #                                 "LABEL<tab>wall s<tab>peak RSS KiB<tab>COMMAND" (paths of WORKDIR shortened)
    local label=$1 file=$2 rc=0
    shift 2
    /usr/bin/time -f "%e %M" -o "$work/time.out" "$@" || rc=$?
    local shown="${*#"$root/target/release/"}"
    shown=${shown//"$work/graphs/"/}
    printf '%s\t%s\t%s\t%s\n' "$label" "$(cut -d' ' -f1 "$work/time.out" | tail -1)" \
        "$(cut -d' ' -f2 "$work/time.out" | tail -1)" "$shown" >>"$file"
    return $rc
}
times_table() { # FILE: the lines `timed` appended, as table rows
    awk -F'\t' '{printf "| %s | `%s` | %.1f s | %.2f GiB |\n", $1, $4, $2, $3 / 1048576}' "$1"
}
# graph NAME ARGS...: WORKDIR/graphs/NAME.cgr from `costgraph ARGS... -o FILE`, timed once.
created=()
graph() {
    local name=$1
    shift
    local f="$work/graphs/$name.cgr"
    if [ ! -f "$f" ]; then
        timed "$name" "$work/graphs/times" "$cg" "$@" -o "$f" >/dev/null
        created+=("$f")
    fi
}
cleanup() {
    if [ ${#created[@]} -gt 0 ]; then
        rm -f "${created[@]}"
    fi
    rm -f "$sections"/*.md.part
}
trap cleanup EXIT
# A signal ends the script through `exit`, so the EXIT trap (graphs, namespaces) runs on it too.
trap 'exit 130' INT
trap 'exit 143' TERM
md() { sed -n '/^|/p' "$1"; } # the table lines of a Markdown file
fence() { echo '```sh'; echo "$*"; echo '```'; }

real() { # LAYOUT-PATH DATASET: the real graph's file, in whichever form is there, or nothing
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

# The graphs every section shares. Weights 1..2^20 everywhere, as the peers' weighted kernels use.
W=1..1048576
graph kron generate kron --scale $scale --weights $W
graph urand generate urand --scale $scale --degree 16 --weights $W
graph grid generate grid --rows $grid --cols $grid --weights $W
graph kron-directed generate kron --scale $scale --directed --with-transpose
graph kron-hilbert convert "$work/graphs/kron.cgr" --order hilbert
graph kron-diff generate kron --scale $diff_scale --weights 1..255
graph kron-upd generate kron --scale $upd_scale --weights 1..255
moscow=$(real roads/moscow-roads.gr.zst moscow-roads)
cnr=$(real law/cnr-2000.graph.zst cnr-2000)
[ -z "$moscow" ] || graph moscow convert "$moscow" --undirected
[ -z "$cnr" ] || graph cnr-2000 convert "$cnr" --order hilbert
g() { echo "$work/graphs/$1.cgr"; }

# ---------------------------------------------------------------------------------------------
if wanted cost; then
    section cost "COST: the best single thread against every scalable implementation"
    cat <<EOF
Each row is one scalable implementation of one \`costgraph cost\` sweep: its median compute time at
1 core and at the most cores, and its COST — the fewest cores at which its 95 % interval lies below
the single-thread baseline's — on compute alone and end to end (load + preparation + compute).
"Unbounded" means no configuration up to $cores cores beats the baseline. The full reports (every
configuration, intervals, p90, load, peak RSS, the command lines, the graph's sha256) are in
[\`docs/reports/\`](docs/reports/), each with its \`scaling.svg\`. Command, per graph and problem:

EOF
    fence "costgraph cost PROBLEM GRAPH.cgr --max-cores $cores --repeat $sweep_repeat --warmup 1 --out DIR [--skip ...]"
    echo
    cat <<EOF
Graphs (\`costgraph generate ...\`): kron = \`kron --scale $scale --weights $W\`; urand = \`urand
--scale $scale --degree 16 --weights $W\`; grid = \`grid --rows $grid --cols $grid --weights $W\`;
kron-directed = \`kron --scale $scale --directed --with-transpose\` (PageRank); moscow = the
moscow-roads DIMACS graph, cnr-2000 = the LAW graph (\`costgraph datasets fetch\`), converted.
\`differential-cc\` and \`differential-cc-min\` are left out of the synthetic sweeps (their first
fixed point alone outlasts the rest of a sweep: see "Differential dataflow" for them against
union-find).

EOF
    sweep() { # NAME PROBLEM [ARGS...]
        local name=$1 problem=$2
        shift 2
        local out="$work/reports/$name-$problem"
        rm -rf "$out"
        # A configuration that fails leaves the report partial and `cost` exits non-zero: the table
        # shows the failure, and the recording goes on.
        "$cg" cost "$problem" "$(g "$name")" --max-cores "$cores" --repeat $sweep_repeat --warmup 1 --out "$out" "$@" >/dev/null ||
            echo "warning: cost $problem on $name exited $?: see $out/report.md" >&2
        if [ $quick = 0 ]; then
            cp "$out/report.md" "docs/reports/$name-$problem.md"
            cp "$out/scaling.svg" "docs/reports/$name-$problem.svg"
        fi
        reports+=("$name=$out")
    }
    reports=()
    nodiff=(--skip differential-cc,differential-cc-min)
    for name in kron urand grid; do
        sweep $name cc "${nodiff[@]}"
        sweep $name msf
    done
    sweep kron-directed pagerank
    if [ -f "$(g moscow)" ]; then
        sweep moscow cc
        sweep moscow msf
    fi
    if [ -f "$(g cnr-2000)" ]; then
        sweep cnr-2000 cc
        sweep cnr-2000 pagerank
    fi
    python3 benches/record/tables.py cost "${reports[@]}"
    [ -f "$(g moscow)" ] || echo -e "\nmoscow-roads: not found (set COSTGRAPH_DATASETS or fetch it), not swept."
    [ -f "$(g cnr-2000)" ] || echo -e "\ncnr-2000: not found (set COSTGRAPH_DATASETS or fetch it), not swept."
    end
fi

# ---------------------------------------------------------------------------------------------
if wanted peers; then
    if [ -z "$gapbs" ] || [ -z "$gbbs" ] || [ -z "$parlaylib" ]; then
        skipped peers "Side by side with gapbs and GBBS (CC, MSF)" \
            "no gapbs, GBBS and parlaylib checkouts given (--gapbs, --gbbs, --parlaylib)."
    else
        section peers "Side by side with gapbs and GBBS (CC, MSF)"
        cat <<EOF
\`benches/peers/run_peers.py\` builds gapbs's \`cc\` (Afforest) with gapbs's Makefile and GBBS's
Borůvka MSF with the flags of GBBS's makefile.variables, writes their inputs from the \`.cgr\`
(every edge in both directions, the same node count, the same weights), runs costgraph, gapbs
and GBBS interleaved at 1 and 2 threads, and checks their answers against costgraph's (gapbs:
the component count; GBBS: its forest's edge count, n − components). Only the kernels are timed.
Peers: gapbs $(git -C "$gapbs" rev-parse --short HEAD), GBBS $(git -C "$gbbs" rev-parse --short HEAD),
parlaylib $(git -C "$parlaylib" rev-parse --short HEAD). The ratio is peer / costgraph (above 1:
costgraph ahead); each cell is the median of 5 runs in each of 2 rounds.

EOF
        fence "python3 benches/peers/run_peers.py --gapbs GAPBS --gbbs GBBS --parlaylib PARLAYLIB --repeat 5 --rounds 2 kron.cgr urand.cgr"
        echo
        python3 benches/peers/run_peers.py --gapbs "$gapbs" --gbbs "$gbbs" --parlaylib "$parlaylib" \
            --work "$work/peers" --repeat 5 --rounds 2 "$(g kron)" "$(g urand)"
        echo
        echo "The Rust peers, in one process on the same graph (benches/peers/README.md):"
        echo
        fence "benches/peers/target/release/peers kron.cgr --repeat 5 --threads 1,2 --skip petgraph-msf"
        echo
        "$root/target/release/peers" "$(g kron)" --repeat 5 --threads 1,2 --skip petgraph-msf
        end
    fi
fi

# ---------------------------------------------------------------------------------------------
if wanted pagerank; then
    if [ -z "$gapbs" ]; then
        skipped pagerank "PageRank side by side with gapbs" "no gapbs checkout given (--gapbs)."
    else
        section pagerank "PageRank side by side with gapbs"
        cat <<EOF
20 iterations, damping 0.85, no tolerance, on kron (symmetric, $(
            "$cg" info "$(g kron)" | awk '/^arcs stored/ {print $3}'
        ) arcs) and on the same graph converted with \`--order hilbert\` for \`pagerank-hilbert\`.
gapbs $(git -C "$gapbs" rev-parse --short HEAD) \`pr_spmv\` (its own Makefile) reads the graph
exported by \`peers --export-gapbs\`; it times its kernel only, as costgraph's "compute" does;
costgraph's preparation (tiles from the file, bins) is shown apart and counted end to end.
Medians of 3 runs in each of 2 interleaved rounds.

EOF
        fence "python3 benches/peers/run_pagerank.py --gapbs GAPBS --repeat 3 --rounds 2 kron.cgr --hilbert kron-hilbert.cgr"
        echo
        (cd benches/peers && python3 run_pagerank.py --gapbs "$gapbs" --work "$work/peers" --repeat 3 --rounds 2 \
            "$(g kron)" --hilbert "$(g kron-hilbert)")
        end
    fi
fi

# ---------------------------------------------------------------------------------------------
if wanted differential; then
    section differential "Differential dataflow: components, static and under updates"
    echo "Static, one worker: \`differential-cc\` and \`differential-cc-min\` against union-find on kron-diff"
    echo "(\`generate kron --scale $diff_scale --weights 1..255\`; union-find before and after them) and on"
    echo "moscow, a road network: few arcs per node, and many rounds before the labels settle."
    echo
    fence "costgraph run cc kron-diff.cgr --impl IMPL --repeat 3 --json"
    echo
    args=()
    for imp in union-find differential-cc differential-cc-min union-find; do
        "$cg" run cc "$(g kron-diff)" --impl $imp --repeat 3 --json >"$work/diff-$imp-${#args[@]}.json"
        args+=("kron-diff=$work/diff-$imp-${#args[@]}.json")
    done
    if [ -f "$(g moscow)" ]; then
        for imp in union-find differential-cc differential-cc-min; do
            "$cg" run cc "$(g moscow)" --impl $imp --repeat 3 --json >"$work/diff-moscow-$imp.json"
            args+=("moscow=$work/diff-moscow-$imp.json")
        done
    fi
    python3 benches/record/tables.py runs "${args[@]}"
    echo
    upd=(updates cc "$(g kron-upd)" --impl differential-cc,differential-cc-min --one-at-a-time 1000 --idle-merge 0
        --batch 1,10k --batches 20 --changes 200k)
    echo "Under updates, on kron-upd (\`generate kron --scale $upd_scale --weights 1..255\`): one update at a"
    echo "time (nothing else in flight, differential's idle merging off), then batches of 1 and 10,000"
    echo "with up to 4 in flight; the single-thread columns are an incremental union-find and a union-find"
    echo "recompute after every batch. Full report: [\`docs/reports/updates.md\`](docs/reports/updates.md)."
    echo
    shown="${upd[*]}"
    fence "costgraph ${shown//"$work/graphs/"/} --out DIR"
    echo
    rm -rf "$work/reports/updates"
    "$cg" "${upd[@]}" --out "$work/reports/updates" >/dev/null
    sed -n '/^| system/,/^$/p' "$work/reports/updates/report.md"
    if [ $quick = 0 ]; then
        cp "$work/reports/updates/report.md" docs/reports/updates.md
        cp "$work/reports/updates/latency.svg" docs/reports/updates-latency.svg
    fi
    end
fi

# ---------------------------------------------------------------------------------------------
if wanted cluster; then
    if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
        skipped cluster "Across machines: network namespaces" "needs root, ip and tc (network namespaces)."
    else
        section cluster "Across machines: network namespaces, the model checked"
        bash benches/record/netns.sh down 3
        bash benches/record/netns.sh up 3
        trap 'bash benches/record/netns.sh down 3; cleanup' EXIT
        printf '10.215.0.1 cgr0\n10.215.0.2 cgr1\n10.215.0.3 cgr2\n' >"$work/hosts"
        cat <<EOF
Three network namespaces on one bridge stand in for machines (\`benches/record/netns.sh\`); each
one's link is limited with \`tc qdisc add dev eth0 root tbf rate RATE burst 256kb latency 50ms\`.
They share this machine's cores, so the 3-machine points run 3 single-worker processes on $(nproc)
cores. Graph: kron-diff. Per rate, \`cost\` sweeps timely-union-find over 1, 2 and 3 machines and
checks its model (given the rate, and refitted to the measurements) against each point:

EOF
        fence "costgraph cost cc kron-diff.cgr --hosts hosts --launch 'ip netns exec {host} {command}' --machines 1,2,3 --workers-per-machine 1 --max-cores 2 --processes 2 --skip label-prop,label-prop-par,afforest,boruvka-cc,timely-label-prop,differential-cc,differential-cc-min --repeat 5 --warmup 1 --model 'machines=4 gbit=RATE latency=0.05'"
        echo
        args=()
        for rate in 1gbit 100mbit; do
            for i in 0 1 2; do
                ip netns exec "cgr$i" tc qdisc replace dev eth0 root tbf rate $rate burst 256kb latency 50ms
            done
            gbit=$([ $rate = 1gbit ] && echo 1 || echo 0.1)
            "$cg" cost cc "$(g kron-diff)" --hosts "$work/hosts" --launch 'ip netns exec {host} {command}' \
                --machines 1,2,3 --workers-per-machine 1 --max-cores 2 --processes 2 \
                --skip label-prop,label-prop-par,afforest,boruvka-cc,timely-label-prop,differential-cc,differential-cc-min \
                --repeat 5 --warmup 1 --model "machines=4 gbit=$gbit latency=0.05" --out "$work/reports/cluster-$rate" >/dev/null
            args+=("$rate=$work/reports/cluster-$rate")
        done
        python3 benches/record/tables.py cluster "${args[@]}"
        echo
        echo "The single-thread baseline in the same sweeps, compute median: $(python3 -c '
import json, sys
print("; ".join("%s %s %.1f ms" % (a.split("=")[0], b["implementation"], b["compute"]["median"] * 1e3)
                for a in sys.argv[1:]
                for b in [json.load(open(a.split("=", 1)[1] + "/report.json"))["problems"][0]["baseline"]]))
' "${args[@]}")."
        bash benches/record/netns.sh down 3
        trap cleanup EXIT
        end
    fi
fi

# ---------------------------------------------------------------------------------------------
if wanted build; then
    section build "Building graphs, parsing, scanning, the handshake"
    echo "Generating the graphs of this recording (each once, \`/usr/bin/time\`: wall, peak RSS):"
    echo
    echo "| graph | command | wall | peak RSS |"
    echo "|---|---|---:|---:|"
    if [ -f "$work/graphs/times" ]; then
        times_table "$work/graphs/times"
    fi
    echo
    echo "Kronecker $scale at 1 and 2 threads, in memory and within \`--memory 512M\` (spilled to disk):"
    echo
    rm -f "$work/build-times"
    for t in 1 2; do
        timed "kron $scale, $t thread(s)" "$work/build-times" "$cg" --threads $t generate kron --scale $scale -o "$work/graphs/b.cgr" >/dev/null
    done
    timed "kron $scale, 2 threads, out of core" "$work/build-times" "$cg" --threads 2 generate kron --scale $scale --memory 512M -o "$work/graphs/b.cgr" >/dev/null
    rm -f "$work/graphs/b.cgr"
    echo "| what | command | wall | peak RSS |"
    echo "|---|---|---:|---:|"
    times_table "$work/build-times"
    echo
    echo "Criterion benches (\`cargo bench --bench NAME -- --warm-up-time 1 --measurement-time 5\`; the"
    echo "estimate's interval as criterion prints it):"
    echo
    echo "| bench | case | time [low, estimate, high] | throughput |"
    echo "|---|---|---|---|"
    for bench in parse scan handshake; do
        cargo bench --quiet --bench $bench -- --warm-up-time 1 --measurement-time 5 --noplot 2>/dev/null |
            awk -v b=$bench '
                function flush() {
                    if (name != "" && t != "") printf "| %s | %s | %s | %s |\n", b, name, t, (r == "" ? "—" : r)
                    name = ""; t = ""; r = ""
                }
                /^[^ ]/ && !/^(Found|Benchmarking|Gnuplot|WARNING)/ { flush(); name = $1 }
                /time:/ && t == "" { t = $0; sub(/.*time: */, "", t) }
                /thrpt:/ && r == "" { r = $0; sub(/.*thrpt: */, "", r) }
                END { flush() }'
    done
    end
fi

# ---------------------------------------------------------------------------------------------
if wanted big; then
    if [ $big = 0 ]; then
        skipped big "Billion-arc graphs" "run with --big (about 35 minutes and 30 GB of disk)."
    else
        section big "Billion-arc graphs"
        echo "Generated within \`--memory 8G\` (spilled to disk), then run; \`/usr/bin/time\` gives the peak"
        echo "RSS, which counts the pages of the mapped graph file the process touched. The COST paper's"
        echo "laptop figures are for twitter_rv (41.7M nodes, 1.47B arcs): CC 15 s, PageRank 300 s"
        echo "(vertex order) and 110 s (Hilbert order), 20 iterations, one thread."
        echo
        rm -f "$work/big-times"
        k26="$work/graphs/k$big_scale.cgr" tw="$work/graphs/tw.cgr" twh="$work/graphs/tw-hilbert.cgr"
        created+=("$k26" "$tw" "$twh")
        failed=()
        try() { # LABEL COMMAND...: a failed step is reported in the section, the recording goes on
            local label=$1
            shift
            local rc=0
            "$@" || rc=$?
            [ $rc = 0 ] || failed+=("$label (exit $rc)")
            return $rc
        }
        try "generate k$big_scale" timed "generate kron $big_scale" "$work/big-times" "$cg" --threads 2 generate kron --scale $big_scale --weights $W --memory 8G -o "$k26" >/dev/null || true
        k26arcs=$("$cg" info "$k26" | awk '/^arcs stored/ {print $3}') || true
        args=()
        for imp in cc:union-find cc:afforest msf:kruskal; do
            repeat=$([ "${imp%%:*}" = msf ] && echo 1 || echo 3)
            if try "run ${imp#*:}" timed "run ${imp#*:}" "$work/big-times" "$cg" run "${imp%%:*}" "$k26" --impl "${imp#*:}" --repeat $repeat --json >"$work/big-${imp#*:}.json"; then
                args+=("kron $big_scale=$work/big-${imp#*:}.json")
            fi
        done
        rm -f "$k26"
        try "generate twitter-shaped" timed "generate twitter-shaped" "$work/big-times" "$cg" --threads 2 generate kron --scale $tw_scale --edge-factor 44 --directed --with-transpose --memory 8G -o "$tw" >/dev/null || true
        twarcs=$("$cg" info "$tw" | awk '/^arcs stored/ {print $3}') || true
        if try "pagerank" timed "pagerank, vertex order" "$work/big-times" "$cg" run pagerank "$tw" --impl pagerank --threads 1 --repeat 1 --json >"$work/big-pagerank.json"; then
            args+=("twitter-shaped=$work/big-pagerank.json")
        fi
        try "convert --order hilbert" timed "Hilbert order added" "$work/big-times" "$cg" --threads 2 convert "$tw" -o "$twh" --order hilbert --memory 8G >/dev/null || true
        rm -f "$tw"
        # --force: the estimate counts the mapped sections, which the page cache can give back.
        if try "pagerank-hilbert" timed "pagerank, Hilbert order" "$work/big-times" "$cg" run pagerank "$twh" --impl pagerank-hilbert --repeat 1 --force --json >"$work/big-pagerank-hilbert.json"; then
            args+=("twitter-shaped, Hilbert=$work/big-pagerank-hilbert.json")
        fi
        rm -f "$twh"
        echo "| step | command | wall | peak RSS |"
        echo "|---|---|---:|---:|"
        times_table "$work/big-times"
        echo
        echo "Kronecker $big_scale: $k26arcs arcs; twitter-shaped (\`kron --scale $tw_scale --edge-factor 44 --directed\`,"
        echo "transpose stored): $twarcs arcs. The runs' own figures (PageRank: 20 iterations; \`pagerank\` on one"
        echo "thread, its preparation the tiles built from the stored transpose; \`pagerank-hilbert\` computes on"
        echo "one thread, its preparation the packing of the file's Hilbert section, on all cores):"
        echo
        python3 benches/record/tables.py runs "${args[@]}"
        for f in "${failed[@]}"; do
            echo
            echo "**Failed:** $f."
        done
        end
    fi
fi

# ---------------------------------------------------------------------------------------------
if wanted reliability; then
    section reliability "Reliability: hostile input and the fuzz run"
    cat benches/record/reliability.md
    echo
    fence "bash benches/fuzz.sh 10000"
    echo
    echo '```text'
    bash benches/fuzz.sh $([ $quick = 1 ] && echo 200 || echo 10000) 2>&1 | tail -20
    echo '```'
    end
fi

# ---------------------------------------------------------------------------------------------
# Assemble: every section must come from this commit, this machine and this mode.
for s in $all_sections; do
    f="$sections/$s.md"
    if [ ! -f "$f" ]; then
        echo "error: section $s was never measured in $work (run without --only)" >&2
        exit 1
    fi
    if [ "$(head -1 "$f")" != "<!-- record: $stamp -->" ]; then
        echo "error: section $s in $work was measured at another commit, machine or mode: run it again (--only $s)" >&2
        exit 1
    fi
done
out=BENCHMARKS.md
[ $quick = 0 ] || out="$work/BENCHMARKS.md"
{
    echo "# Benchmarks"
    echo
    echo "Every figure below was measured by one run of \`bash benches/record.sh\` (the script regenerates"
    echo "this whole file; the command of every figure is beside it):"
    echo
    echo "- machine: $machine"
    echo "- costgraph $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1) at commit \`$commit\`, $(rustc --version)"
    echo "- recorded $(date -u +%Y-%m-%d) (UTC); the load average is given at the start and end of every section."
    echo "  Absolute times on a shared machine drift from day to day; compare the ratios of one section."
    echo "- no 16-core figures: the sweeps go up to $cores cores, this machine's count. On a bigger machine,"
    echo "  \`bash benches/record.sh --max-cores 16\` measures the whole document there."
    echo
    echo "Sections: COST reports · side by side with gapbs and GBBS · PageRank against gapbs ·"
    echo "differential dataflow · across machines · building graphs · billion-arc graphs · reliability."
    echo
    for s in $all_sections; do
        tail -n +3 "$sections/$s.md"
    done
} >"$out"
echo "wrote $out" >&2
