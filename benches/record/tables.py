#!/usr/bin/env python3
"""Markdown tables for benches/record.sh, from the JSON that costgraph itself writes.

    tables.py cost LABEL=DIR ...        one row per scalable implementation of each `cost` report
                                        (DIR/report.json): baseline, 1 core, most cores, COST
    tables.py cluster RATE=DIR ...      the model's checks of a `cost --hosts ... --model` report:
                                        measured against predicted, a priori and refitted
    tables.py runs LABEL=FILE ...       one row per `costgraph run ... --json` output
    tables.py ratio A B                 B / A to two decimals (for "peer / costgraph" cells)

Nothing here measures: every figure comes from the files named on the command line.
"""

import json
import sys


def secs(s):
    """A duration in the unit that keeps three significant figures readable."""
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def interval(t):
    return f"{secs(t['median'])} [{secs(t['low'])}, {secs(t['high'])}]"


def gib(b):
    return "—" if b is None else f"{b / 2**30:.2f} GiB"


def split(arg):
    label, _, path = arg.partition("=")
    return label, path


def cores(n):
    return f"{n} core" if n == 1 else f"{n} cores"


def cost_verdict(c):
    """`COST n` / `unbounded (best 1.23× slower at n)` / `ties at n` for one cost entry."""
    if c["status"] == "bounded":
        return f"**COST {c['cores']}** ({c['speedup']:.2f}× faster)"
    if c.get("tie"):
        return f"ties at {cores(c['best_cores'])}"
    if c["status"] == "unbounded":
        return f"unbounded ({c['slowdown']:.2f}× slower at best, {cores(c['best_cores'])})"
    return c["status"]


def cost(args):
    print("| graph | problem | baseline (1 thread), compute median [95 % CI] | implementation | 1 core | most cores | COST, compute | COST, end to end |")
    print("|---|---|---|---|---:|---:|---|---|")
    for arg in args:
        label, path = split(arg)
        report = json.load(open(f"{path}/report.json"))
        for problem in report["problems"]:
            base = problem["baseline"]
            if base is None:
                print(f"| {label} | {problem['problem']} | no baseline fitted | | | | | |")
                continue
            by_impl = {}
            for m in problem["measurements"]:
                by_impl.setdefault(m["implementation"], []).append(m)
            for c in problem["costs"]:
                ms = by_impl.get(c["implementation"], [])
                timed = [m for m in ms if m.get("compute")]
                one = [m for m in timed if m["cores"] == 1]
                most = max(timed, key=lambda m: (m["cores"], -m["compute"]["median"]), default=None)
                one_s = secs(one[0]["compute"]["median"]) if one else "—"
                most_s = f"{secs(most['compute']['median'])} ({most['cores']})" if most else "—"
                print(f"| {label} | {problem['problem']} | {base['implementation']} {interval(base['compute'])} | "
                      f"{c['implementation']} ({c['kind']}) | {one_s} | {most_s} | {cost_verdict(c['compute'])} | "
                      f"{cost_verdict(c['end_to_end'])} |")
            for f in problem.get("failures", []) + problem.get("failed", []):
                print(f"| {label} | {problem['problem']} | | {json.dumps(f)[:160]} | | | failed | |")
        left_out = [c for c in report["capacity"] if not c["fits"]]
        for c in left_out:
            print(f"| {label} | {c['problem']} | | {c['implementation']} ({c['cores']} cores) | | | left out: "
                  f"estimate {gib(c['estimate']['total_bytes'])} over the memory | |")


def cluster(args):
    print("| link | machines × workers | measured | predicted a priori (error) | refitted (error) |")
    print("|---|---:|---:|---:|---:|")
    for arg in args:
        label, path = split(arg)
        model = json.load(open(f"{path}/report.json"))["model"]
        refit = {(c["implementation"], c["machines"]): c for c in model["refit"]["checks"]}
        for c in model["checks"]:
            r = refit[(c["implementation"], c["machines"])]
            print(f"| {label} | {c['machines']} × {c['workers']} | {secs(c['measured_secs'])} | "
                  f"{secs(c['predicted_secs'])} ({c['error'] * 100:+.1f} %) | "
                  f"{secs(r['predicted_secs'])} ({r['error'] * 100:+.1f} %) |")
        print(f"<!-- {label}: refitted link {model['refit']['gbit']:.3f} Gbit/s, latency "
              f"{model['refit']['latency_ms']:.3f} ms -->")


def runs(args):
    print("| what | implementation | threads | compute median (min – max) | preparation | load | peak RSS |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for arg in args:
        label, path = split(arg)
        r = json.load(open(path))
        c = r["compute"]
        print(f"| {label} | {r['impl']} | {r['threads']} | {secs(c['median'])} ({secs(c['min'])} – {secs(c['max'])}) | "
              f"{secs(r.get('prep_secs'))} | {secs(r.get('load_secs'))} | {gib(r.get('peak_rss_bytes'))} |")


def ratio(args):
    a, b = float(args[0]), float(args[1])
    print(f"{b / a:.2f}")


if __name__ == "__main__":
    commands = {"cost": cost, "cluster": cluster, "runs": runs, "ratio": ratio}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])
