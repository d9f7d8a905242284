package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default executor's cap, and wrapFuture for plain java.util.concurrent futures. */
class ExecutorsTest {

    static <T> T withCap(int cap, Callable<T> body) {
        return Asyncio.run(EventLoop.builder().clock(new VirtualClock()).maxExecutorThreads(cap), body);
    }

    @Test
    void theCapIsNeverExceededAndEveryCallFinishes() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> results = withCap(3, () -> {
            assertEquals(3, Asyncio.getRunningLoop().getMaxExecutorThreads());
            List<Task<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int n = i;
                calls.add(Asyncio.createTask(() -> Asyncio.toThread(() -> {
                    most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    Thread.sleep(2);
                    inFlight.decrementAndGet();
                    return n;
                })));
            }
            List<Integer> out = new ArrayList<>();
            for (Task<Integer> t : calls) {
                out.add(t.await());
            }
            return out;
        });
        assertEquals(24, results.size());
        assertTrue(most.get() <= 3, "at most 3 at once, saw " + most.get());
        assertTrue(most.get() >= 1);
    }

    @Test
    void aCallCancelledWhileQueuedNeverRuns() {
        AtomicBoolean queuedRan = new AtomicBoolean();
        withCap(1, () -> {
            CountDownLatch release = new CountDownLatch(1);
            Task<Void> blocker = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                release.await();
            }));
            Asyncio.sleep(0);
            Task<Void> queued = Asyncio.createTask(() -> Asyncio.toThread(() -> queuedRan.set(true)));
            Asyncio.sleep(0);
            queued.cancel();
            assertThrows(CancelledError.class, queued::await);
            release.countDown();
            blocker.await();
            assertEquals("after", Asyncio.toThread(() -> "after")); // runs after the queued one's turn
            return null;
        });
        assertFalse(queuedRan.get());
    }

    @Test
    void noCapByDefaultAndANegativeCapIsRefused() {
        Loops.run(() -> assertEquals(0, Asyncio.getRunningLoop().getMaxExecutorThreads()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventLoop.builder().maxExecutorThreads(-1));
        assertTrue(e.getMessage().contains("maxExecutorThreads"));
    }

    @Test
    void aPlainFutureIsFollowedWithoutBlockingTheLoop() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Loops.run(() -> {
                CountDownLatch go = new CountDownLatch(1);
                Future<String> f = pool.submit(() -> {
                    go.await();
                    return "done";
                });
                AsyncFuture<String> wrapped = Asyncio.wrapFuture(f);
                Asyncio.createTask(() -> go.countDown()); // runs while the main task awaits: the loop is free
                assertEquals("done", wrapped.await());

                Future<Object> failing = pool.submit(() -> {
                    throw new IOException("disk gone");
                });
                IOException e = assertThrows(IOException.class, () -> Asyncio.wrapFuture(failing).await());
                assertEquals("disk gone", e.getMessage());

                FutureTask<Integer> already = new FutureTask<>(() -> 42);
                already.run();
                AsyncFuture<Integer> now = Asyncio.wrapFuture((Future<Integer>) already);
                assertTrue(now.isDone(), "a done future needs no thread");
                assertEquals(42, now.result());
            });
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancellingTheAwaiterCancelsAndInterruptsThePlainFuture() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        try {
            Future<?>[] inner = new Future<?>[1];
            Loops.run(() -> {
                inner[0] = pool.submit(() -> {
                    started.countDown();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                    }
                    return null;
                });
                Task<Object> awaiting = Asyncio.createTask(() -> Asyncio.wrapFuture(inner[0]).await());
                Asyncio.toThread(() -> started.await());
                awaiting.cancel();
                assertThrows(CancelledError.class, awaiting::await);
            });
            assertTrue(inner[0].isCancelled());
            assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the worker was not interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPlainFutureCancelledElsewhereCancelsTheWrapper() {
        FutureTask<String> never = new FutureTask<>(() -> "never");
        Loops.run(() -> {
            AsyncFuture<String> wrapped = Asyncio.wrapFuture((Future<String>) never);
            Asyncio.getRunningLoop().runInExecutor(null, () -> never.cancel(false));
            assertThrows(CancelledError.class, wrapped::await);
            assertTrue(wrapped.isCancelled());
        });
    }

    @Test
    void aCompletableFutureTakesTheStagePathAndCancelsThrough() {
        Loops.run(() -> {
            java.util.concurrent.CompletableFuture<String> cf = new java.util.concurrent.CompletableFuture<>();
            AsyncFuture<String> wrapped = Asyncio.wrapFuture(cf);
            wrapped.cancel();
            Asyncio.sleep(0);
            assertTrue(cf.isCancelled());
            Future<String> asPlain = new java.util.concurrent.CompletableFuture<String>().completeAsync(() -> "x");
            assertEquals("x", Asyncio.wrapFuture(asPlain).await());
        });
    }

    @Test
    void toThreadRunsInACopyOfTheCallersContext() {
        Loops.run(() -> {
            ContextVar<String> request = new ContextVar<>("request");
            request.set("r-1");
            assertEquals("r-1", Asyncio.toThread(() -> request.get()));
            Asyncio.toThread(() -> {
                request.set("changed by the worker");
            });
            assertEquals("r-1", request.get(), "the worker's sets stay in its copy");
        });
    }
}
