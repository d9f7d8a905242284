#!/usr/bin/env python3
"""Prints the markdown table of a core.sh or coordination.sh run: median, min-max, and the ratio to uvloop."""
import json
import statistics
import sys

ORDER = ["asyncio", "uvloop", "jasyncio-shared", "jasyncio-dedicated", "jasyncio-launcher"]
# (bench, metric title, how to get the figure from a result, lower is better)
METRICS = [
    ("switch", "task switch, ns (1000 tasks x sleep(0))", lambda r: statistics.median(r["ns_per_switch"]), True),
    ("spawn", "spawn + gather 1M tasks, ms", lambda r: r["ms"], True),
    ("spawn", "spawn + gather 1M tasks, peak RSS MiB", None, True),
    ("timers", "1M callLater timers, ms", lambda r: statistics.median(r["ms"]), True),
    ("pingpong", "queue ping-pong, 1M round trips, ms", lambda r: statistics.median(r["ms"]), True),
    ("lock", "lock hand-off, 100 tasks x 1000, ms", lambda r: statistics.median(r["ms"]), True),
    ("tothread", "100k toThread one after another, ms", lambda r: statistics.median(r["ms"]), True),
    ("tothread-par", "100k toThread at once, ms", lambda r: statistics.median(r["ms"]), True),
]


def main(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    by = {}
    for r in rows:
        by.setdefault((r["bench"], r["name"]), []).append(r)
    labels = {r["name"]: r["label"] for r in rows}
    print("| benchmark | runtime | median | min-max | runs | x uvloop (higher = better) |")
    print("|---|---|---:|---:|---:|---:|")
    for bench, title, get, lower in METRICS:
        figures = {}
        for name in ORDER:
            rs = [r for r in by.get((bench, name), []) if "result" in r]
            if not rs:
                continue
            if get is None:
                xs = [r["rss_kb"] / 1024 for r in rs]
            else:
                xs = [get(r["result"]) for r in rs]
            figures[name] = xs
        ref = statistics.median(figures["uvloop"]) if "uvloop" in figures else None
        for name, xs in figures.items():
            m = statistics.median(xs)
            ratio = "" if not ref else f"{(ref / m if lower else m / ref):.2f}x"
            fmt = (lambda v: f"{v:,.1f}") if m < 100 else (lambda v: f"{v:,.0f}")
            print(f"| {title} | {labels[name]} | {fmt(m)} | {fmt(min(xs))}-{fmt(max(xs))} | {len(xs)} | {ratio} |")
        errs = [r for bn, rs in by.items() if bn[0] == bench for r in rs if "error" in r]
        for r in errs:
            print(f"| {title} | {labels[r['name']]} | FAILED ({r['error']}) | | | |")


if __name__ == "__main__":
    main(sys.argv[1])
