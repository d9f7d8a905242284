package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio's "Task exception was never retrieved": reported when the failed task is collected. */
class UnretrievedExceptionTest {

    @Test
    void aFailedTaskNobodyAwaitedIsReported() {
        Loops.Errors errors = new Loops.Errors();
        IOException boom = new IOException("fire and forget failed");
        Loops.runRealTime(errors, () -> {
            Asyncio.createTask(() -> {
                throw boom;
            });
            Asyncio.sleep(0);
            for (int i = 0; i < 200 && errors.all().isEmpty(); i++) {
                System.gc();
                Asyncio.sleep(0.01);
            }
            return null;
        });
        List<ExceptionContext> got = errors.all();
        assertEquals(1, got.size(), got.toString());
        assertEquals("Task exception was never retrieved", got.get(0).message());
        assertEquals(boom, got.get(0).exception());
        assertTrue(String.valueOf(got.get(0).extras().get("task")).contains("fire and forget failed"));
    }

    @Test
    void aRetrievedExceptionIsNotReported() {
        Loops.Errors errors = new Loops.Errors();
        Loops.runRealTime(errors, () -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Task<Void> t = Asyncio.createTask(() -> {
                throw new IOException("seen");
            });
            Asyncio.sleep(0);
            t.exception();
            AsyncFuture<Void> f = loop.createFuture();
            f.setException(new IOException("seen too"));
            try {
                f.result();
            } catch (Exception expected) {
                // retrieved
            }
            t = null;
            f = null;
            for (int i = 0; i < 20; i++) {
                System.gc();
                Asyncio.sleep(0.005);
            }
            return null;
        });
        assertEquals(List.of(), errors.all());
    }
}
