package io.jasyncio.bench.jmh;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

import java.util.ArrayList;
import java.util.List;

/**
 * Micro-benchmarks of the loop's hot paths, in nanoseconds per operation. Run with
 * {@code jasyncio-bench/jmh.sh}; {@code -p scheduling=shared,dedicated} compares the modes.
 */
public class LoopBench extends JmhLoops {
    private static final int N = 10_000;

    /** callSoon and run a callback: the cost of one ready-queue item. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int callSoon() {
        try (EventLoop l = loop().build()) {
            int[] n = {0};
            for (int i = 0; i < N; i++) {
                l.callSoon(() -> n[0]++);
            }
            l.callSoon(l::stop);
            l.runForever();
            return n[0];
        }
    }

    /** Where the other task will find its next value. */
    static final class Slot {
        AsyncFuture<Integer> f;
    }

    /** Two tasks take turns, each completing a future the other awaits: a switch and a future per op. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int futurePingPong() {
        return Asyncio.run(loop(), () -> {
            EventLoop l = Asyncio.getRunningLoop();
            Slot toB = new Slot();
            Slot toA = new Slot();
            toB.f = l.createFuture();
            toA.f = l.createFuture();
            Task<Integer> b = Asyncio.createTask(() -> {
                int v = 0;
                for (int i = 0; i < N / 2; i++) {
                    v = toB.f.await();
                    toB.f = l.createFuture();
                    toA.f.setResult(v + 1);
                }
                return v;
            });
            int v = 0;
            for (int i = 0; i < N / 2; i++) {
                toB.f.setResult(v);
                v = toA.f.await();
                toA.f = l.createFuture();
            }
            return b.await() + v;
        });
    }

    /** Create a task that returns at once and await it: spawn cost in steady state. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int createAndAwait() {
        return Asyncio.run(loop(), () -> {
            int s = 0;
            for (int i = 0; i < N; i++) {
                int k = i;
                s += Asyncio.createTask(() -> k).await();
            }
            return s;
        });
    }

    /** gather of N tasks that each yield once. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int gatherYielding() {
        return Asyncio.run(loop(), () -> {
            List<Task<Integer>> ts = new ArrayList<>(N);
            for (int i = 0; i < N; i++) {
                ts.add(Asyncio.createTask(() -> Asyncio.sleep(0, 1)));
            }
            int s = 0;
            for (int v : Asyncio.gather(ts).await()) {
                s += v;
            }
            return s;
        });
    }
}
