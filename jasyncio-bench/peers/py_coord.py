"""The CPython side of coordination.sh: the same workloads as io.jasyncio.bench.CoordinationBench.

usage: py_coord.py asyncio|uvloop pingpong N RUNS WARMUP
       py_coord.py asyncio|uvloop lock TASKS ITERS RUNS WARMUP
       py_coord.py asyncio|uvloop tothread N RUNS WARMUP
       py_coord.py asyncio|uvloop tothread-par N RUNS WARMUP
Prints one JSON line with the wall time of every measured run, in ms.
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


async def pingpong(n):
    ping, pong = asyncio.Queue(), asyncio.Queue()

    async def echo():
        for _ in range(n):
            await pong.put(await ping.get())
    t0 = time.perf_counter_ns()
    e = asyncio.create_task(echo())
    total = 0
    for i in range(n):
        await ping.put(i)
        total += await pong.get()
    await e
    assert total == n * (n - 1) // 2
    return time.perf_counter_ns() - t0


async def lock(tasks, iters):
    lk = asyncio.Lock()
    inside = 0

    async def worker():
        nonlocal inside
        for _ in range(iters):
            async with lk:
                inside += 1
                await asyncio.sleep(0)
    t0 = time.perf_counter_ns()
    await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(tasks)])
    assert inside == tasks * iters
    return time.perf_counter_ns() - t0


def ident(k):
    return k


async def tothread(n):
    t0 = time.perf_counter_ns()
    total = 0
    for i in range(n):
        total += await asyncio.to_thread(ident, i)
    assert total == n * (n - 1) // 2
    return time.perf_counter_ns() - t0


async def tothread_par(n):
    t0 = time.perf_counter_ns()
    res = await asyncio.gather(*[asyncio.to_thread(ident, i) for i in range(n)])
    assert sum(res) == n * (n - 1) // 2
    return time.perf_counter_ns() - t0


def main():
    loop_name, bench = sys.argv[1], sys.argv[2]
    f = factory(loop_name)
    args = list(map(int, sys.argv[3:]))
    runs, warm = args[-2], args[-1]
    body = {
        "pingpong": lambda: pingpong(args[0]),
        "lock": lambda: lock(args[0], args[1]),
        "tothread": lambda: tothread(args[0]),
        "tothread-par": lambda: tothread_par(args[0]),
    }[bench]
    res = []
    for i in range(warm + runs):
        with asyncio.Runner(loop_factory=f) as r:
            ns = r.run(body())
        if i >= warm:
            res.append(round(ns / 1e6, 1))
    print(json.dumps({"bench": bench, "n": args[0], "ms": res}))


if __name__ == "__main__":
    main()
