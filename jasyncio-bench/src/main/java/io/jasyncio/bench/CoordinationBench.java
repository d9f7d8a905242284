package io.jasyncio.bench;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.queues.AsyncQueue;
import io.jasyncio.sync.AsyncLock;

import java.util.ArrayList;
import java.util.List;

/**
 * The jasyncio side of {@code coordination.sh}: the same workloads as {@code peers/py_coord.py},
 * each printing one JSON line with the wall time of every measured run, in ms.
 *
 * <pre>
 *   pingpong N RUNS WARMUP          two tasks, two unbounded queues: A puts an item, B gets it and
 *                                   puts it back, A gets it; N round trips
 *   lock TASKS ITERS RUNS WARMUP    TASKS tasks each take the lock ITERS times, yielding once while
 *                                   they hold it, so every release hands the lock to a waiter
 *   tothread N RUNS WARMUP          N toThread calls of a trivial function, one after another
 *   tothread-par N RUNS WARMUP      N toThread calls at once, gathered
 * </pre>
 */
public final class CoordinationBench {
    private CoordinationBench() {
    }

    public static void main(String[] a) {
        int runs = Integer.parseInt(a[a.length - 2]);
        int warm = Integer.parseInt(a[a.length - 1]);
        int n = Integer.parseInt(a[1]);
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < warm + runs; i++) {
            long ns = switch (a[0]) {
                case "pingpong" -> pingPong(n);
                case "lock" -> lockHandOff(n, Integer.parseInt(a[2]));
                case "tothread" -> toThreadSequential(n);
                case "tothread-par" -> toThreadParallel(n);
                default -> throw new IllegalArgumentException("unknown bench " + a[0]);
            };
            if (i >= warm) {
                ms.add(ns / 1e6);
            }
        }
        System.out.println("{\"bench\":\"" + a[0] + "\",\"n\":" + n + ",\"mode\":\"" + CoreBench.mode() + "\",\"ms\":" + CoreBench.fmt(ms) + "}");
    }

    static long pingPong(int n) {
        return Asyncio.run(() -> {
            AsyncQueue<Integer> ping = new AsyncQueue<>();
            AsyncQueue<Integer> pong = new AsyncQueue<>();
            long t0 = System.nanoTime();
            Task<Void> echo = Asyncio.createTask(() -> {
                for (int i = 0; i < n; i++) {
                    pong.put(ping.get());
                }
            });
            long sum = 0;
            for (int i = 0; i < n; i++) {
                ping.put(i);
                sum += pong.get();
            }
            echo.await();
            if (sum != (long) n * (n - 1) / 2) {
                throw new AssertionError("lost items: " + sum);
            }
            return System.nanoTime() - t0;
        });
    }

    static long lockHandOff(int tasks, int iters) {
        return Asyncio.run(() -> {
            AsyncLock lock = new AsyncLock();
            int[] inside = {0};
            long t0 = System.nanoTime();
            List<Task<Void>> ts = new ArrayList<>(tasks);
            for (int k = 0; k < tasks; k++) {
                ts.add(Asyncio.createTask(() -> {
                    for (int i = 0; i < iters; i++) {
                        lock.acquire();
                        try {
                            inside[0]++;
                            Asyncio.sleep(0); // hold it across a yield: the others queue up
                        } finally {
                            lock.release();
                        }
                    }
                }));
            }
            Asyncio.gather(ts).await();
            if (inside[0] != tasks * iters) {
                throw new AssertionError("lost acquisitions: " + inside[0]);
            }
            return System.nanoTime() - t0;
        });
    }

    static long toThreadSequential(int n) {
        return Asyncio.run(() -> {
            long t0 = System.nanoTime();
            long sum = 0;
            for (int i = 0; i < n; i++) {
                int k = i;
                sum += Asyncio.toThread(() -> k);
            }
            if (sum != (long) n * (n - 1) / 2) {
                throw new AssertionError("wrong sum " + sum);
            }
            return System.nanoTime() - t0;
        });
    }

    static long toThreadParallel(int n) {
        return Asyncio.run(() -> {
            long t0 = System.nanoTime();
            List<Task<Integer>> ts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                ts.add(Asyncio.createTask(() -> Asyncio.toThread(() -> k)));
            }
            long sum = 0;
            for (int v : Asyncio.gather(ts).await()) {
                sum += v;
            }
            if (sum != (long) n * (n - 1) / 2) {
                throw new AssertionError("wrong sum " + sum);
            }
            return System.nanoTime() - t0;
        });
    }
}
