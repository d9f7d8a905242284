package io.jasyncio.conformance;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPython's Lib/test/test_asyncio/test_futures.py (and the matching test_tasks.py cases). The
 * loops here keep unretrieved failures and report them when they close, so "never retrieved"
 * reports are counted without waiting for the garbage collector.
 */
@Timeout(30)
class FuturesConformanceTest {

    /** test_futures' test_tb_logger_not_called_after_cancel: cancel() gives up on the exception. */
    @Test
    void tbLoggerNotCalledAfterCancel() {
        Conformance.Errors errors = new Conformance.Errors();
        Conformance.run(errors, () -> {
            AsyncFuture<Void> fut = Asyncio.getRunningLoop().createFuture();
            fut.setException(new IOException("nobody looks"));
            assertFalse(fut.cancel());
            assertFalse(fut.isCancelled()); // it keeps its exception
            return null;
        });
        assertEquals(List.of(), errors.all());
    }

    /** test_tasks' test_tb_logger_not_called_after_cancel: the same for a task that failed. */
    @Test
    void tbLoggerNotCalledAfterCancelOfATask() {
        Conformance.Errors errors = new Conformance.Errors();
        Conformance.run(errors, () -> {
            Task<Void> task = Asyncio.createTask(() -> {
                throw new IllegalArgumentException("TypeError");
            });
            Asyncio.sleep(0.05);
            assertTrue(task.isDone());
            assertFalse(task.cancel());
            return null;
        });
        assertEquals(List.of(), errors.all());
    }

    /** The control case: without the cancel(), the failure is reported once. */
    @Test
    void tbLoggerCalledWithoutCancel() {
        Conformance.Errors errors = new Conformance.Errors();
        Conformance.run(errors, () -> {
            AsyncFuture<Void> fut = Asyncio.getRunningLoop().createFuture();
            fut.setException(new IOException("nobody looks"));
            return null;
        });
        assertEquals(1, errors.all().size(), errors.all().toString());
    }
}
