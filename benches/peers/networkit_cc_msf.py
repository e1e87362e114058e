#!/usr/bin/env python3
"""Times networkit's connected components and minimum spanning forest on a costgraph graph.

The graph is a weighted edge list written by `costgraph convert G.cgr -o G.wel` (each undirected
edge once, `u v w`, ids 0..n-1). networkit numbers nodes 0..max id, so isolated nodes past the
largest id are missing from its graph; `--nodes` gives the true node count and those nodes are
counted as components of their own. Only the algorithm (`run()`) is timed, R times per thread
count after one warm-up run; the output is a Markdown table in the same columns as the `peers`
binary. With `--components C` / `--weight W` (costgraph's figures) every result is checked.

Usage: networkit_cc_msf.py G.wel --nodes N [--components C] [--weight W] [--repeat R]
       [--threads 1,2]
"""

import argparse
import os
import statistics
import sys
import time

import networkit as nk


def measure(run, repeat):
    """Runs `run()` once to warm up, then `repeat` times; returns (median, min) seconds and the
    last result."""
    times, result = [], run()
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("graph")
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--components", type=int)
    parser.add_argument("--weight", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()

    start = time.perf_counter()
    graph = nk.graphio.EdgeListReader(" ", 0, directed=False).read(args.graph)
    print(
        f"{args.graph}: {graph.numberOfNodes()} nodes, {graph.numberOfEdges()} edges, "
        f"read in {time.perf_counter() - start:.1f} s (networkit {nk.__version__})",
        file=sys.stderr,
    )
    missing = args.nodes - graph.numberOfNodes()
    assert missing >= 0, f"the file has more nodes ({graph.numberOfNodes()}) than --nodes"
    name = os.path.splitext(os.path.basename(args.graph))[0]

    def components(algorithm):
        def run():
            cc = algorithm(graph)
            cc.run()
            return cc
        return run, lambda cc: cc.numberOfComponents() + missing, args.components, "components"

    def forest(algorithm):
        def run():
            msf = algorithm(graph)
            msf.run()
            return msf
        return run, lambda msf: round(msf.getTotalWeight()), args.weight, "weight"

    cases = [
        ("cc", "networkit-ConnectedComponents", components(nk.components.ConnectedComponents)),
        ("cc", "networkit-ParallelConnectedComponents", components(nk.components.ParallelConnectedComponents)),
        ("msf", "networkit-KruskalMSF", forest(nk.graph.KruskalMSF)),
        ("msf", "networkit-PrimMSF", forest(nk.graph.PrimMSF)),
    ]
    for threads in map(int, args.threads.split(",")):
        nk.setNumberOfThreads(threads)
        for problem, label, (run, figure, expected, unit) in cases:
            load = open("/proc/loadavg").read().split()[0]
            median, best, result = measure(run, args.repeat)
            got = figure(result)
            assert expected is None or got == expected, f"{label}: {got} {unit}, costgraph found {expected}"
            shown = f"{got} components" if unit == "components" else f"weight {got}"
            print(f"| {name} | {problem} | {label} | {threads} | {median:.3f} | {best:.3f} | {shown} | {load} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
