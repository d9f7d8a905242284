package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Async generators: Python's semantics for stepping, closing, failing and cancelling. */
class AsyncGeneratorTest {

    static <T> T virtual(java.util.concurrent.Callable<T> body) {
        return Asyncio.run(EventLoop.builder().clock(new VirtualClock()), body);
    }

    static void virtual(CheckedRunnable body) {
        virtual(EventLoop.asCallable(body));
    }

    @Test
    void theProducerRunsOnlyWhileTheConsumerWaitsForAValue() {
        virtual(() -> {
            Order o = new Order();
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                o.expect(2);
                out.emit(1);
                o.expect(4);
                Asyncio.sleep(1); // awaiting inside the producer
                out.emit(2);
                o.expect(6);
            });
            o.expect(1);
            assertEquals(1, gen.next());
            o.expect(3);
            Asyncio.sleep(5); // the producer stays suspended at emit meanwhile
            assertEquals(2, gen.next());
            o.expect(5);
            assertFalse(gen.hasNext());
            o.finish(7);
            assertTrue(gen.isFinished());
            assertThrows(NoSuchElementException.class, gen::next);
            assertEquals(6.0, Asyncio.getRunningLoop().time());
        });
    }

    @Test
    void aForEachDrainsIt() {
        List<Integer> got = virtual(() -> {
            List<Integer> out = new ArrayList<>();
            for (int x : AsyncGenerator.<Integer>of(e -> {
                for (int i = 0; i < 5; i++) {
                    Asyncio.sleep(0.5);
                    e.emit(i * i);
                }
            })) {
                out.add(x);
            }
            return out;
        });
        assertEquals(List.of(0, 1, 4, 9, 16), got);
    }

    @Test
    void nullValuesAreValues() {
        virtual(() -> {
            AsyncGenerator<String> gen = AsyncGenerator.of(out -> {
                out.emit(null);
                out.emit("x");
            });
            assertTrue(gen.hasNext());
            assertNull(gen.next());
            assertEquals("x", gen.next());
            assertFalse(gen.hasNext());
        });
    }

    @Test
    void closingEarlyRunsTheFinallyBlocksAtOnceAndTheyMayAwait() {
        virtual(() -> {
            List<String> log = new ArrayList<>();
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                try {
                    for (int i = 0; ; i++) {
                        out.emit(i);
                    }
                } finally {
                    log.add("finally begins");
                    Asyncio.sleep(2); // a graceful close that waits
                    log.add("finally ends");
                }
            });
            try (gen) {
                for (int x : gen) {
                    if (x == 3) {
                        break;
                    }
                }
                log.add("loop left");
            }
            log.add("closed at " + Asyncio.getRunningLoop().time());
            assertEquals(List.of("loop left", "finally begins", "finally ends", "closed at 2.0"), log);
            assertTrue(gen.isFinished());
            gen.aclose(); // idempotent
            assertFalse(gen.hasNext());
        });
    }

    @Test
    void theProducerSeesGeneratorExitAndMayReturnQuietly() {
        virtual(() -> {
            List<String> log = new ArrayList<>();
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                try {
                    out.emit(1);
                } catch (GeneratorExit e) {
                    log.add("closed: " + e.getMessage());
                }
            });
            assertEquals(1, gen.next());
            gen.aclose();
            assertEquals(List.of("closed: the async generator was closed"), log);
        });
    }

    @Test
    void aProducerThatEmitsAfterBeingClosedMakesAcloseFail() {
        virtual(() -> {
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                try {
                    out.emit(1);
                } catch (GeneratorExit e) {
                    out.emit(2); // Python: "async generator ignored GeneratorExit"
                }
            });
            assertEquals(1, gen.next());
            IllegalStateException e = assertThrows(IllegalStateException.class, gen::aclose);
            assertTrue(e.getMessage().contains("ignored aclose()"), e.getMessage());
            assertTrue(gen.isFinished());
        });
    }

    @Test
    void closingAGeneratorThatNeverStartedRunsNothing() {
        virtual(() -> {
            AtomicBoolean ran = new AtomicBoolean();
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> ran.set(true));
            gen.aclose();
            assertTrue(gen.isFinished());
            assertFalse(gen.hasNext());
            assertFalse(ran.get());
        });
    }

    @Test
    void theProducersFailureComesOutOnceThenItHasFinished() {
        virtual(() -> {
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                out.emit(1);
                throw new java.io.IOException("source broke");
            });
            assertEquals(1, gen.next());
            java.io.IOException e = assertThrows(java.io.IOException.class, gen::hasNext);
            assertEquals("source broke", e.getMessage());
            assertFalse(gen.hasNext());
            gen.aclose();
        });
    }

    @Test
    void cancellingTheConsumerCancelsTheProducerAndWaitsForItsCleanup() {
        virtual(() -> {
            List<String> log = new ArrayList<>();
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                try {
                    out.emit(1);
                    Asyncio.sleep(100); // slow source
                    out.emit(2);
                } catch (CancelledError e) {
                    log.add("producer cancelled");
                    throw e;
                } finally {
                    Asyncio.sleep(1);
                    log.add("producer cleaned up");
                }
            });
            Task<Integer> consumer = Asyncio.createTask(() -> {
                gen.next();
                try {
                    return gen.next();
                } catch (CancelledError e) {
                    log.add("consumer cancelled");
                    throw e;
                }
            });
            Asyncio.sleep(10);
            consumer.cancel();
            assertThrows(CancelledError.class, consumer::await);
            assertEquals(List.of("producer cancelled", "producer cleaned up", "consumer cancelled"), log);
            assertEquals(11.0, Asyncio.getRunningLoop().time());
            assertTrue(gen.isFinished());
        });
    }

    @Test
    void aTimeoutAroundAStepEndsTheGenerator() {
        virtual(() -> {
            AtomicBoolean cleaned = new AtomicBoolean();
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                try {
                    Asyncio.sleep(60);
                    out.emit(1);
                } finally {
                    cleaned.set(true);
                }
            });
            assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(5).run(() -> gen.next()));
            assertTrue(cleaned.get());
            assertTrue(gen.isFinished());
        });
    }

    @Test
    void theProducerSharesTheConsumersContext() {
        virtual(() -> {
            ContextVar<String> user = new ContextVar<>("user");
            ContextVar<String> seen = new ContextVar<>("seen");
            user.set("alice");
            AsyncGenerator<String> gen = AsyncGenerator.of(out -> {
                out.emit(user.get());
                seen.set("by the producer");
                out.emit(user.get());
            });
            assertEquals("alice", gen.next());
            user.set("bob");
            assertEquals("bob", gen.next(), "the producer reads the consumer's current values");
            assertEquals("by the producer", seen.get(), "and its sets are the consumer's");
        });
    }

    @Test
    void steppingFromTwoTasksAtOnceIsAnError() {
        virtual(() -> {
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                Asyncio.sleep(1);
                out.emit(1);
            });
            Task<Integer> first = Asyncio.createTask(gen::next);
            Asyncio.sleep(0.5);
            IllegalStateException e = assertThrows(IllegalStateException.class, gen::next);
            assertTrue(e.getMessage().contains("already running"));
            assertThrows(IllegalStateException.class, gen::aclose);
            assertEquals(1, first.await());
        });
    }

    @Test
    void emitFromAnotherTaskAndSteppingOutsideATaskAreErrors() {
        virtual(() -> {
            List<AsyncGenerator.Emitter<Integer>> leaked = new ArrayList<>();
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                leaked.add(out);
                out.emit(1);
            });
            gen.next();
            assertThrows(IllegalStateException.class, () -> leaked.get(0).emit(2));
            gen.aclose();
        });
        AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> out.emit(1));
        assertThrows(IllegalStateException.class, gen::hasNext);
        assertThrows(NullPointerException.class, () -> AsyncGenerator.of(null));
    }

    @Test
    void theProducerIsLeftOutOfAllTasksButShownInDumps() {
        virtual(() -> {
            AsyncGenerator<Integer> gen = AsyncGenerator.of("ticker", out -> out.emit(1));
            gen.next();
            assertEquals(1, Asyncio.allTasks().size(), "only the main task");
            String tree = Asyncio.getRunningLoop().dumpTasks().tree();
            assertTrue(tree.contains("ticker") && tree.contains("AsyncGenerator.emit"), tree);
            gen.aclose();
        });
    }

    @Test
    void runClosesAGeneratorLeftOpenAndDebugModeReportsWhereItWasMade() {
        List<ExceptionContext> reports = new ArrayList<>();
        List<String> log = new ArrayList<>();
        Asyncio.run(EventLoop.builder().clock(new VirtualClock()).debug(true), () -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> reports.add(ctx));
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                try {
                    out.emit(1);
                    out.emit(2);
                } finally {
                    Asyncio.sleep(1);
                    log.add("closed at shutdown");
                }
            });
            gen.next(); // and never closed
            return null;
        });
        assertEquals(List.of("closed at shutdown"), log);
        assertEquals(1, reports.size(), reports.toString());
        ExceptionContext r = reports.get(0);
        assertTrue(r.message().contains("not closed before the loop shut down"), r.message());
        assertTrue(String.valueOf(r.extras().get("created at")).contains("AsyncGeneratorTest"), r.toString());
    }

    @Test
    void withoutDebugModeShutdownClosesSilently() {
        List<ExceptionContext> reports = new ArrayList<>();
        AtomicBoolean closed = new AtomicBoolean();
        virtual(() -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> reports.add(ctx));
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                try {
                    out.emit(1);
                } finally {
                    closed.set(true);
                }
            });
            gen.next();
        });
        assertTrue(closed.get());
        assertEquals(List.of(), reports);
    }

    @Test
    void aFailureWhileClosingAtShutdownGoesToTheExceptionHandler() {
        List<ExceptionContext> reports = new ArrayList<>();
        virtual(() -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> reports.add(ctx));
            AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
                try {
                    out.emit(1);
                } finally {
                    throw new IllegalStateException("cleanup failed");
                }
            });
            gen.next();
        });
        assertEquals(1, reports.size(), reports.toString());
        assertInstanceOf(IllegalStateException.class, reports.get(0).exception());
    }

    @Test
    void aGeneratorCollectedWhileSuspendedIsClosed() {
        AtomicBoolean closed = new AtomicBoolean();
        Asyncio.run(() -> { // the real clock: the collector runs in real time
            startAndDrop(closed);
            for (int i = 0; i < 200 && !closed.get(); i++) {
                System.gc();
                Asyncio.sleep(0.01);
            }
            return null;
        });
        assertTrue(closed.get(), "the producer's finally ran after the generator was collected");
    }

    private static void startAndDrop(AtomicBoolean closed) {
        AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
            try {
                out.emit(1);
                out.emit(2);
            } finally {
                closed.set(true);
            }
        });
        assertEquals(1, gen.next());
    }

    @Test
    void aGeneratorIsBoundToOneLoop() {
        AsyncGenerator<Integer> gen = AsyncGenerator.of(out -> {
            out.emit(1);
            out.emit(2);
        });
        virtual(() -> {
            gen.next();
        });
        assertTrue(gen.isFinished(), "closed when its loop shut down");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> virtual(() -> {
            gen.hasNext();
        }));
        assertTrue(e.getMessage().contains("bound to"));
    }
}
