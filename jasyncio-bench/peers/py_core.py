"""The CPython side of core.sh: the same workloads as io.jasyncio.bench.CoreBench.

usage: py_core.py asyncio|uvloop switch TASKS YIELDS RUNS WARMUP
       py_core.py asyncio|uvloop spawn N
       py_core.py asyncio|uvloop timers N RUNS WARMUP
Prints one JSON line.
"""
import asyncio
import json
import sys
import time


def factory(name):
    if name == "uvloop":
        import uvloop
        return uvloop.new_event_loop
    return asyncio.new_event_loop


async def switch_once(tasks, yields):
    async def worker():
        for _ in range(yields):
            await asyncio.sleep(0)
    t0 = time.perf_counter_ns()
    await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(tasks)])
    return time.perf_counter_ns() - t0


async def spawn_once(n):
    async def one():
        await asyncio.sleep(0)
    t0 = time.perf_counter_ns()
    ts = [asyncio.create_task(one()) for _ in range(n)]
    await asyncio.gather(*ts)
    return time.perf_counter_ns() - t0


def timers_once(loop_factory, n):
    loop = loop_factory()
    try:
        fired = 0

        def cb():
            nonlocal fired
            fired += 1
            if fired == n:
                loop.stop()
        t0 = time.perf_counter_ns()
        for k in range(n):
            loop.call_later((k % 1000) / 1e6, cb)
        loop.run_forever()
        return time.perf_counter_ns() - t0
    finally:
        loop.close()


def main():
    loop_name, bench = sys.argv[1], sys.argv[2]
    f = factory(loop_name)
    if bench == "switch":
        tasks, yields, runs, warm = map(int, sys.argv[3:7])
        res = []
        for i in range(warm + runs):
            with asyncio.Runner(loop_factory=f) as r:
                ns = r.run(switch_once(tasks, yields))
            if i >= warm:
                res.append(round(ns / (tasks * yields), 1))
        print(json.dumps({"tasks": tasks, "yields": yields, "ns_per_switch": res}))
    elif bench == "spawn":
        n = int(sys.argv[3])
        with asyncio.Runner(loop_factory=f) as r:
            ns = r.run(spawn_once(n))
        print(json.dumps({"n": n, "ms": round(ns / 1e6, 1)}))
    elif bench == "timers":
        n, runs, warm = map(int, sys.argv[3:6])
        res = []
        for i in range(warm + runs):
            ns = timers_once(f, n)
            if i >= warm:
                res.append(round(ns / 1e6, 1))
        print(json.dumps({"n": n, "ms": res}))
    else:
        raise SystemExit("unknown bench " + bench)


if __name__ == "__main__":
    main()
