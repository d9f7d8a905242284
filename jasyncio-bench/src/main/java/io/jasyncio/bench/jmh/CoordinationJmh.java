package io.jasyncio.bench.jmh;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.channels.Channel;
import io.jasyncio.queues.AsyncQueue;
import io.jasyncio.sync.AsyncLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

import java.util.ArrayList;
import java.util.List;

/**
 * The coordination primitives' hot paths, in nanoseconds per operation (the per-op view of
 * {@code coordination.sh}). Run with {@code jasyncio-bench/jmh.sh CoordinationJmh}.
 */
public class CoordinationJmh extends JmhLoops {
    private static final int N = 10_000;

    /** One round trip through two queues between two tasks (two switches). */
    @Benchmark
    @OperationsPerInvocation(N)
    public long queuePingPong() {
        return Asyncio.run(loop(), () -> {
            AsyncQueue<Integer> ping = new AsyncQueue<>();
            AsyncQueue<Integer> pong = new AsyncQueue<>();
            Task<Void> echo = Asyncio.createTask(() -> {
                for (int i = 0; i < N; i++) {
                    pong.put(ping.get());
                }
            });
            long s = 0;
            for (int i = 0; i < N; i++) {
                ping.put(i);
                s += pong.get();
            }
            echo.await();
            return s;
        });
    }

    /** One round trip through two rendezvous channels between two tasks. */
    @Benchmark
    @OperationsPerInvocation(N)
    public long channelPingPong() {
        return Asyncio.run(loop(), () -> {
            Channel<Integer> ping = new Channel<>();
            Channel<Integer> pong = new Channel<>();
            Task<Void> echo = Asyncio.createTask(() -> {
                for (int x : ping) {
                    pong.send(x);
                }
            });
            long s = 0;
            for (int i = 0; i < N; i++) {
                ping.send(i);
                s += pong.receive();
            }
            ping.close();
            echo.await();
            return s;
        });
    }

    /** One acquisition of a lock contended by 100 tasks that each yield while holding it. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int lockHandOff() {
        return Asyncio.run(loop(), () -> {
            AsyncLock lock = new AsyncLock();
            int[] n = {0};
            List<Task<Void>> ts = new ArrayList<>(100);
            for (int k = 0; k < 100; k++) {
                ts.add(Asyncio.createTask(() -> {
                    for (int i = 0; i < N / 100; i++) {
                        lock.acquire();
                        try {
                            n[0]++;
                            Asyncio.sleep(0);
                        } finally {
                            lock.release();
                        }
                    }
                }));
            }
            Asyncio.gather(ts).await();
            return n[0];
        });
    }
}
