package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio's event loop: callback order, timers, stop/run/close, the exception handler, bad input. */
class EventLoopTest {

    @Test
    void callbacksRunInSchedulingOrder() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            List<Integer> seen = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int k = i;
                loop.callSoon(() -> seen.add(k));
            }
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(List.of(0, 1, 2, 3, 4), seen);
        }
    }

    @Test
    void callbackScheduledByCallbackRunsInNextIterationAfterStop() {
        // asyncio: after stop(), the loop finishes the current batch; callbacks scheduled by it run next time.
        try (EventLoop loop = EventLoop.newEventLoop()) {
            Order o = new Order();
            loop.callSoon(() -> {
                o.expect(1);
                loop.stop();
                loop.callSoon(() -> o.expect(3));
            });
            loop.callSoon(() -> o.expect(2));
            loop.runForever();
            assertEquals(2, o.last());
            loop.callSoon(loop::stop);
            loop.runForever();
            o.finish(4);
        }
    }

    @Test
    void stopBeforeRunDoesOneIteration() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            List<String> seen = new ArrayList<>();
            loop.callSoon(() -> {
                seen.add("a");
                loop.callSoon(() -> seen.add("b"));
            });
            loop.stop();
            loop.runForever();
            assertEquals(List.of("a"), seen);
        }
    }

    @Test
    void timersFireInDeadlineOrderAndTiesInSchedulingOrder() {
        // Virtual time: on the system clock a delay of 10 ms between the calls would reorder b and c.
        try (EventLoop loop = EventLoop.builder().clock(new VirtualClock()).build()) {
            List<String> seen = new ArrayList<>();
            double now = loop.time();
            loop.callAt(now + 0.03, () -> seen.add("c"));
            loop.callAt(now + 0.01, () -> seen.add("a1"));
            loop.callAt(now + 0.01, () -> seen.add("a2"));
            loop.callLater(0.02, () -> seen.add("b"));
            loop.callLater(Duration.ofMillis(40), loop::stop);
            loop.runForever();
            assertEquals(List.of("a1", "a2", "b", "c"), seen);
        }
    }

    @Test
    void timerDoesNotFireEarly() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            double[] firedAt = new double[1];
            double before = loop.time();
            TimerHandle h = loop.callLater(0.05, () -> {
                firedAt[0] = loop.time();
                loop.stop();
            });
            double after = loop.time();
            loop.runForever();
            assertTrue(firedAt[0] >= h.when(), "fired at " + firedAt[0] + " before " + h.when());
            // 0.05 s from the call, whenever the call ran (a loaded machine can take 10 ms here).
            assertTrue(h.when() >= before + 0.05 && h.when() <= after + 0.05,
                    "due at " + h.when() + ", called between " + before + " and " + after);
        }
    }

    @Test
    void timerInThePastRunsOnNextIteration() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            Order o = new Order();
            loop.callAt(loop.time() - 10, () -> o.expect(2));
            loop.callSoon(() -> o.expect(1));
            loop.callLater(0.001, loop::stop);
            loop.runForever();
            o.finish(3);
        }
    }

    @Test
    void cancelledHandlesDoNotRun() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            List<String> seen = new ArrayList<>();
            Handle h = loop.callSoon(() -> seen.add("soon"));
            TimerHandle t = loop.callLater(0.001, () -> seen.add("later"));
            h.cancel();
            t.cancel();
            t.cancel();
            assertTrue(h.isCancelled());
            assertTrue(t.isCancelled());
            loop.callLater(0.01, loop::stop);
            loop.runForever();
            assertEquals(List.of(), seen);
        }
    }

    @Test
    void manyCancelledTimersAreCompacted() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            List<TimerHandle> hs = new ArrayList<>();
            int[] fired = {0};
            for (int i = 0; i < 1000; i++) {
                hs.add(loop.callLater(1000 + i, () -> fired[0]++));
            }
            for (int i = 0; i < 900; i++) {
                hs.get(i).cancel();
            }
            loop.callLater(0, () -> fired[0] += 0);
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(0, fired[0]);
        }
    }

    @Test
    void infiniteDelayNeverRuns() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            TimerHandle h = loop.callLater(Double.POSITIVE_INFINITY, () -> {
                throw new AssertionError("ran");
            });
            assertEquals(Double.POSITIVE_INFINITY, h.when());
            loop.callLater(0.005, loop::stop);
            loop.runForever();
        }
    }

    @Test
    void badDelaysAreRejectedAndScheduleNothing() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            Runnable r = () -> { };
            assertThrows(IllegalArgumentException.class, () -> loop.callLater(-0.001, r));
            assertThrows(IllegalArgumentException.class, () -> loop.callLater(Double.NaN, r));
            assertThrows(IllegalArgumentException.class, () -> loop.callLater(Duration.ofMillis(-1), r));
            assertThrows(IllegalArgumentException.class, () -> loop.callAt(Double.NaN, r));
            assertThrows(IllegalArgumentException.class, () -> loop.setSlowCallbackDuration(-1));
            assertThrows(NullPointerException.class, () -> loop.callSoon(null));
            List<String> seen = new ArrayList<>();
            loop.callSoon(() -> seen.add("only"));
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(List.of("only"), seen);
        }
    }

    @Test
    void exceptionInCallbackGoesToHandlerAndLoopGoesOn() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            List<ExceptionContext> got = new ArrayList<>();
            loop.setExceptionHandler((l, ctx) -> {
                assertSame(loop, l);
                got.add(ctx);
            });
            RuntimeException boom = new RuntimeException("boom");
            Handle h = loop.callSoon(() -> {
                throw boom;
            });
            List<String> seen = new ArrayList<>();
            loop.callSoon(() -> seen.add("after"));
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(List.of("after"), seen);
            assertEquals(1, got.size());
            assertSame(boom, got.get(0).exception());
            assertSame(h, got.get(0).handle());
            assertTrue(got.get(0).message().startsWith("Exception in callback"));
        }
    }

    @Test
    void exceptionHandlerThatThrowsIsContained() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            int[] calls = {0};
            loop.setExceptionHandler((l, ctx) -> {
                calls[0]++;
                throw new IllegalStateException("handler broke");
            });
            loop.callSoon(() -> {
                throw new RuntimeException("first");
            });
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(1, calls[0]);
            assertNotNullHandler(loop);
            loop.setExceptionHandler(null);
            assertNull(loop.getExceptionHandler());
            // The default handler only logs.
            loop.callExceptionHandler(ExceptionContext.builder("just a message").extra("k", 1).build());
        }
    }

    private static void assertNotNullHandler(EventLoop loop) {
        assertTrue(loop.getExceptionHandler() != null);
    }

    @Test
    void callSoonThreadsafeWakesASleepingLoop() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            CountDownLatch sleeping = new CountDownLatch(1);
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            loop.callSoon(sleeping::countDown);
            Thread other = new Thread(() -> {
                try {
                    sleeping.await();
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
                loop.callSoonThreadsafe(() -> {
                    ranOn.set(Thread.currentThread());
                    loop.stop();
                });
            });
            other.start();
            loop.runForever();
            other.join();
            assertTrue(ranOn.get() != null && ranOn.get() != other);
        }
    }

    @Test
    void foreignThreadCannotTouchRunningLoop() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            CountDownLatch running = new CountDownLatch(1);
            AtomicReference<Throwable> err = new AtomicReference<>();
            AsyncFuture<Void> f = loop.createFuture();
            loop.callSoon(running::countDown);
            Thread other = new Thread(() -> {
                try {
                    running.await();
                    try {
                        loop.callSoon(() -> { });
                    } catch (Throwable e) {
                        err.set(e);
                    }
                    try {
                        f.setResult(null);
                        err.set(new AssertionError("setResult from a foreign thread was accepted"));
                    } catch (IllegalStateException expected) {
                        // ok
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    loop.callSoonThreadsafe(loop::stop);
                }
            });
            other.start();
            loop.runForever();
            other.join();
            assertTrue(err.get() instanceof IllegalStateException, String.valueOf(err.get()));
            assertTrue(err.get().getMessage().contains("callSoonThreadsafe"), err.get().getMessage());
            assertFalse(f.isDone());
        }
    }

    @Test
    void lifecycleErrors() {
        EventLoop loop = EventLoop.newEventLoop();
        assertFalse(loop.isRunning());
        loop.callSoon(() -> {
            assertTrue(loop.isRunning());
            IllegalStateException again = assertThrows(IllegalStateException.class, loop::runForever);
            assertTrue(again.getMessage().contains("already running"), again.getMessage());
            assertThrows(IllegalStateException.class, loop::close);
            try (EventLoop other = EventLoop.newEventLoop()) {
                IllegalStateException nested = assertThrows(IllegalStateException.class, other::runForever);
                assertTrue(nested.getMessage().contains("another loop"), nested.getMessage());
                assertThrows(IllegalStateException.class, () -> Asyncio.run(() -> 1));
            }
            loop.stop();
        });
        loop.runForever();
        loop.close();
        loop.close();
        assertTrue(loop.isClosed());
        assertThrows(IllegalStateException.class, loop::runForever);
        assertThrows(IllegalStateException.class, () -> loop.callSoon(() -> { }));
        assertThrows(IllegalStateException.class, () -> loop.callSoonThreadsafe(() -> { }));
        assertThrows(IllegalStateException.class, () -> loop.callLater(1, () -> { }));
        assertThrows(IllegalStateException.class, () -> loop.createTask(() -> 1));
    }

    @Test
    void runUntilCompleteReturnsResultAndStopsEarlyIsAnError() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            assertEquals(42, loop.runUntilComplete(() -> 42));
            AsyncFuture<String> never = loop.createFuture();
            loop.callSoon(loop::stop);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(never));
            assertTrue(e.getMessage().contains("stopped before Future completed"));
            try (EventLoop other = EventLoop.newEventLoop()) {
                assertThrows(IllegalArgumentException.class, () -> other.runUntilComplete(never));
            }
        }
    }

    @Test
    void timeIsMonotonicAndClockIsInjectable() {
        long[] now = {5_000_000_000L};
        try (EventLoop loop = EventLoop.builder().clock(() -> now[0]).build()) {
            assertEquals(5.0, loop.time());
            TimerHandle h = loop.callLater(2.5, () -> { });
            assertEquals(7.5, h.when());
            now[0] += 1;
            assertEquals(5_000_000_001L, loop.timeNanos());
        }
        try (EventLoop loop = EventLoop.newEventLoop()) {
            double a = loop.time();
            double b = loop.time();
            assertTrue(b >= a);
        }
    }

    @Test
    void debugSettings() {
        try (EventLoop loop = EventLoop.builder().debug(true).build()) {
            assertTrue(loop.getDebug());
            assertEquals(0.1, loop.getSlowCallbackDuration(), 1e-9);
            loop.setSlowCallbackDuration(0.25);
            assertEquals(0.25, loop.getSlowCallbackDuration(), 1e-9);
            loop.setDebug(false);
            assertFalse(loop.getDebug());
            assertTrue(loop.toString().contains("idle"));
        }
    }

    @Test
    void getRunningLoopOutsideIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, EventLoop::getRunningLoop);
        assertTrue(e.getMessage().contains("no running event loop"));
        try (EventLoop loop = EventLoop.newEventLoop()) {
            loop.callSoon(() -> {
                assertSame(loop, EventLoop.getRunningLoop());
                assertNull(loop.currentTask());
                loop.stop();
            });
            loop.runForever();
        }
    }

    @Test
    void schedulingModeFollowsTheProperty() {
        String p = System.getProperty("jasyncio.scheduler", "auto");
        try (EventLoop loop = EventLoop.newEventLoop()) {
            if (p.equals("dedicated")) {
                assertEquals(Scheduling.DEDICATED, loop.getScheduling());
            } else if (p.equals("shared")) {
                assertEquals(Scheduling.SHARED, loop.getScheduling());
            }
        }
        try (EventLoop loop = EventLoop.builder().scheduling(Scheduling.SHARED).build()) {
            assertEquals(Scheduling.SHARED, loop.getScheduling());
        }
    }

    @Test
    void callbacksRunOneAtATimeEvenFromManyThreads() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            int threads = 4;
            int each = 2000;
            int[] counter = {0};
            boolean[] inside = {false};
            AtomicReference<String> overlap = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(threads);
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Thread t = new Thread(() -> {
                    for (int k = 0; k < each; k++) {
                        loop.callSoonThreadsafe(() -> {
                            if (inside[0]) {
                                overlap.set("two callbacks ran at once");
                            }
                            inside[0] = true;
                            counter[0]++;
                            inside[0] = false;
                        });
                    }
                    done.countDown();
                });
                ts.add(t);
                t.start();
            }
            Thread stopper = new Thread(() -> {
                try {
                    done.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                loop.callSoonThreadsafe(loop::stop);
            });
            stopper.start();
            loop.runForever();
            for (Thread t : ts) {
                t.join();
            }
            stopper.join();
            assertNull(overlap.get());
            assertEquals(threads * each, counter[0]);
        }
    }
}
