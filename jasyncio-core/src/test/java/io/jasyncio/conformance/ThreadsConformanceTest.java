package io.jasyncio.conformance;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.ContextVar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * CPython's Lib/test/test_asyncio/test_threads.py, case by case. The functions run on real
 * threads; the loop is on virtual time, which does not jump while they work (no timer is due).
 *
 * <p>Not ported: {@code test_to_thread_args_kwargs}, which checks that {@code to_thread} passes
 * positional and keyword arguments through to the function; a Java lambda captures its
 * arguments, so {@code toThread} takes none.
 */
@Timeout(30)
class ThreadsConformanceTest {

    @Test
    void to_thread() {
        Conformance.run(() -> {
            int result = Asyncio.toThread(() -> IntStream.of(40, 2).sum());
            assertEquals(42, result);
        });
    }

    @Test
    void to_thread_exception() {
        Conformance.run(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Asyncio.toThread(() -> {
                throw new IllegalStateException("test");
            }));
            assertEquals("test", e.getMessage());
        });
    }

    @Test
    void to_thread_once() {
        Conformance.run(() -> {
            AtomicInteger calls = new AtomicInteger();
            Thread[] ranOn = new Thread[1];
            Asyncio.toThread(() -> {
                calls.incrementAndGet();
                ranOn[0] = Thread.currentThread();
            });
            assertEquals(1, calls.get());
            assertNotSame(Thread.currentThread(), ranOn[0]); // it really ran off the loop
        });
    }

    /** test_to_thread_concurrent: ten calls started together, then gathered. */
    @Test
    void to_thread_concurrent() {
        Conformance.run(() -> {
            AtomicInteger calls = new AtomicInteger();
            List<AsyncFuture<Void>> futs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futs.add(Asyncio.createTask(() -> Asyncio.toThread(() -> {
                    calls.incrementAndGet();
                })));
            }
            Asyncio.gather(futs).await();
            assertEquals(10, calls.get());
        });
    }

    /** test_to_thread_contextvars: the function runs in a copy of the caller's context. */
    @Test
    void to_thread_contextvars() {
        ContextVar<String> testCtx = new ContextVar<>("test_ctx");
        Conformance.run(() -> {
            testCtx.set("parrot");
            String result = Asyncio.toThread(() -> testCtx.get());
            assertEquals("parrot", result);
        });
    }
}
