package io.jasyncio.conformance;

import io.jasyncio.AsyncFuture;
import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.InvalidStateException;
import io.jasyncio.Task;
import io.jasyncio.Timeout;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPython's Lib/test/test_asyncio/test_timeouts.py, case by case. */
@org.junit.jupiter.api.Timeout(30)
class TimeoutsConformanceTest {

    /** test_timeout_at_basic: when() is exactly the deadline given. */
    @Test
    void timeoutAtBasic() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Asyncio.sleep(0.123456789); // a clock reading whose seconds do not round-trip through nanoseconds
            double deadline = loop.time() + 0.01;
            Timeout cm = Asyncio.timeoutAt(deadline);
            assertThrows(AsyncTimeoutException.class, () -> cm.run(() -> Asyncio.sleep(10)));
            assertTrue(cm.expired());
            assertEquals(deadline, cm.when(), 0.0);
            for (double d : new double[] {0.1, 1.0 / 3, 12345.678901234567, 0.30000000000000004}) {
                assertEquals(d, Asyncio.timeoutAt(d).when(), 0.0);
            }
        });
    }

    /** test_reschedule: when() follows each reschedule exactly. */
    @Test
    void reschedule() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<Timeout> fut = loop.createFuture();
            double deadline1 = loop.time() + 10.1;
            double deadline2 = deadline1 + 20.3;
            Task<Void> task = Asyncio.createTask(() -> {
                Timeout cm = Asyncio.timeoutAt(deadline1);
                cm.run(() -> {
                    fut.setResult(cm);
                    Asyncio.sleep(50);
                });
            });
            Timeout cm = fut.await();
            assertEquals(deadline1, cm.when(), 0.0);
            cm.reschedule(deadline2);
            assertEquals(deadline2, cm.when(), 0.0);
            cm.reschedule(Double.POSITIVE_INFINITY);
            assertEquals(Double.POSITIVE_INFINITY, cm.when());
            task.cancel();
            assertThrows(CancelledError.class, task::await);
            assertFalse(cm.expired());
        });
    }

    /** test_timeout_not_entered: a scope not entered yet cannot be rescheduled. */
    @Test
    void timeoutNotEntered() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeout(0.01);
            InvalidStateException e = assertThrows(InvalidStateException.class, () -> cm.reschedule(0.02));
            assertTrue(e.getMessage().contains("has not been entered"), e.getMessage());
        });
    }

    /** test_timeout_without_task: entering outside a task fails and leaves the scope not entered. */
    @Test
    void timeoutWithoutTask() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<String[]> out = loop.createFuture();
            loop.callSoon(() -> {
                Timeout cm = Asyncio.timeout(0.01);
                IllegalStateException entered = assertThrows(IllegalStateException.class, () -> cm.run(() -> null));
                InvalidStateException rescheduled = assertThrows(InvalidStateException.class, () -> cm.reschedule(0.02));
                out.setResult(new String[] {entered.getMessage(), rescheduled.getMessage()});
            });
            String[] messages = out.await();
            assertTrue(messages[0].contains("task"), messages[0]);
            assertTrue(messages[1].contains("has not been entered"), messages[1]);
        });
    }

    /** test_timeout_finished. */
    @Test
    void timeoutFinished() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeout(0.01);
            cm.run(() -> null);
            InvalidStateException e = assertThrows(InvalidStateException.class, () -> cm.reschedule(0.02));
            assertTrue(e.getMessage().contains("exited"), e.getMessage());
        });
    }

    /** test_timeout_expired. */
    @Test
    void timeoutExpired() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeout(0.01);
            assertThrows(AsyncTimeoutException.class, () -> cm.run(() -> Asyncio.sleep(1)));
            InvalidStateException e = assertThrows(InvalidStateException.class, () -> cm.reschedule(0.02));
            assertTrue(e.getMessage().contains("expired"), e.getMessage());
        });
    }

    /** test_timeout_expiring. */
    @Test
    void timeoutExpiring() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeout(0.01);
            cm.run(() -> {
                assertThrows(CancelledError.class, () -> Asyncio.sleep(1));
                InvalidStateException e = assertThrows(InvalidStateException.class, () -> cm.reschedule(0.02));
                assertTrue(e.getMessage().contains("expiring"), e.getMessage());
            });
        });
    }

    /** test_timeout_already_entered / test_timeout_double_enter. */
    @Test
    void timeoutDoubleEnter() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeout(0.01);
            cm.run(() -> {
                InvalidStateException e = assertThrows(InvalidStateException.class, () -> cm.run(() -> null));
                assertTrue(e.getMessage().contains("has already been entered"), e.getMessage());
            });
            assertThrows(InvalidStateException.class, () -> cm.run(() -> null));
        });
    }
}
