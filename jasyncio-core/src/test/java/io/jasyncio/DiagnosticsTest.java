package io.jasyncio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Debug mode, the task dump, profiling. */
class DiagnosticsTest {

    private static EventLoop.Builder debugLoop() {
        return EventLoop.builder().debug(true).clock(new VirtualClock());
    }

    // ------------------------------------------------------------------ slow steps

    @Test
    void aStepStillHoldingTheLoopIsReportedWithItsLiveStack() {
        List<SlowStep> reports = Collections.synchronizedList(new ArrayList<>());
        try (EventLoop loop = EventLoop.builder().debug(true).build()) {
            loop.setSlowCallbackDuration(0.05);
            loop.setSlowStepHandler(reports::add);
            loop.runUntilComplete(loop.createTask("blocker", () -> {
                blockHere();
                return null;
            }));
        }
        SlowStep live = reports.stream().filter(r -> !r.finished()).findFirst().orElseThrow(() -> new AssertionError(reports.toString()));
        assertEquals("blocker", live.task().getName());
        assertTrue(live.stack().stream().anyMatch(e -> e.getMethodName().equals("blockHere")), live.stack().toString());
        assertTrue(live.toString().contains("is still running"));
        SlowStep done = reports.stream().filter(SlowStep::finished).findFirst().orElseThrow();
        assertTrue(done.seconds() >= live.seconds());
        assertTrue(done.toString().startsWith("Executing a step of Task 'blocker'"), done.toString());
    }

    private static void blockHere() throws InterruptedException {
        Thread.sleep(300); // a blocking call that freezes the loop
    }

    @Test
    void aSlowCallbackIsReportedToo() {
        List<SlowStep> reports = Collections.synchronizedList(new ArrayList<>());
        try (EventLoop loop = EventLoop.builder().debug(true).build()) {
            loop.setSlowCallbackDuration(0.02);
            loop.setSlowStepHandler(reports::add);
            loop.callSoon(() -> {
                try {
                    Thread.sleep(60);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            loop.callSoon(loop::stop);
            loop.runForever();
        }
        assertTrue(reports.stream().anyMatch(r -> r.finished() && r.task() == null && r.what().startsWith("Handle")), reports.toString());
    }

    @Test
    void withDebugOffNothingIsReported() {
        List<SlowStep> reports = Collections.synchronizedList(new ArrayList<>());
        try (EventLoop loop = EventLoop.builder().debug(false).build()) {
            loop.setSlowCallbackDuration(0.01);
            loop.setSlowStepHandler(reports::add);
            loop.runUntilComplete(() -> {
                Thread.sleep(40);
                return null;
            });
        }
        assertEquals(List.of(), reports);
    }

    // ------------------------------------------------------------------ who cancelled

    @Test
    void aCancelledErrorSaysWhoCancelledAndFromWhere() {
        Asyncio.run(debugLoop(), () -> {
            AtomicReference<CancelledError> seen = new AtomicReference<>();
            Task<Void> victim = Asyncio.createTask("victim", () -> {
                try {
                    Asyncio.sleep(100);
                } catch (CancelledError e) {
                    seen.set(e);
                    throw e;
                }
            });
            Task<Void> canceller = Asyncio.createTask("canceller", () -> cancelFromHere(victim));
            canceller.await();
            CancelledError outside = assertThrows(CancelledError.class, victim::await);
            CancellationSite site = seen.get().site();
            assertNotNull(site);
            assertEquals("task 'canceller'", site.canceller());
            assertTrue(List.of(site.getStackTrace()).stream().anyMatch(e -> e.getMethodName().equals("cancelFromHere")));
            assertEquals("task 'canceller'", outside.site().canceller(), "the awaiter sees it too");
            return null;
        });
    }

    private static void cancelFromHere(Task<?> t) {
        t.cancel();
    }

    @Test
    void timeoutsGroupsAndCallbacksNameThemselves() {
        Asyncio.run(debugLoop(), () -> {
            EventLoop loop = Asyncio.getRunningLoop();
            // A timeout.
            AsyncTimeoutException te = assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(1).run(() -> Asyncio.sleep(5)));
            assertTrue(((CancelledError) te.getCause()).site().canceller().startsWith("timeout at loop time 1.000"));
            // A task group whose child failed.
            AtomicReference<CancelledError> sibling = new AtomicReference<>();
            assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask("crasher", () -> {
                    throw new IOException("boom");
                });
                g.createTask(() -> {
                    try {
                        Asyncio.sleep(5);
                    } catch (CancelledError e) {
                        sibling.set(e);
                        throw e;
                    }
                });
                Asyncio.sleep(5);
            }));
            String who = sibling.get().site().canceller();
            assertTrue(who.startsWith("task group: crasher failed with java.io.IOException: boom"), who);
            // A callback.
            AsyncFuture<Void> f = loop.createFuture();
            loop.callSoon(f::cancel);
            CancelledError ce = assertThrows(CancelledError.class, f::await);
            assertEquals("a callback", ce.site().canceller());
            return null;
        });
    }

    @Test
    void outsideDebugModeThereIsNoSite() {
        Loops.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> Asyncio.sleep(5));
            Asyncio.sleep(0);
            t.cancel();
            assertNull(assertThrows(CancelledError.class, t::await).site());
        });
    }

    // ------------------------------------------------------------------ creation sites and leaks

    @Test
    void aTaskLeftPendingWhenTheLoopClosesIsReportedWithItsCreationSite() {
        List<ExceptionContext> got = new ArrayList<>();
        EventLoop loop = debugLoop().build();
        loop.setExceptionHandler((l, c) -> got.add(c));
        loop.runUntilComplete(() -> {
            createTheForgottenTask(loop);
            Asyncio.sleep(0);
            return null;
        });
        loop.close();
        assertEquals(1, got.size(), got.toString());
        assertEquals("Task was destroyed but it is pending!", got.get(0).message());
        assertEquals("forgotten", got.get(0).task().getName());
        assertTrue(String.valueOf(got.get(0).extras().get("created at")).contains("createTheForgottenTask"), got.get(0).extras().toString());
    }

    private static void createTheForgottenTask(EventLoop loop) {
        AsyncFuture<Void> never = loop.createFuture();
        loop.createTask("forgotten", never::await);
    }

    @Test
    void anUnretrievedExceptionIsReportedWithTheTasksCreationSite() {
        List<ExceptionContext> got = Collections.synchronizedList(new ArrayList<>());
        try (Runner r = new Runner(() -> {
            EventLoop l = EventLoop.builder().debug(true).build();
            l.setExceptionHandler((x, c) -> got.add(c));
            return l;
        })) {
            r.run(() -> {
                startAFailingTask();
                Asyncio.sleep(0);
                for (int i = 0; i < 200 && got.isEmpty(); i++) {
                    System.gc();
                    Asyncio.sleep(0.01);
                }
                return null;
            });
        }
        assertEquals(1, got.size(), got.toString());
        assertTrue(String.valueOf(got.get(0).extras().get("created at")).contains("startAFailingTask"), got.get(0).extras().toString());
    }

    private static void startAFailingTask() {
        Asyncio.createTask(() -> {
            throw new IOException("nobody looks");
        });
    }

    // ------------------------------------------------------------------ profiling

    @Test
    void profilingCountsWallTimeLoopTimeAndSteps() {
        Loops.run(() -> {
            List<Profiling.Timing> timings = new ArrayList<>();
            String r = Profiling.timed("two sleeps", () -> {
                Asyncio.sleep(1);
                Asyncio.sleep(1);
                return "done";
            }, timings::add);
            assertEquals("done", r);
            Profiling.Timing t = timings.get(0);
            assertEquals(3, t.steps(), "three stretches of control: before, between and after the sleeps");
            assertTrue(t.loopSeconds() >= 0 && t.loopSeconds() <= t.wallSeconds(), t.toString());
            assertTrue(t.toString().startsWith("two sleeps: "), t.toString());
            // Failures are timed too, and rethrown unchanged.
            IOException io = new IOException("x");
            try {
                Profiling.timed("failing", () -> {
                    throw io;
                }, timings::add);
                throw new AssertionError();
            } catch (Exception e) {
                assertTrue(e == io);
            }
            assertEquals(2, timings.size());
            Profiling.timed("logged", () -> Asyncio.sleep(0));
        });
    }

    // ------------------------------------------------------------------ the dump

    @Test
    void theDumpShowsWhoAwaitsWhom() throws Exception {
        TaskDump dump = Asyncio.run(EventLoop.builder().clock(new VirtualClock()), () -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Task<?>[] a = new Task<?>[1];
            Task<TaskDump> observer = Asyncio.createTask("observer", () -> {
                Asyncio.sleep(1);
                return loop.dumpTasks();
            });
            a[0] = Asyncio.createTask("a", () -> Asyncio.sleep(5));
            Task<Void> b = Asyncio.createTask("b", () -> TaskGroup.run(g -> g.createTask("c", () -> Asyncio.sleep(5))));
            Task<Object> d = Asyncio.createTask("d", a[0]::await);
            Asyncio.gather(a[0], b).await();
            d.await();
            return observer.result();
        });
        Map<String, TaskDump.TaskInfo> byName = dump.tasks().stream().collect(Collectors.toMap(TaskDump.TaskInfo::name, Function.identity()));
        TaskDump.TaskInfo main = dump.tasks().get(0);
        assertEquals("gather of 2", main.awaiting());
        assertEquals(List.of(id(byName, "a"), id(byName, "b")), main.awaits());
        assertEquals("running", byName.get("observer").state());
        assertEquals("sleep until 5.000", byName.get("a").awaiting());
        assertEquals(List.of(main.id(), id(byName, "d")), byName.get("a").awaitedBy());
        assertEquals("task group exit, 1 child", byName.get("b").awaiting());
        assertEquals(List.of(id(byName, "c")), byName.get("b").awaits());
        assertEquals("Task 'a'", byName.get("d").awaiting());
        assertTrue(byName.get("c").stack().stream().anyMatch(e -> e.getClassName().equals(DiagnosticsTest.class.getName())));
        String tree = dump.tree();
        assertTrue(tree.contains("── (T) " + main.name() + " #"), tree);
        assertTrue(tree.contains("at " + DiagnosticsTest.class.getName()), "where each task is:\n" + tree);
        assertFalse(tree.contains("parkVirtualThread") || tree.contains("TaskDump.of"), tree);
        assertTrue(tree.matches("(?s).*\\(T\\) b #\\d+  awaiting task group exit, 1 child.*\\n.*└── \\(T\\) c #\\d+.*"), tree);
        assertTrue(tree.contains("(shown above)"), "a, awaited by main and d, is drawn once in full:\n" + tree);
        assertTrue(dump.table().contains("AWAITED BY"));
        JsonNode json = new ObjectMapper().readTree(dump.toJson());
        assertTrue(json.get("consistent").asBoolean());
        assertEquals(dump.tasks().size(), json.get("tasks").size());
        assertEquals("gather of 2", json.get("tasks").get(0).get("awaiting").asText());
    }

    private static long id(Map<String, TaskDump.TaskInfo> byName, String name) {
        return byName.get(name).id();
    }

    @Test
    void aDumpOfABlockedLoopSaysWhatBlocksIt() throws Exception {
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (EventLoop loop = EventLoop.newEventLoop()) {
            Thread runner = new Thread(() -> loop.runUntilComplete(() -> {
                Task<Void> stuck = Asyncio.createTask("stuck", () -> holdTheLoop(blocking, release));
                stuck.await();
                return null;
            }));
            runner.start();
            assertTrue(blocking.await(10, TimeUnit.SECONDS));
            TaskDump dump = loop.dumpTasksThreadsafe(Duration.ofMillis(100));
            release.countDown();
            runner.join();
            assertFalse(dump.consistent());
            assertTrue(dump.note().contains("holdTheLoop"), dump.note());
            assertTrue(dump.tasks().stream().anyMatch(t -> t.name().equals("stuck")));
            TaskDump after = loop.dumpTasksThreadsafe(Duration.ofMillis(100));
            assertTrue(after.consistent());
            assertEquals("the loop is not running", after.note());
        }
    }

    private static void holdTheLoop(CountDownLatch blocking, CountDownLatch release) throws InterruptedException {
        blocking.countDown();
        release.await(); // blocks the loop
    }

    @Test
    void stepsAndLoopTimeAppearInDebugModeDumps() {
        TaskDump dump = Asyncio.run(debugLoop(), () -> {
            Task<Void> t = Asyncio.createTask("worker", () -> {
                for (int i = 0; i < 3; i++) {
                    Asyncio.sleep(1);
                }
                Asyncio.sleep(10);
            });
            Asyncio.sleep(5);
            TaskDump d = Asyncio.getRunningLoop().dumpTasks();
            t.cancel();
            return d;
        });
        TaskDump.TaskInfo w = dump.tasks().stream().filter(t -> t.name().equals("worker")).findFirst().orElseThrow();
        assertEquals(4, w.steps());
        assertNotNull(w.createdAt());
    }
}
