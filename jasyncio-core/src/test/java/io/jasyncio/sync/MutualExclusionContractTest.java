package io.jasyncio.sync;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.Task;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every one-holder-at-a-time primitive keeps, run over each of them: exclusion across
 * awaits, FIFO fairness, and no lost hand-over whatever the cancellations.
 */
class MutualExclusionContractTest {

    /** acquire and release of one primitive, seen the same way. */
    interface Mutex {
        void acquire();

        void release();

        boolean tryAcquire();
    }

    record Variant(String name, Supplier<Mutex> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Variant> variants() {
        return Stream.of(
                new Variant("AsyncLock", () -> {
                    AsyncLock l = new AsyncLock();
                    return new Mutex() {
                        public void acquire() { l.acquire(); }
                        public void release() { l.release(); }
                        public boolean tryAcquire() { return l.tryAcquire(); }
                    };
                }),
                new Variant("AsyncSemaphore(1)", () -> semaphore(new AsyncSemaphore(1))),
                new Variant("AsyncBoundedSemaphore(1)", () -> semaphore(new AsyncBoundedSemaphore(1))),
                new Variant("CapacityLimiter(1)", () -> {
                    CapacityLimiter c = new CapacityLimiter(1);
                    return new Mutex() {
                        public void acquire() { c.acquire(); }
                        public void release() { c.release(); }
                        public boolean tryAcquire() { return c.tryAcquire(); }
                    };
                }));
    }

    private static Mutex semaphore(AsyncSemaphore s) {
        return new Mutex() {
            public void acquire() { s.acquire(); }
            public void release() { s.release(); }
            public boolean tryAcquire() { return s.tryAcquire(); }
        };
    }

    @ParameterizedTest
    @MethodSource("variants")
    void oneHolderAtATimeAcrossAwaitsInArrivalOrder(Variant v) {
        SyncLoops.run(() -> {
            Mutex m = v.make().get();
            List<String> log = new ArrayList<>();
            int[] inside = {0};
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int k = i;
                ts.add(Asyncio.createTask(() -> {
                    m.acquire();
                    try {
                        inside[0]++;
                        assertEquals(1, inside[0], "two holders at once");
                        log.add("in " + k);
                        Asyncio.sleep(1);
                        log.add("out " + k);
                        inside[0]--;
                    } finally {
                        m.release();
                    }
                }));
            }
            Asyncio.gather(ts).await();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                expected.add("in " + i);
                expected.add("out " + i);
            }
            assertEquals(expected, log);
        });
    }

    @ParameterizedTest
    @MethodSource("variants")
    void tryAcquireNeverWaits(Variant v) {
        SyncLoops.run(() -> {
            Mutex m = v.make().get();
            assertTrue(m.tryAcquire());
            Task<Boolean> other = Asyncio.createTask(m::tryAcquire);
            assertFalse(other.await());
            m.release();
        });
    }

    @ParameterizedTest
    @MethodSource("variants")
    void aWaiterCancelledWhileWaitingTakesNothingAndTheNextOneGetsIt(Variant v) {
        SyncLoops.run(() -> {
            Mutex m = v.make().get();
            m.acquire();
            List<String> got = new ArrayList<>();
            Task<Void> b = Asyncio.createTask(() -> {
                m.acquire();
                got.add("b");
                m.release();
            });
            Task<Void> c = Asyncio.createTask(() -> {
                m.acquire();
                got.add("c");
                m.release();
            });
            Asyncio.sleep(0);
            b.cancel();
            assertThrows(CancelledError.class, b::await);
            m.release();
            c.await();
            assertEquals(List.of("c"), got);
            assertTrue(m.tryAcquire(), "nobody holds it now");
            m.release();
        });
    }

    @ParameterizedTest
    @MethodSource("variants")
    void aWaiterCancelledAtTheMomentItIsHandedOverPassesItOnAndNothingIsLost(Variant v) {
        SyncLoops.run(() -> {
            Mutex m = v.make().get();
            m.acquire();
            List<String> got = new ArrayList<>();
            Task<Void> b = Asyncio.createTask(() -> {
                m.acquire();
                try {
                    got.add("b holds it");
                    Asyncio.sleep(1); // the cancellation lands here
                    got.add("not reached");
                } finally {
                    m.release();
                }
            });
            Task<Void> c = Asyncio.createTask(() -> {
                m.acquire();
                got.add("c holds it");
                m.release();
            });
            Asyncio.sleep(0);
            m.release();   // hands over to b...
            b.cancel();    // ...which is cancelled before it runs: it passes the turn to c
            assertThrows(CancelledError.class, b::await);
            c.await();
            assertEquals(List.of("c holds it"), got);
            assertTrue(m.tryAcquire(), "nobody holds it now");
            m.release();
        });
    }

    @ParameterizedTest
    @MethodSource("variants")
    void manyTasksRandomCancellationsNoDeadlockAndExclusionHolds(Variant v) {
        SyncLoops.run(() -> {
            Mutex m = v.make().get();
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(Long.getLong("jasyncio.stress.seed", 7));
            int[] inside = {0};
            int[] done = {0};
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                double hold = rnd.nextInt(3) / 10.0;
                ts.add(Asyncio.createTask(() -> {
                    m.acquire();
                    try {
                        inside[0]++;
                        assertEquals(1, inside[0]);
                        Asyncio.sleep(hold);
                        done[0]++;
                    } finally {
                        inside[0]--;
                        m.release();
                    }
                }));
            }
            for (int i = 0; i < 30; i++) {
                Asyncio.sleep(rnd.nextInt(3) / 10.0);
                ts.get(rnd.nextInt(ts.size())).cancel();
            }
            List<Object> outcomes = Asyncio.gather(true, ts).await();
            long succeeded = outcomes.stream().filter(o -> o == null).count();
            long cancelled = outcomes.stream().filter(o -> o instanceof CancelledError).count();
            assertEquals(60, succeeded + cancelled, "every task either finished or was cancelled: " + outcomes);
            // A task cancelled after its last await still did its work, and ends cancelled (asyncio's rule).
            assertTrue(done[0] >= succeeded);
            assertTrue(m.tryAcquire(), "it is free at the end");
            m.release();
        });
    }
}
