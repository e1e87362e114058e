#!/usr/bin/env python3
"""Side by side: costgraph's PageRank kernels against gapbs's `pr_spmv`, same graph, 20 iterations.

You fetch gapbs yourself (`git clone https://github.com/sbeamer/gapbs`); this script never
downloads anything. From the costgraph checkout:

    python3 benches/peers/run_pagerank.py --gapbs ../gapbs --work peers-work --repeat 3 --rounds 2 \\
        k22w20.cgr [--hilbert k22w20h.cgr]

Per round, interleaved so that load changes hit both sides alike:
- gapbs `pr_spmv -f G.sg -i 20 -t 0 -n R` (built with gapbs's own Makefile: `make pr_spmv`) with
  OMP_NUM_THREADS=1 and 2, on the graph exported by `peers G.cgr --export-gapbs G.sg` (every edge
  of a symmetric graph in both directions, the same node count). gapbs times its kernel only
  ("Trial Time").
- `costgraph run pagerank G.cgr --impl X --repeat R --threads T --json` for `pagerank` and
  `pagerank-push` at 1 thread and `pagerank-par` at 1 and 2; with `--hilbert H.cgr` (the same
  graph with `convert --order hilbert`) also `pagerank-hilbert` at 2 threads on it. costgraph's
  compute is its kernel; its preparation (tiles, bins) is shown apart and counted end to end.

Both run 20 iterations with damping 0.85 and no tolerance. The answers are not compared here:
costgraph's kernels are checked against the f64 reference by its tests and `run --verify`, gapbs's
by its own verifier. Prints a Markdown table: medians of every round's medians, and the ratio
gapbs / costgraph (above 1: costgraph ahead), on compute and end to end.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

from run_peers import ROOT, PEERS, load, newer, run

ITERATIONS = 20


def costgraph_run(graph, imp, threads, repeat):
    out = run([str(ROOT / "target" / "release" / "costgraph"), "run", "pagerank", str(graph), "--impl", imp,
               "--repeat", str(repeat), "--threads", str(threads), "--iterations", str(ITERATIONS), "--json"])
    r = json.loads(out)
    return r["compute"]["median"], r.get("prep_secs") or 0.0


def gapbs_pr(pr_spmv, sg, threads, repeat):
    out = run([str(pr_spmv), "-f", str(sg), "-i", str(ITERATIONS), "-t", "0", "-n", str(repeat)],
              env={"OMP_NUM_THREADS": str(threads)})
    return statistics.median(float(t) for t in re.findall(r"Trial Time:\s+([0-9.]+)", out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("graph", type=Path, help="a costgraph .cgr (vertex order)")
    parser.add_argument("--hilbert", type=Path, help="the same graph carrying the Hilbert order")
    parser.add_argument("--gapbs", type=Path, required=True, help="a gapbs checkout")
    parser.add_argument("--work", type=Path, default=Path("peers-work"), help="the exported .sg (default: peers-work)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool and round")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(PEERS / "Cargo.toml"),
         "--target-dir", str(ROOT / "target")])
    run(["make", "pr_spmv"], cwd=args.gapbs)
    sg = args.work / f"{args.graph.stem}.sg"
    if not newer(sg, args.graph):
        run([str(ROOT / "target" / "release" / "peers"), str(args.graph), "--export-gapbs", str(sg)])

    ours = [("pagerank", 1, args.graph), ("pagerank-push", 1, args.graph), ("pagerank-par", 1, args.graph),
            ("pagerank-par", 2, args.graph)]
    if args.hilbert:
        ours.append(("pagerank-hilbert", 2, args.hilbert))
    times = {}
    loads = []
    for _ in range(args.rounds):
        loads.append(load())
        for threads in (1, 2):
            times.setdefault(("gapbs", threads), []).append(gapbs_pr(args.gapbs / "pr_spmv", sg, threads, args.repeat))
        for imp, threads, graph in ours:
            times.setdefault((imp, threads), []).append(costgraph_run(graph, imp, threads, args.repeat))

    print("| implementation | threads | costgraph compute | preparation | gapbs `pr_spmv` | gapbs / costgraph, compute | … end to end |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for imp, threads, _ in ours:
        compute = statistics.median(c for c, _ in times[(imp, threads)])
        prep = statistics.median(p for _, p in times[(imp, threads)])
        peer = statistics.median(times[("gapbs", threads)])
        print(f"| `{imp}` | {threads} | {compute:.2f} s | {prep:.2f} s | {peer:.2f} s | "
              f"**{peer / compute:.2f}×** | {peer / (compute + prep):.2f}× |")
    print(f"<!-- load average before each round: {', '.join(loads)}; every round's medians: "
          f"{json.dumps({f'{k[0]}/{k[1]}': v for k, v in times.items()})} -->")


if __name__ == "__main__":
    try:
        main()
    except subprocess.SubprocessError as e:
        sys.exit(f"error: {e}")
