package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Virtual time: autojump, advancing by hand, and never overtaking work on other threads. */
class VirtualClockTest {

    @Test
    void anHourOfSleepTakesNoTimeAndTimersFireAtExactTimes() {
        VirtualClock clock = new VirtualClock();
        List<String> seen = new ArrayList<>();
        Asyncio.run(EventLoop.builder().clock(clock), () -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Task<Void> a = Asyncio.createTask(() -> {
                Asyncio.sleep(3600);
                seen.add("a@" + loop.time());
            });
            Task<Void> b = Asyncio.createTask(() -> {
                Asyncio.sleep(1.5);
                seen.add("b@" + loop.time());
            });
            Asyncio.gather(a, b).await();
            return null;
        });
        assertEquals(List.of("b@1.5", "a@3600.0"), seen);
        assertEquals(3600.0, clock.time());
    }

    @Test
    void timeoutsFireAtTheirDeadline() {
        VirtualClock clock = new VirtualClock();
        double[] when = new double[1];
        Asyncio.run(EventLoop.builder().clock(clock), () -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(30).run(() -> Asyncio.sleep(100)));
            when[0] = loop.time();
            return null;
        });
        assertEquals(30.0, when[0]);
    }

    @Test
    void advancingByHandLetsATestLookInBetween() {
        VirtualClock clock = new VirtualClock(false);
        Asyncio.run(EventLoop.builder().clock(clock), () -> {
            List<Integer> ticks = new ArrayList<>();
            Task<Void> ticker = Asyncio.createTask(() -> {
                for (int i = 1; i <= 3; i++) {
                    Asyncio.sleep(10);
                    ticks.add(i);
                }
            });
            Asyncio.waitAllTasksBlocked();
            assertEquals(List.of(), ticks);
            clock.advance(10);
            Asyncio.waitAllTasksBlocked();
            assertEquals(List.of(1), ticks);
            clock.advance(25);          // t=35: the second tick (due at 20) fires; the third sleep starts at 35
            Asyncio.waitAllTasksBlocked();
            assertEquals(List.of(1, 2), ticks);
            clock.advance(10);          // t=45
            Asyncio.waitAllTasksBlocked();
            assertEquals(List.of(1, 2, 3), ticks);
            ticker.await();
            assertThrows(IllegalArgumentException.class, () -> clock.advance(-1));
            return null;
        });
    }

    @Test
    void autojumpWaitsForWorkOnOtherThreads() {
        VirtualClock clock = new VirtualClock();
        List<String> seen = new ArrayList<>();
        Asyncio.run(EventLoop.builder().clock(clock), () -> {
            Task<Void> sleeper = Asyncio.createTask(() -> {
                Asyncio.sleep(1);
                seen.add("timer");
            });
            Task<Void> worker = Asyncio.createTask(() -> {
                Asyncio.toThread(() -> Thread.sleep(30)); // real time, on another thread
                seen.add("thread");
            });
            Asyncio.gather(sleeper, worker).await();
            return null;
        });
        // The loop did not jump to t=1 while the thread was working.
        assertEquals(List.of("thread", "timer"), seen);
    }

    @Test
    void aStuckLoopIsReportedNotSleptThrough() {
        VirtualClock clock = new VirtualClock();
        AtomicReference<String> report = new AtomicReference<>();
        Task<?>[] main = new Task<?>[1];
        clock.setOnStuck(loop -> {
            report.set("stuck with " + loop.allTasks().size() + " tasks");
            main[0].cancel("stuck");
        });
        CancelledError e = assertThrows(CancelledError.class, () -> Asyncio.run(EventLoop.builder().clock(clock), () -> {
            main[0] = Asyncio.currentTask();
            AsyncFuture<Void> never = Asyncio.getRunningLoop().createFuture();
            never.await();
            return null;
        }));
        assertEquals("stuck", e.getMessage());
        assertEquals("stuck with 1 tasks", report.get());
    }

    @Test
    void aStuckHandlerThatDoesNothingIsCalledOnceAndTheLoopSleeps() throws Exception {
        VirtualClock clock = new VirtualClock();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        clock.setOnStuck(loop -> calls.incrementAndGet());
        try (EventLoop loop = EventLoop.builder().clock(clock).build()) {
            AsyncFuture<String> f = loop.createFuture();
            Thread waker = new Thread(() -> {
                try {
                    Thread.sleep(100); // the loop sleeps meanwhile; it must not spin on the handler
                } catch (InterruptedException e) {
                    return;
                }
                loop.callSoonThreadsafe(() -> f.setResult("woken"));
            });
            waker.start();
            assertEquals("woken", loop.runUntilComplete(f));
            waker.join();
        }
        assertEquals(1, calls.get());
    }

    @Test
    void advanceFromAnotherThreadWakesTheLoop() throws Exception {
        VirtualClock clock = new VirtualClock(false);
        Thread helper = new Thread(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
            clock.advance(5);
        });
        double t = Asyncio.run(EventLoop.builder().clock(clock), () -> {
            // Start the helper once the sleep's timer is set: an advance before it would put the
            // timer at 10, which nothing reaches (a 60 s hang on a loaded machine).
            Asyncio.getRunningLoop().callSoon(helper::start);
            Asyncio.sleep(5);
            return Asyncio.getRunningLoop().time();
        });
        helper.join();
        assertEquals(5.0, t);
        assertFalse(clock.isAutojump());
    }

    @Test
    void anAutojumpThresholdGivesUnknownThreadsTime() {
        VirtualClock clock = new VirtualClock();
        clock.setAutojumpThreshold(0.2);
        List<String> seen = new ArrayList<>();
        Asyncio.run(EventLoop.builder().clock(clock), () -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<Void> fromThread = loop.createFuture();
            new Thread(() -> loop.callSoonThreadsafe(() -> {
                seen.add("thread");
                fromThread.setResult(null);
            })).start();
            Task<Void> sleeper = Asyncio.createTask(() -> {
                Asyncio.sleep(1);
                seen.add("timer");
            });
            fromThread.await();
            sleeper.await();
            return null;
        });
        assertEquals(List.of("thread", "timer"), seen);
    }
}
