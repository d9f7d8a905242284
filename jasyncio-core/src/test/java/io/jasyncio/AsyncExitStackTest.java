package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AsyncExitStack: reverse order, every close runs, try-with-resources' exception rules. */
class AsyncExitStackTest {

    record Res(String name, List<String> log, RuntimeException failure) implements AutoCloseable {
        @Override
        public void close() {
            Asyncio.sleep(1); // a close that awaits
            log.add("close " + name);
            if (failure != null) {
                throw failure;
            }
        }
    }

    @Test
    void closesInReverseOrderAndCloseMayAwait() throws Exception {
        AsyncGeneratorTest.virtual(() -> {
            List<String> log = new ArrayList<>();
            try (AsyncExitStack stack = new AsyncExitStack()) {
                for (String n : List.of("a", "b", "c")) {
                    Res r = stack.enter(new Res(n, log, null));
                    assertEquals(n, r.name());
                }
                StringBuilder plain = stack.enter(new StringBuilder("d"), sb -> log.add("close " + sb));
                assertEquals("d", plain.toString());
                stack.callback(() -> log.add("callback"));
                assertEquals(5, stack.size());
            }
            assertEquals(List.of("callback", "close d", "close c", "close b", "close a"), log);
            assertEquals(3.0, Asyncio.getRunningLoop().time());
        });
    }

    @Test
    void everyCloseRunsAndTheFirstFailureCarriesTheOthers() {
        AsyncGeneratorTest.virtual(() -> {
            List<String> log = new ArrayList<>();
            IllegalStateException a = new IllegalStateException("a failed");
            IllegalStateException c = new IllegalStateException("c failed");
            AsyncExitStack stack = new AsyncExitStack();
            stack.enter(new Res("a", log, a));
            stack.enter(new Res("b", log, null));
            stack.enter(new Res("c", log, c));
            IllegalStateException thrown = assertThrows(IllegalStateException.class, stack::close);
            assertSame(c, thrown, "the last entered closes first; its failure is primary");
            assertArrayEquals(new Throwable[] {a}, thrown.getSuppressed());
            assertEquals(List.of("close c", "close b", "close a"), log);
            assertEquals(0, stack.size());
        });
    }

    @Test
    void aFailingBodyKeepsItsExceptionAndGetsTheClosesSuppressed() {
        AsyncGeneratorTest.virtual(() -> {
            List<String> log = new ArrayList<>();
            IllegalStateException closeFailure = new IllegalStateException("close failed");
            IllegalArgumentException body = assertThrows(IllegalArgumentException.class, () -> {
                try (AsyncExitStack stack = new AsyncExitStack()) {
                    stack.enter(new Res("a", log, closeFailure));
                    throw new IllegalArgumentException("body failed");
                }
            });
            assertArrayEquals(new Throwable[] {closeFailure}, body.getSuppressed());
            assertEquals(List.of("close a"), log);
        });
    }

    @Test
    void aCancellationWhileClosingStillClosesTheRestThenPropagates() {
        AsyncGeneratorTest.virtual(() -> {
            List<String> log = new ArrayList<>();
            Task<Void> t = Asyncio.createTask(() -> {
                try (AsyncExitStack stack = new AsyncExitStack()) {
                    stack.enter(new Res("a", log, null));
                    stack.callback(() -> {
                        try {
                            Asyncio.sleep(10);
                        } finally {
                            log.add("slow close interrupted");
                        }
                    });
                }
            });
            Asyncio.sleep(5);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertEquals(List.of("slow close interrupted", "close a"), log);
        });
    }

    @Test
    void popAllHandsTheClosesOver() throws Exception {
        AsyncGeneratorTest.virtual(() -> {
            List<String> log = new ArrayList<>();
            AsyncExitStack kept;
            try (AsyncExitStack stack = new AsyncExitStack()) {
                stack.enter(new Res("a", log, null));
                kept = stack.popAll();
            }
            assertEquals(List.of(), log, "nothing closed: ownership moved");
            assertEquals(1, kept.size());
            kept.close();
            assertEquals(List.of("close a"), log);
            assertThrows(NullPointerException.class, () -> kept.enter(null));
            assertTrue(kept.size() == 0);
        });
    }
}
