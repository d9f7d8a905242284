#!/usr/bin/env python3
"""Prints the markdown tables of an echo.sh run: round trips/s per configuration (median, min-max,
ratio to uvloop of the same API and to Netty), then memory per idle connection."""
import json
import statistics
import sys

ORDER = ["asyncio-streams", "uvloop-streams", "jasyncio-streams-shared", "jasyncio-streams-launcher",
         "asyncio-proto", "uvloop-proto", "netty-epoll", "jasyncio-proto-shared", "jasyncio-proto-launcher"]
CONFIGS = [(100, 64, "none"), (100, 4096, "none"), (1, 64, "none"), (1, 4096, "none"),
           (100, 64, "cpu0"), (1, 64, "cpu0")]


def parse(line):
    kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
    return float(kv["rps"]) if "rps" in kv and kv.get("errors", "0") == "0" else None


def ref_of(name):
    if name.endswith("streams") or "-streams-" in name:
        return "uvloop-streams"
    return "uvloop-proto"


def main(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    labels = {r["name"]: r["label"] for r in rows}
    rt = {}
    for r in rows:
        if "line" in r:
            v = parse(r["line"])
            if v is not None:
                rt.setdefault((r["name"], r["conns"], r["size"], r["pin"]), []).append(v)
    names = [n for n in ORDER if n in labels]
    print("| configuration | runtime | round trips/s (median) | min-max | x uvloop (same API) | x Netty |")
    print("|---|---|---:|---:|---:|---:|")
    for c, s, pin in CONFIGS:
        title = f"{c} conn x {s} B" + (", pinned to one core" if pin == "cpu0" else "")
        med = {n: statistics.median(rt[(n, c, s, pin)]) for n in names if (n, c, s, pin) in rt}
        for n in names:
            if n not in med:
                continue
            xs = rt[(n, c, s, pin)]
            ref = med.get(ref_of(n))
            netty = med.get("netty-epoll")
            x = f"{med[n] / ref:.2f}x" if ref and n.startswith("jasyncio") else ""
            y = f"{med[n] / netty:.2f}x" if netty and n.startswith("jasyncio") else ""
            print(f"| {title} | {labels[n]} | {med[n]:,.0f} | {min(xs):,.0f}-{max(xs):,.0f} | {x} | {y} |")
    idle = {}
    for r in rows:
        if "idle" in r:
            idle.setdefault(r["name"], []).append(r["idle"]["bytes_per_conn"])
    if idle:
        print()
        print("| memory per idle connection (10,000 open) | bytes (median) | min-max | x uvloop (lower = better) |")
        print("|---|---:|---:|---:|")
        for n in names:
            if n in idle:
                m = statistics.median(idle[n])
                ref = statistics.median(idle[ref_of(n)]) if ref_of(n) in idle else None
                x = f"{m / ref:.2f}x" if ref and n.startswith("jasyncio") else ""
                print(f"| {labels[n]} | {m:,.0f} | {min(idle[n]):,.0f}-{max(idle[n]):,.0f} | {x} |")


main(sys.argv[1])
