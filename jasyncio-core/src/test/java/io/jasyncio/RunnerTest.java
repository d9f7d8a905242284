package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio.run and asyncio.Runner: results, errors, and the clean-up at the end. */
class RunnerTest {

    @Test
    void runReturnsTheResultOrRethrows() {
        assertEquals(3, Asyncio.run(() -> 1 + 2));
        IOException io = new IOException("main failed");
        Throwable t = assertThrows(Throwable.class, () -> Asyncio.run(() -> {
            throw io;
        }));
        assertSame(io, t);
        List<String> seen = new ArrayList<>();
        Asyncio.run(() -> {
            seen.add("void main");
        });
        assertEquals(List.of("void main"), seen);
    }

    @Test
    void leftoverTasksAreCancelledAndTheirFinallyBlocksRun() {
        List<String> seen = new ArrayList<>();
        Asyncio.run(() -> {
            Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(100);
                } finally {
                    seen.add("cleanup ran");
                }
            });
            Asyncio.sleep(0);
            return null;
        });
        assertEquals(List.of("cleanup ran"), seen);
    }

    @Test
    void aLeftoverTaskThatFailsDuringShutdownIsReported() {
        Loops.Errors errors = new Loops.Errors();
        Loops.run(errors, () -> {
            Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(100);
                } catch (CancelledError e) {
                    throw new IOException("failed while shutting down");
                }
            });
            Asyncio.sleep(0);
            return null;
        });
        assertEquals(1, errors.all().size());
        assertTrue(errors.all().get(0).message().contains("shutdown"));
        assertEquals("failed while shutting down", errors.all().get(0).exception().getMessage());
    }

    @Test
    void runFromInsideALoopIsAnError() {
        Asyncio.run(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Asyncio.run(() -> 1));
            assertTrue(e.getMessage().contains("cannot be called from a running event loop"));
            return null;
        });
    }

    @Test
    void aRunnerRunsSeveralBodiesOnOneLoop() {
        EventLoop[] loops = new EventLoop[2];
        try (Runner r = new Runner()) {
            r.run(() -> loops[0] = Asyncio.getRunningLoop());
            r.run(() -> loops[1] = Asyncio.getRunningLoop());
            assertSame(loops[0], loops[1]);
            assertSame(loops[0], r.getLoop());
        }
        assertTrue(loops[0].isClosed());
    }

    @Test
    void aClosedRunnerRefusesWork() {
        Runner r = new Runner();
        r.close();
        r.close();
        assertThrows(IllegalStateException.class, () -> r.run(() -> 1));
    }

    @Test
    void runWithAConfiguredLoop() {
        boolean debug = Asyncio.run(EventLoop.builder().debug(true), () -> Asyncio.getRunningLoop().getDebug());
        assertTrue(debug);
    }

    @Test
    void theDefaultExecutorIsShutDown() {
        String worker = Asyncio.run(() -> Asyncio.toThread(() -> Thread.currentThread().getName()));
        assertTrue(worker.startsWith("jasyncio-executor-"), worker);
    }
}
