#!/usr/bin/env python3
"""Side by side: costgraph's CC and MSF against gapbs (Afforest CC) and GBBS (Borůvka MSF).

You fetch the peers yourself; this script never downloads anything:

    git clone https://github.com/sbeamer/gapbs
    git clone https://github.com/ParAlg/gbbs
    git clone https://github.com/ParAlg/parlaylib      # GBBS's parallel primitives
    git -C parlaylib checkout 352f5367a6b3bd2f0c6f05882cdd02e978e349ea   # the commit gbbs/MODULE.bazel pins

Then, from the costgraph checkout:

    python3 benches/peers/run_peers.py --gapbs ../gapbs --gbbs ../gbbs --parlaylib ../parlaylib \\
        --repeat 5 --rounds 2 k22w20.cgr k22w32.cgr

What it does, per graph (a costgraph `.cgr`, symmetric or not):

1. Builds costgraph's `peers` binary (`cargo build --release` of benches/peers, in the main
   target folder), gapbs's `cc`
   with gapbs's own Makefile and flags (`make cc`: `-std=c++11 -O3 -Wall -fopenmp`), and GBBS's
   Borůvka MSF with g++ and the flags of GBBS's makefile.variables (no Bazel needed):
   `-O3 -DNDEBUG -std=c++17 -march=native -mcx16 -DGBBSLONG -DAMORTIZEDPD -DUSEMALLOC -DHOMEGROWN
   -pthread` (the homegrown work-stealing scheduler; threads from PARLAY_NUM_THREADS), into
   `--work`/bin.
2. Writes the peers' inputs from the `.cgr` once (`peers G.cgr --export-gapbs G.sg --export-gbbs
   G.gbbs`): gapbs's serialized `.sg` and GBBS's weighted binary format, every undirected edge in
   both directions, self loops dropped, the same node count (see benches/peers/src/export.rs).
3. Runs, `--rounds` times, interleaved so that load changes hit everyone alike: costgraph
   (`peers G.cgr --repeat R`, in-process timing of every registered CC/MSF implementation at 1
   and 2 threads), gapbs `cc -f G.sg -n R -a` with OMP_NUM_THREADS=1 and 2, GBBS
   `MinimumSpanningForest -s -b -rounds R G.gbbs` with PARLAY_NUM_THREADS=1 and 2. Only the
   algorithm is timed in each (gapbs: "Trial Time"; GBBS: "### Running Time"; costgraph: the
   kernel call).
4. Checks the answers: gapbs's component count ("There are C components") must equal costgraph's;
   GBBS prints the number of forest edges ("total edges added", once per filtering phase: their
   sum per run), which must equal n - C (a
   spanning forest of the same graph); costgraph's own implementations are checked against its
   baseline by `peers` (component count, forest weight). A mismatch is an error.
5. Prints a Markdown table: per problem and thread count, costgraph's best implementation and the
   peer's median, and the ratio (peer / costgraph: above 1 means costgraph is ahead), with the
   1-minute load average read before each block.

GBBS's weights are signed 32-bit integers: a graph with weights above 2^31 - 1 is given to it
through an order-preserving map (export.rs), which leaves the forest, and so the checked edge
count, unchanged.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PEERS = ROOT / "benches" / "peers"

GBBS_FLAGS = (
    "-O3 -DNDEBUG -std=c++17 -march=native -mcx16 -DGBBSLONG -DAMORTIZEDPD -DUSEMALLOC "
    "-DHOMEGROWN -pthread"
).split()
GBBS_LIBRARY = ["gbbs/graph_io.cc", "gbbs/io.cc", "gbbs/encodings/byte.cc",
                "gbbs/encodings/byte_pd.cc", "gbbs/encodings/byte_pd_amortized.cc"]
GBBS_MSF = "benchmarks/MinimumSpanningForest/Boruvka/MinimumSpanningForest.cc"


def run(cmd, env=None, cwd=None):
    """Runs `cmd`, returns its stdout; exits with its output on failure."""
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, env=full_env, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"error: {' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return p.stdout


def load():
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "-"


def newer(target, source):
    return target.exists() and target.stat().st_mtime >= source.stat().st_mtime


def build(args):
    print("building costgraph's peers binary, gapbs cc, GBBS MSF ...", file=sys.stderr)
    # The main package's target folder: the costgraph library and its dependencies are shared.
    run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(PEERS / "Cargo.toml"),
         "--target-dir", str(ROOT / "target")])
    run(["make", "cc"], cwd=args.gapbs)
    bin_dir = args.work / "bin"
    obj_dir = args.work / "gbbs-obj"
    bin_dir.mkdir(parents=True, exist_ok=True)
    obj_dir.mkdir(parents=True, exist_ok=True)
    include = ["-I.", f"-I{args.parlaylib.resolve()}/include"]
    objects = []
    for source in GBBS_LIBRARY + [GBBS_MSF]:
        obj = obj_dir / (source.replace("/", "_") + ".o")
        if not newer(obj, args.gbbs / source):
            run(["g++", *GBBS_FLAGS, *include, "-c", source, "-o", str(obj)], cwd=args.gbbs)
        objects.append(str(obj))
    msf = bin_dir / "gbbs-msf-boruvka"
    run(["g++", "-pthread", *objects, "-o", str(msf)])
    return ROOT / "target" / "release" / "peers", args.gapbs / "cc", msf


def ours(peers, graph, repeat, threads):
    """costgraph's rows: {(problem, threads): [(implementation, median, result)]}."""
    out = run([str(peers), str(graph), "--repeat", str(repeat), "--threads", threads,
               "--skip", "graph-wcc", "--skip", "petgraph", "--skip", "label-prop", "--skip", "boruvka-cc"])
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 8 and cells[1] in ("cc", "msf"):
            rows.setdefault((cells[1], int(cells[3])), []).append((cells[2], float(cells[4]), cells[6]))
    return rows


def gapbs_cc(cc, sg, repeat, threads):
    out = run([str(cc), "-f", str(sg), "-n", str(repeat), "-a"], env={"OMP_NUM_THREADS": str(threads)})
    times = [float(t) for t in re.findall(r"Trial Time:\s+([0-9.]+)", out)]
    components = int(re.search(r"There are (\d+) components", out).group(1))
    return times, components


def gbbs_msf(msf, gbbs_graph, repeat, threads):
    out = run([str(msf), "-s", "-b", "-rounds", str(repeat), str(gbbs_graph)],
              env={"PARLAY_NUM_THREADS": str(threads)})
    times = [float(t) for t in re.findall(r"### Running Time: ([0-9.e+-]+)", out)]
    # Each filtering phase's Borůvka prints the edges it added: a run's forest is their sum.
    runs = out.split("### Running Time")[:-1]
    edges = {sum(int(e) for e in re.findall(r"total edges added to MinimumSpanningForest = (\d+)", run)) for run in runs}
    return times, edges


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("graphs", nargs="+", type=Path, help="costgraph .cgr files (weighted for MSF)")
    parser.add_argument("--gapbs", type=Path, required=True, help="a gapbs checkout")
    parser.add_argument("--gbbs", type=Path, required=True, help="a GBBS checkout")
    parser.add_argument("--parlaylib", type=Path, help="a parlaylib checkout (default: GBBS/external/parlaylib)")
    parser.add_argument("--work", type=Path, default=Path("peers-work"), help="binaries and peer inputs (default: peers-work)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per tool and block")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved blocks per graph")
    args = parser.parse_args()
    args.parlaylib = args.parlaylib or args.gbbs / "external" / "parlaylib"
    args.work.mkdir(parents=True, exist_ok=True)
    peers, cc, msf = build(args)

    print("| graph | problem | threads | costgraph | s | peer | s | peer / costgraph | load 1m |")
    print("|---|---|---:|---|---:|---|---:|---:|---|")
    for graph in args.graphs:
        name = graph.stem
        sg, gb = args.work / f"{name}.sg", args.work / f"{name}.gbbs"
        if not (newer(sg, graph) and newer(gb, graph)):
            run([str(peers), str(graph), "--export-gapbs", str(sg), "--export-gbbs", str(gb)])
        ours_times, peer_times, loads = {}, {}, {}
        components, gbbs_edges = None, set()
        for _ in range(args.rounds):
            loads.setdefault("costgraph", []).append(load())
            for key, rows in ours(peers, graph, args.repeat, "1,2").items():
                for imp, t, result in rows:
                    ours_times.setdefault(key, {}).setdefault(imp, []).append(t)
                    if key[0] == "cc":
                        components = int(result.split()[0])
            for threads in (1, 2):
                loads.setdefault("gapbs", []).append(load())
                times, c = gapbs_cc(cc, sg, args.repeat, threads)
                if c != components:
                    sys.exit(f"error: gapbs cc found {c} components on {name}, costgraph {components}")
                peer_times.setdefault(("cc", threads), ("gapbs cc (Afforest)", []))[1].extend(times)
                loads.setdefault("gbbs", []).append(load())
                times, edges = gbbs_msf(msf, gb, args.repeat, threads)
                gbbs_edges |= edges
                peer_times.setdefault(("msf", threads), ("GBBS Borůvka", []))[1].extend(times)
        with open(sg, "rb") as f:
            f.seek(9)
            num_nodes = int.from_bytes(f.read(8), "little")
        if gbbs_edges != {num_nodes - components}:
            sys.exit(f"error: GBBS's forest has {gbbs_edges} edges on {name}, a spanning forest has {num_nodes - components}")
        for key in sorted(peer_times):
            best = min(ours_times[key].items(), key=lambda kv: statistics.median(kv[1]))
            ours_s = statistics.median(best[1])
            peer, times = peer_times[key]
            peer_s = statistics.median(times)
            tool = "gapbs" if key[0] == "cc" else "gbbs"
            print(f"| {name} | {key[0]} | {key[1]} | {best[0]} | {ours_s:.3f} | {peer} | {peer_s:.3f} | "
                  f"{peer_s / ours_s:.2f} | {', '.join(loads['costgraph'] + loads[tool])} |")
        for key in sorted(ours_times):
            others = ", ".join(f"{imp} {statistics.median(t):.3f}" for imp, t in ours_times[key].items())
            print(f"<!-- {name} {key[0]} {key[1]} threads, every costgraph implementation: {others} -->")


if __name__ == "__main__":
    main()
