package io.jasyncio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debug mode tells the truth: the live stack of a step that blocks the loop shows the blocking
 * call, the watchdog sees a loop from its first step, and a step during which debug mode came on
 * is timed from then, not from the machine's boot.
 */
@Timeout(60)
class SlowStepTest {

    /**
     * Runs {@code block} as a task step of a debug loop until the watchdog reports it still running;
     * the report's handler calls {@code release} to end the block. Returns that live report.
     */
    private static SlowStep liveReportOf(String name, Blocker block) {
        List<SlowStep> reports = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch reported = new CountDownLatch(1);
        try (EventLoop loop = EventLoop.builder().debug(true).build()) {
            loop.setSlowCallbackDuration(0.02);
            loop.runUntilComplete(loop.createTask(name, () -> {
                Thread me = Thread.currentThread();
                Consumer<SlowStep> handler = r -> {
                    if (!r.finished() && reports.isEmpty()) {
                        reports.add(r);
                        reported.countDown();
                        block.release(me);
                    }
                };
                loop.setSlowStepHandler(handler);
                block.block();
                return null;
            }));
            assertTrue(reported.getCount() == 0, "the watchdog reported the step while it blocked");
        }
        return reports.get(0);
    }

    /** A blocking call made in a task, and how the watchdog's report ends it. */
    private interface Blocker {
        void block() throws Exception;

        void release(Thread blocked);
    }

    private static List<String> frames(SlowStep r) {
        return r.stack().stream().map(e -> e.getClassName() + "." + e.getMethodName()).toList();
    }

    private static void assertShows(SlowStep r, String blockingFrame, String userFrame) {
        List<String> f = frames(r);
        assertTrue(f.contains(blockingFrame), "the live stack shows " + blockingFrame + ": " + f);
        assertTrue(f.contains(userFrame), f.toString());
        assertTrue(f.indexOf(blockingFrame) < f.indexOf(userFrame), f.toString());
        assertFalse(f.stream().anyMatch(x -> x.startsWith("jdk.internal.") || x.startsWith("java.lang.VirtualThread")
                || x.startsWith("io.jasyncio.EventLoop")), "the scheduling machinery is gone: " + f);
    }

    @Test
    void aTaskBlockedInThreadSleepShowsTheSleep() {
        SlowStep r = liveReportOf("sleeper", new Blocker() {
            @Override
            public void block() {
                sleepHere();
            }

            @Override
            public void release(Thread blocked) {
                blocked.interrupt();
            }
        });
        assertShows(r, "java.lang.Thread.sleep", SlowStepTest.class.getName() + ".sleepHere");
    }

    private static void sleepHere() {
        try {
            Thread.sleep(30_000);
        } catch (InterruptedException e) {
            // released by the report
        }
    }

    @Test
    void aTaskBlockedOnASemaphoreShowsTheLockMachineryItWaitsIn() {
        Semaphore s = new Semaphore(0);
        SlowStep r = liveReportOf("acquirer", new Blocker() {
            @Override
            public void block() throws Exception {
                assertTrue(s.tryAcquire(30, TimeUnit.SECONDS));
            }

            @Override
            public void release(Thread blocked) {
                s.release();
            }
        });
        List<String> f = frames(r);
        assertTrue(f.contains("java.util.concurrent.locks.LockSupport.parkNanos"), f.toString());
        assertTrue(f.contains("java.util.concurrent.Semaphore.tryAcquire"), f.toString());
    }

    @Test
    void aTaskBlockedInThreadJoinAndObjectWaitShowsThem() {
        CountDownLatch go = new CountDownLatch(1);
        // Started before the step, so that the step's live stack is in join, never still in start
        // (a loaded machine can take longer than the slow-step threshold to start a thread).
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                go.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // ends
            }
        });
        SlowStep joining = liveReportOf("joiner", new Blocker() {
            @Override
            public void block() throws Exception {
                worker.join(30_000);
            }

            @Override
            public void release(Thread blocked) {
                go.countDown();
            }
        });
        assertTrue(frames(joining).contains("java.lang.Thread.join"), frames(joining).toString());
        Object monitor = new Object();
        boolean[] notified = new boolean[1];
        SlowStep waiting = liveReportOf("waiter", new Blocker() {
            @Override
            public void block() throws Exception {
                synchronized (monitor) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!notified[0] && System.nanoTime() < deadline) {
                        monitor.wait(1000);
                    }
                }
            }

            @Override
            public void release(Thread blocked) {
                synchronized (monitor) {
                    notified[0] = true;
                    monitor.notifyAll();
                }
            }
        });
        assertTrue(frames(waiting).contains("java.lang.Object.wait"), frames(waiting).toString());
    }

    /** A suspended task's stack still starts at the code that awaits: the loop's own parking is dropped. */
    @Test
    void aSuspendedTasksStackStillLeavesOutTheLoopsParking() {
        Asyncio.run(() -> {
            Task<Void> t = Asyncio.createTask("sleeper", () -> Asyncio.sleep(10));
            Asyncio.sleep(0);
            List<StackTraceElement> stack = t.getStack(50);
            assertFalse(stack.isEmpty());
            assertEquals("io.jasyncio.AsyncFuture.await", stack.get(0).getClassName() + "." + stack.get(0).getMethodName(),
                    stack.toString());
            assertFalse(stack.stream().anyMatch(e -> e.getClassName().startsWith("java.") || e.getClassName().startsWith("jdk.")),
                    stack.toString());
            t.cancel();
            return null;
        });
    }

    private static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, null, -1);
    }

    /**
     * The same rule on stacks written out: JDK frames called by the runtime (a task caught in the
     * middle of handing the loop on, here) go; JDK frames called by user code stay, but for the
     * virtual thread's own.
     */
    @Test
    void theJdksFramesOnTopStayOnlyWhenUserCodeCalledThem() {
        StackTraceElement[] handingOn = {
                frame("java.util.concurrent.ForkJoinPool", "signalWork"),
                frame("java.util.concurrent.locks.LockSupport", "unpark"),
                frame("io.jasyncio.EventLoop", "runUntilHandOff"),
                frame("io.jasyncio.EventLoop", "suspend"),
                frame("io.jasyncio.Task", "awaitPending"),
                frame("io.jasyncio.AsyncFuture", "await"),
                frame("app.Client", "fetch"),
                frame("io.jasyncio.Task", "runOnThread"),
                frame("java.lang.VirtualThread", "run"),
        };
        assertEquals(List.of("io.jasyncio.AsyncFuture.await", "app.Client.fetch"),
                StackFrames.userFrames(handingOn).stream().map(e -> e.getClassName() + "." + e.getMethodName()).toList());
        StackTraceElement[] sleeping = {
                frame("jdk.internal.vm.Continuation", "yield"),
                frame("java.lang.VirtualThread", "parkNanos"),
                frame("java.lang.Thread", "sleepNanos"),
                frame("java.lang.Thread", "sleep"),
                frame("app.Client", "fetch"),
                frame("io.jasyncio.Task", "runOnThread"),
                frame("java.lang.VirtualThread", "run"),
        };
        assertEquals(List.of("java.lang.Thread.sleepNanos", "java.lang.Thread.sleep", "app.Client.fetch"),
                StackFrames.userFrames(sleeping).stream().map(e -> e.getClassName() + "." + e.getMethodName()).toList());
    }

    /**
     * The watchdog sleeps while no debug loop runs, until a loop's start wakes it: a loop that
     * starts after an idle spell is watched from its first step. (It used to nap 250 ms, so a
     * 20 ms threshold could be reported a quarter of a second late.) Deterministic: an idle
     * watchdog is parked without a timeout, which only a wake-up ends.
     */
    @Test
    void theIdleWatchdogWaitsToBeWokenAndWatchesTheNextLoopFromItsFirstStep() throws Exception {
        Blocker sleeper = new Blocker() {
            @Override
            public void block() {
                sleepHere();
            }

            @Override
            public void release(Thread blocked) {
                blocked.interrupt();
            }
        };
        liveReportOf("first", sleeper);
        Thread watchdog = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("jasyncio-watchdog")).findFirst().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (watchdog.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(Thread.State.WAITING, watchdog.getState(), "idle, the watchdog waits to be woken, with no nap");
        SlowStep r = liveReportOf("after an idle spell", sleeper);
        assertEquals("after an idle spell", r.task().getName());
    }

    /** setDebug(true) inside a running step: the step is timed from then, not from time zero of System.nanoTime. */
    @Test
    void debugSwitchedOnInsideAStepTimesItFromThen() {
        List<SlowStep> reports = Collections.synchronizedList(new ArrayList<>());
        try (EventLoop loop = EventLoop.builder().debug(false).build()) {
            loop.setSlowStepHandler(reports::add);
            loop.setSlowCallbackDuration(1);
            loop.runUntilComplete(loop.createTask("switcher", () -> {
                loop.setDebug(true);
                Asyncio.sleep(0);   // ends the step in which debug came on
                loop.setDebug(false);
                return null;
            }));
        }
        assertEquals(List.of(), reports, "a step of a few microseconds is not slow");
    }
}
