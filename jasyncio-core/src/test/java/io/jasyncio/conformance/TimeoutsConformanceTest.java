package io.jasyncio.conformance;

import io.jasyncio.AsyncFuture;
import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.InvalidStateException;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import io.jasyncio.ExceptionGroup;
import io.jasyncio.Timeout;
import io.jasyncio.VirtualClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPython's Lib/test/test_asyncio/test_timeouts.py, case by case. A blocking {@code time.sleep}
 * in a task is mirrored by moving the virtual clock by hand, which is what a loop blocked for that
 * long sees. Python's implicit exception context ({@code __context__}) has no Java counterpart:
 * where a case checks both {@code __cause__} and {@code __context__}, the cause is checked, and a
 * timeout that overtook a foreign exception is recorded as a suppressed
 * {@link AsyncTimeoutException} on it (where CPython inserts a {@code TimeoutError} into its
 * context chain).
 *
 * <p>Cases not ported: {@code test_repr_active}, {@code test_repr_expired},
 * {@code test_repr_finished}, {@code test_repr_disabled} ({@code __repr__} formats);
 * {@code test_timeout_already_entered} is {@link #timeoutDoubleEnter}.
 */
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

    /** test_timeout_basic. */
    @Test
    void timeoutBasic() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeout(0.01);
            assertThrows(AsyncTimeoutException.class, () -> cm.run(() -> Asyncio.sleep(10)));
            assertTrue(cm.expired());
        });
    }

    /** test_nested_timeouts: two scopes with one deadline; only the outer one raises. */
    @Test
    void nestedTimeouts() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            boolean[] cancelled = {false};
            double deadline = loop.time() + 0.01;
            Timeout cm1 = Asyncio.timeoutAt(deadline);
            Timeout cm2 = Asyncio.timeoutAt(deadline);
            assertThrows(AsyncTimeoutException.class, () -> cm1.run(() -> {
                try {
                    cm2.run(() -> Asyncio.sleep(10));
                } catch (CancelledError e) {
                    cancelled[0] = true;
                    throw e;
                }
            }));
            assertTrue(cancelled[0]);
            assertTrue(cm1.expired());
            assertTrue(cm2.expired());
        });
    }

    /** test_waiter_cancelled. */
    @Test
    void waiterCancelled() {
        Conformance.run(() -> {
            boolean[] cancelled = {false};
            assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(0.01).run(() -> {
                try {
                    Asyncio.sleep(10);
                } catch (CancelledError e) {
                    cancelled[0] = true;
                    throw e;
                }
            }));
            assertTrue(cancelled[0]);
        });
    }

    /** test_timeout_not_called. */
    @Test
    void timeoutNotCalled() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Timeout cm = Asyncio.timeout(10);
            cm.run(() -> Asyncio.sleep(0.01));
            double t1 = loop.time();
            assertFalse(cm.expired());
            assertTrue(cm.when() > t1);
        });
    }

    /** test_timeout_disabled: asyncio's None is +Infinity. */
    @Test
    void timeoutDisabled() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeout(Double.POSITIVE_INFINITY);
            cm.run(() -> Asyncio.sleep(0.01));
            assertFalse(cm.expired());
            assertEquals(Double.POSITIVE_INFINITY, cm.when());
        });
    }

    /** test_timeout_at_disabled. */
    @Test
    void timeoutAtDisabled() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeoutAt(Double.POSITIVE_INFINITY);
            cm.run(() -> Asyncio.sleep(0.01));
            assertFalse(cm.expired());
            assertEquals(Double.POSITIVE_INFINITY, cm.when());
        });
    }

    /** test_timeout_zero. */
    @Test
    void timeoutZero() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Timeout cm = Asyncio.timeout(0);
            assertThrows(AsyncTimeoutException.class, () -> cm.run(() -> Asyncio.sleep(10)));
            double t1 = loop.time();
            assertTrue(cm.expired());
            assertTrue(t0 <= cm.when() && cm.when() <= t1);
        });
    }

    /** test_timeout_zero_sleep_zero. */
    @Test
    void timeoutZeroSleepZero() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Timeout cm = Asyncio.timeout(0);
            assertThrows(AsyncTimeoutException.class, () -> cm.run(() -> Asyncio.sleep(0)));
            double t1 = loop.time();
            assertTrue(cm.expired());
            assertTrue(t0 <= cm.when() && cm.when() <= t1);
        });
    }

    /**
     * test_timeout_in_the_past_sleep_zero. A negative relative timeout is rejected
     * (docs/differences.md, "Negative and NaN delays and timeouts are rejected"); a deadline in
     * the past, which is what asyncio makes of it, expires as in asyncio.
     */
    @Test
    void timeoutInThePastSleepZero() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertThrows(IllegalArgumentException.class, () -> Asyncio.timeout(-11));
            double t0 = loop.time();
            Timeout cm = Asyncio.timeoutAt(t0 - 11);
            assertThrows(AsyncTimeoutException.class, () -> cm.run(() -> Asyncio.sleep(0)));
            double t1 = loop.time();
            assertTrue(cm.expired());
            assertTrue(t0 >= cm.when() && cm.when() <= t1);
        });
    }

    /** test_foreign_exception_passed. */
    @Test
    void foreignExceptionPassed() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeout(0.01);
            assertThrows(java.util.NoSuchElementException.class, () -> cm.run(() -> {
                throw new java.util.NoSuchElementException("KeyError");
            }));
            assertFalse(cm.expired());
        });
    }

    /** test_timeout_exception_context: the TimeoutError's cause is the CancelledError, which has none. */
    @Test
    void timeoutExceptionContext() {
        Conformance.run(() -> {
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(0.01).run(() -> {
                try {
                    throw new ArithmeticException("division by zero");
                } finally {
                    Asyncio.sleep(1);
                }
            }));
            CancelledError e2 = assertInstanceOf(CancelledError.class, e.getCause());
            assertNull(e2.getCause());
        });
    }

    /** test_foreign_exception_on_timeout: the foreign error wins and records the timeout. */
    @Test
    void foreignExceptionOnTimeout() {
        Conformance.run(() -> {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> Asyncio.timeout(0.01).run(() -> {
                try {
                    Asyncio.sleep(1);
                } finally {
                    throw new ArithmeticException("division by zero");
                }
            }));
            assertNull(e.getCause());
            assertTimeoutRecorded(e);
        });
    }

    /** test_foreign_exception_on_timeout_2: the last of several foreign errors records it. */
    @Test
    void foreignExceptionOnTimeout2() {
        Conformance.run(() -> {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> Asyncio.timeout(0.01).run(() -> {
                try {
                    try {
                        throw new IllegalArgumentException("ValueError");
                    } finally {
                        Asyncio.sleep(1);
                    }
                } finally {
                    try {
                        throw new java.util.NoSuchElementException("KeyError");
                    } finally {
                        throw new ArithmeticException("division by zero");
                    }
                }
            }));
            assertNull(e.getCause());
            assertTimeoutRecorded(e);
        });
    }

    private static void assertTimeoutRecorded(Throwable e) {
        long timeouts = java.util.Arrays.stream(e.getSuppressed()).filter(s -> s instanceof AsyncTimeoutException).count();
        assertEquals(1, timeouts, "suppressed: " + java.util.Arrays.toString(e.getSuppressed()));
    }

    /** test_foreign_cancel_doesnt_timeout_if_not_expired. */
    @Test
    void foreignCancelDoesntTimeoutIfNotExpired() {
        Conformance.run(() -> {
            Timeout cm = Asyncio.timeout(10);
            assertThrows(CancelledError.class, () -> cm.run(() -> {
                Asyncio.currentTask().cancel();
                Asyncio.sleep(10);
            }));
            assertFalse(cm.expired());
            Asyncio.currentTask().uncancel();
        });
    }

    /** test_outer_task_is_not_cancelled. */
    @Test
    void outerTaskIsNotCancelled() {
        Conformance.run(() -> {
            Task<Void> task = Asyncio.createTask(() -> {
                assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(0.001).run(() -> Asyncio.sleep(10)));
            });
            task.await();
            assertFalse(task.isCancelled());
            assertTrue(task.isDone());
        });
    }

    /** test_nested_timeouts_concurrent: the inner deadline passes while the loop is blocked; it still raises. */
    @Test
    void nestedTimeoutsConcurrent() {
        Conformance.run(() -> {
            VirtualClock clock = (VirtualClock) Asyncio.getRunningLoop().clock();
            Timeout inner = Asyncio.timeout(0.1);
            Timeout outer = Asyncio.timeout(0.002);
            assertThrows(AsyncTimeoutException.class, () -> outer.run(() -> {
                try { // CPython's inner assertRaises(TimeoutError) lets any other exception through
                    inner.run(() -> {
                        clock.advance(0.01); // "crunch some numbers": the loop is blocked for 10 ms
                        Asyncio.sleep(1);
                    });
                } catch (AsyncTimeoutException e) {
                    // what the inner assertRaises would catch
                }
            }));
            assertTrue(outer.expired());
            assertFalse(inner.expired());
        });
    }

    /** test_nested_timeouts_loop_busy: after the inner timeout, the outer one still stops the work. */
    @Test
    void nestedTimeoutsLoopBusy() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            VirtualClock clock = (VirtualClock) loop.clock();
            double t0 = loop.time();
            assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(0.1).run(() -> { // (1)
                try {
                    Asyncio.timeout(0.01).run(() -> { // (2)
                        clock.advance(0.1); // the loop is busy for a while
                        Asyncio.sleep(1);
                    });
                } catch (AsyncTimeoutException e) {
                    // caught by (2): CPython's inner assertRaises lets the CancelledError of (1) through
                }
                Asyncio.sleep(10); // interrupted by (1)
            }));
            double t1 = loop.time();
            assertTrue(t0 <= t1 && t1 <= t0 + 1, t0 + " " + t1);
        });
    }

    /** test_nested_timeout_in_finally: a second scope in the cleanup of an expired one works. */
    @Test
    void nestedTimeoutInFinally() {
        Conformance.run(() -> {
            AsyncTimeoutException[] inner = new AsyncTimeoutException[1];
            AsyncTimeoutException e1 = assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(0.01).run(() -> {
                try {
                    Asyncio.sleep(1);
                } finally {
                    inner[0] = assertThrows(AsyncTimeoutException.class,
                            () -> Asyncio.timeout(0.01).run(() -> Asyncio.sleep(10)));
                }
            }));
            CancelledError e12 = assertInstanceOf(CancelledError.class, e1.getCause());
            assertNull(e12.getCause());
            CancelledError e22 = assertInstanceOf(CancelledError.class, inner[0].getCause());
            assertNull(e22.getCause());
            assertNotSame(e12, e22);
        });
    }

    /** test_timeout_after_cancellation: a timeout in the cleanup after a caught cancellation. */
    @Test
    void timeoutAfterCancellation() {
        Conformance.run(() -> {
            try {
                Asyncio.currentTask().cancel();
                Asyncio.sleep(1); // work which will be cancelled
            } catch (CancelledError e) {
                // swallowed, as in the case
            } finally {
                assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(0.0).run(() -> Asyncio.sleep(1)));
            }
        });
    }

    /** test_cancel_in_timeout_after_cancellation: a cancel inside that cleanup's timeout stays a cancel. */
    @Test
    void cancelInTimeoutAfterCancellation() {
        Conformance.run(() -> {
            try {
                Asyncio.currentTask().cancel();
                Asyncio.sleep(1);
            } catch (CancelledError e) {
                // swallowed
            } finally {
                assertThrows(CancelledError.class, () -> Asyncio.timeout(1.0).run(() -> {
                    Asyncio.currentTask().cancel();
                    Asyncio.sleep(2);
                }));
            }
            while (Asyncio.currentTask().cancelling() > 0) {
                Asyncio.currentTask().uncancel(); // let the test's own bound scope exit normally
            }
        });
    }

    /**
     * test_timeout_taskgroup: a timeout over a task group whose child fails in its cleanup; the
     * group comes out, and the timeout is recorded on it and on its member (CPython inserts it into
     * the context chain of both).
     */
    @Test
    void timeoutTaskgroup() {
        Conformance.run(() -> {
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> Asyncio.timeout(0.01).run(() -> TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    try {
                        Asyncio.sleep(2); // interrupted after 0.01 s
                    } finally {
                        throw new ArithmeticException("division by zero"); // a crash in cleanup
                    }
                });
                try {
                    throw new IllegalArgumentException("ValueError");
                } finally {
                    Asyncio.sleep(1);
                }
            })));
            assertNull(eg.getCause());
            assertTimeoutRecorded(eg);
            assertEquals(1, eg.exceptions().size(), eg.toString());
            ArithmeticException e1 = assertInstanceOf(ArithmeticException.class, eg.exceptions().get(0));
            assertNull(e1.getCause());
            assertTimeoutRecorded(e1);
        });
    }
}
