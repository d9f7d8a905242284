package io.jasyncio.bench;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The jasyncio side of {@code bench/core.sh}: the same three workloads as the Python peers in
 * {@code peers/py_core.py}, each printing one JSON line.
 *
 * <pre>
 *   switch TASKS YIELDS RUNS WARMUP   TASKS tasks each sleep(0) YIELDS times; ns per switch
 *   spawn N                           create N tasks that each sleep(0) once, gather them; cold, one shot
 *   timers N RUNS WARMUP              schedule N callLater timers over 0..1 ms and run until all fired
 *   sleeps real|virtual TASKS SLEEPS [RUNS]  a test-like suite: TASKS tasks each sleep SLEEPS times for
 *                                     10..100 ms (seeded), on the system clock or a VirtualClock, RUNS
 *                                     times in one JVM (as a test suite runs); wall ms of each run
 * </pre>
 */
public final class CoreBench {
    private CoreBench() {
    }

    public static void main(String[] a) {
        switch (a[0]) {
            case "switch" -> switchBench(Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]));
            case "spawn" -> spawnBench(Integer.parseInt(a[1]));
            case "timers" -> timersBench(Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]));
            case "sleeps" -> sleepsBench(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), a.length > 4 ? Integer.parseInt(a[4]) : 1);
            default -> throw new IllegalArgumentException("unknown bench " + a[0]);
        }
    }

    static String mode() {
        try (EventLoop l = EventLoop.newEventLoop()) {
            return l.getScheduling().name().toLowerCase(Locale.ROOT);
        }
    }

    static void switchBench(int tasks, int yields, int runs, int warm) {
        List<Double> res = new ArrayList<>();
        for (int i = 0; i < warm + runs; i++) {
            long ns = Asyncio.run(() -> {
                long t0 = System.nanoTime();
                List<Task<Void>> ts = new ArrayList<>(tasks);
                for (int k = 0; k < tasks; k++) {
                    ts.add(Asyncio.createTask(() -> {
                        for (int y = 0; y < yields; y++) {
                            Asyncio.sleep(0);
                        }
                    }));
                }
                Asyncio.gather(ts).await();
                return System.nanoTime() - t0;
            });
            if (i >= warm) {
                res.add((double) ns / ((long) tasks * yields));
            }
        }
        System.out.println("{\"tasks\":" + tasks + ",\"yields\":" + yields + ",\"mode\":\"" + mode() + "\",\"ns_per_switch\":" + fmt(res) + "}");
    }

    static void spawnBench(int n) {
        long ns = Asyncio.run(() -> {
            long t0 = System.nanoTime();
            List<Task<Void>> ts = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                ts.add(Asyncio.createTask(() -> Asyncio.sleep(0)));
            }
            Asyncio.gather(ts).await();
            return System.nanoTime() - t0;
        });
        System.out.printf(Locale.ROOT, "{\"n\":%d,\"mode\":\"%s\",\"ms\":%.1f}%n", n, mode(), ns / 1e6);
    }

    static void timersBench(int n, int runs, int warm) {
        List<Double> res = new ArrayList<>();
        for (int i = 0; i < warm + runs; i++) {
            long ns;
            try (EventLoop loop = EventLoop.newEventLoop()) {
                int[] fired = {0};
                long t0 = System.nanoTime();
                for (int k = 0; k < n; k++) {
                    loop.callLater((k % 1000) / 1e6, () -> {
                        if (++fired[0] == n) {
                            loop.stop();
                        }
                    });
                }
                loop.runForever();
                ns = System.nanoTime() - t0;
            }
            if (i >= warm) {
                res.add(ns / 1e6);
            }
        }
        System.out.println("{\"n\":" + n + ",\"mode\":\"" + mode() + "\",\"ms\":" + fmt(res) + "}");
    }

    static void sleepsBench(String clock, int tasks, int sleeps, int runs) {
        List<Double> ms = new ArrayList<>();
        double[] loopTime = new double[1];
        double[] longest = new double[1];
        for (int r = 0; r < runs; r++) {
            ms.add(sleepsOnce(clock, tasks, sleeps, loopTime, longest));
        }
        System.out.printf(Locale.ROOT, "{\"clock\":\"%s\",\"tasks\":%d,\"sleeps\":%d,\"loop_seconds\":%.3f,\"longest_chain_seconds\":%.3f,\"ms\":%s}%n",
                clock, tasks, sleeps, loopTime[0], longest[0], fmt(ms));
    }

    private static double sleepsOnce(String clock, int tasks, int sleeps, double[] loopTimeOut, double[] longestOut) {
        EventLoop.Builder b = EventLoop.builder();
        if (clock.equals("virtual")) {
            b.clock(new io.jasyncio.VirtualClock());
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
        double[][] delays = new double[tasks][sleeps];
        double longest = 0;
        for (double[] row : delays) {
            double sum = 0;
            for (int k = 0; k < sleeps; k++) {
                row[k] = (10 + rnd.nextInt(91)) / 1000.0;
                sum += row[k];
            }
            longest = Math.max(longest, sum);
        }
        long t0 = System.nanoTime();
        double loopTime = Asyncio.run(b, () -> {
            List<Task<Void>> ts = new ArrayList<>(tasks);
            for (double[] row : delays) {
                ts.add(Asyncio.createTask(() -> {
                    for (double d : row) {
                        Asyncio.sleep(d);
                    }
                }));
            }
            Asyncio.gather(ts).await();
            return Asyncio.getRunningLoop().time();
        });
        loopTimeOut[0] = loopTime;
        longestOut[0] = longest;
        return (System.nanoTime() - t0) / 1e6;
    }

    static String fmt(List<Double> xs) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < xs.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", xs.get(i)));
        }
        return sb.append(']').toString();
    }
}
