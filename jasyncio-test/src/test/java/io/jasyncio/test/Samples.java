package io.jasyncio.test;

import io.jasyncio.AsyncFuture;
import io.jasyncio.AsyncGenerator;
import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.VirtualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test classes that AsyncioExtensionTest runs through JUnit's engine and checks the outcome of.
 * Not run on their own (the file name does not end in Test).
 */
final class Samples {
    private Samples() {
    }

    static class Passing {
        @AsyncioTest
        void anHourOfSleepIsInstant(EventLoop loop) {
            Asyncio.sleep(3600);
            assertEquals(3600.0, loop.time());
        }

        @AsyncioTest
        @AsyncioSettings(autojump = false)
        void advancingByHand(VirtualClock clock) {
            List<String> seen = new ArrayList<>();
            Task<Void> t = Asyncio.createTask(() -> {
                Asyncio.sleep(10);
                seen.add("woke");
            });
            Asyncio.waitAllTasksBlocked();
            assertEquals(List.of(), seen);
            clock.advance(10);
            Asyncio.waitAllTasksBlocked();
            assertEquals(List.of("woke"), seen);
            t.await();
        }

        @AsyncioTest
        void handlerErrorsTheTestChecksItself(LoopErrors errors) {
            Asyncio.getRunningLoop().callSoon(() -> {
                throw new IllegalStateException("expected");
            });
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            assertEquals(1, errors.all().size());
            errors.clear();
        }

        @AsyncioTest
        @AsyncioSettings(virtualTime = false)
        void realTimeWhenAsked(EventLoop loop) {
            assertTrue(!(loop.clock() instanceof VirtualClock));
            Asyncio.sleep(0.001);
        }
    }

    @ExtendWith(AsyncioExtension.class)
    static class ClassLevel {
        @Test
        void runsOnALoop() {
            assertTrue(Asyncio.currentTask() != null);
        }
    }

    static class LeavesATask {
        @AsyncioTest
        void forgetsItsChild() {
            Asyncio.createTask("forgotten child", () -> Asyncio.sleep(100));
            Asyncio.sleep(0);
        }
    }

    static class NeverRetrieves {
        @AsyncioTest
        void ignoresAFailure() {
            Asyncio.createTask("failing child", () -> {
                throw new IOException("nobody looks at me");
            });
            Asyncio.sleep(0);
        }
    }

    static class HandlerError {
        @AsyncioTest
        void aCallbackThrows() {
            Asyncio.getRunningLoop().callSoon(() -> {
                throw new IllegalStateException("from a callback");
            });
            Asyncio.sleep(0);
        }
    }

    static class LeavesAGenerator {
        @AsyncioTest
        void stepsAndForgets() {
            AsyncGenerator<Integer> numbers = AsyncGenerator.of("numbers", out -> {
                out.emit(1);
                out.emit(2);
            });
            numbers.next();
        }
    }

    static class LeavesAServerOpen {
        @AsyncioTest
        void listensAndForgets() throws Exception {
            io.jasyncio.Asyncio.getRunningLoop().createServer(() -> new io.jasyncio.net.Protocol() { }, "127.0.0.1", 0);
        }
    }

    static class Stuck {
        @AsyncioTest
        void waitsForNothing() {
            AsyncFuture<Void> never = Asyncio.getRunningLoop().createFuture();
            Task<Void> waiter = Asyncio.createTask("waiter", never::await);
            waiter.await();
        }
    }

    static class Hangs {
        @AsyncioTest
        @AsyncioSettings(timeout = 0.5)
        void blocksTheLoop() throws InterruptedException {
            Thread.sleep(60_000);
        }
    }

    static class FailsAnAssertion {
        @AsyncioTest
        void assertsWrongly() {
            Asyncio.sleep(1);
            assertEquals(1, 2, "plainly wrong");
        }
    }
}
