package io.jasyncio.conformance;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.Context;
import io.jasyncio.ContextVar;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.Runner;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import io.jasyncio.VirtualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPython's Lib/test/test_asyncio/test_tasks.py (and the eager factory's), case by case. */
@Timeout(30)
class TasksConformanceTest {

    /** test_cancel_with_message_then_future_result: the original cancellation, no wrapper. */
    @Test
    void cancelWithMessageThenFutureResult() {
        for (String message : Arrays.asList(null, "my message")) {
            CancelledError e = assertThrows(CancelledError.class, () -> Conformance.run(() -> {
                Task<Void> task = Asyncio.createTask(() -> Asyncio.sleep(10));
                Asyncio.sleep(0);
                task.cancel(message);
                Asyncio.wait(List.of(task));
                task.result();
                return null;
            }));
            assertEquals(message, e.getMessage());
            assertEquals(0, Conformance.causeDepth(e), "cause chain: " + e.getCause());
        }
    }

    /** test_cancel_with_message_then_future_exception: exception() raises it the same way. */
    @Test
    void cancelWithMessageThenFutureException() {
        for (String message : Arrays.asList(null, "my message")) {
            CancelledError e = assertThrows(CancelledError.class, () -> Conformance.run(() -> {
                Task<Void> task = Asyncio.createTask(() -> Asyncio.sleep(10));
                Asyncio.sleep(0);
                task.cancel(message);
                Asyncio.wait(List.of(task));
                task.exception();
                return null;
            }));
            assertEquals(message, e.getMessage());
            assertEquals(0, Conformance.causeDepth(e), "cause chain: " + e.getCause());
        }
    }

    /** test_cancel_gather_2's chain check, through two awaits of tasks: still the original error. */
    @Test
    void cancelledErrorThroughAwaitedTasksIsTheOriginal() {
        Conformance.run(() -> {
            Task<Void> inner = Asyncio.createTask(() -> Asyncio.sleep(10));
            Task<Void> middle = Asyncio.createTask(() -> {
                inner.await();
            });
            Asyncio.sleep(0);
            inner.cancel("stop");
            CancelledError viaMiddle = assertThrows(CancelledError.class, middle::await);
            CancelledError viaInner = assertThrows(CancelledError.class, inner::await);
            assertEquals("stop", viaMiddle.getMessage());
            assertSame(viaInner, viaMiddle);
            assertNull(viaMiddle.getCause());
        });
    }

    /** test_shield_cancel_outer_result: a result nobody sees is not reported. */
    @Test
    void shieldCancelOuterResult() {
        Conformance.Errors errors = new Conformance.Errors();
        Conformance.run(errors, () -> {
            AsyncFuture<Integer> inner = Asyncio.getRunningLoop().createFuture();
            AsyncFuture<Integer> outer = Asyncio.shield(inner);
            Asyncio.sleep(0);
            outer.cancel();
            Asyncio.sleep(0);
            inner.setResult(1);
            Asyncio.sleep(0);
            return null;
        });
        assertEquals(List.of(), errors.all());
    }

    /** test_shield_cancel_outer_exception: the inner's failure after the outer was cancelled is reported. */
    @Test
    void shieldCancelOuterException() {
        Conformance.Errors errors = new Conformance.Errors();
        Conformance.run(errors, () -> {
            AsyncFuture<Integer> inner = Asyncio.getRunningLoop().createFuture();
            AsyncFuture<Integer> outer = Asyncio.shield(inner);
            Asyncio.sleep(0);
            outer.cancel();
            Asyncio.sleep(0);
            inner.setException(new IOException("foo"));
            Asyncio.sleep(0);
            return null;
        });
        assertOneNeverRetrieved(errors, "foo");
    }

    /** test_shield_duplicate_log_once: two cancelled shields over one failing inner, one report. */
    @Test
    void shieldDuplicateLogOnce() {
        Conformance.Errors errors = new Conformance.Errors();
        Conformance.run(errors, () -> {
            AsyncFuture<Integer> inner = Asyncio.getRunningLoop().createFuture();
            AsyncFuture<Integer> outer = Asyncio.shield(inner);
            Asyncio.sleep(0);
            outer.cancel();
            Asyncio.sleep(0);
            outer = Asyncio.shield(inner);
            Asyncio.sleep(0);
            outer.cancel();
            Asyncio.sleep(0);
            inner.setException(new IOException("foo"));
            Asyncio.sleep(0);
            return null;
        });
        assertOneNeverRetrieved(errors, "foo");
    }

    /**
     * test_shield_cancel_outer_exception with a task inside: the awaiting task is cancelled in the
     * same iteration as the shielded task fails; the failure is still reported, once.
     */
    @Test
    void shieldCancelOuterExceptionOfATaskFailingInTheSameIteration() {
        Conformance.Errors errors = new Conformance.Errors();
        Conformance.run(errors, () -> {
            AsyncFuture<Void> go = Asyncio.getRunningLoop().createFuture();
            Task<Void> inner = Asyncio.createTask(() -> {
                go.await();
                throw new IOException("foo");
            });
            Task<Void> waiter = Asyncio.createTask(() -> {
                Asyncio.shield(inner).await();
            });
            Asyncio.sleep(0);
            go.setResult(null);   // the inner fails on the next iteration...
            waiter.cancel();      // ...as the outer's cancellation is being delivered
            assertThrows(CancelledError.class, waiter::await);
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            return null;
        });
        assertOneNeverRetrieved(errors, "foo");
    }

    private static void assertOneNeverRetrieved(Conformance.Errors errors, String message) {
        List<ExceptionContext> got = errors.all();
        assertEquals(1, got.size(), got.toString());
        assertTrue(got.get(0).message().endsWith("exception was never retrieved"), got.toString());
        assertEquals(message, got.get(0).exception().getMessage());
    }

    /** test_as_completed_resume_iterator: a second for-each continues where the first stopped. */
    @Test
    void asCompletedResumeIterator() {
        Conformance.run(() -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                int n = i;
                tasks.add(Asyncio.createTask(() -> Asyncio.sleep(n * 0.01, n)));
            }
            Iterable<Task<Integer>> iterator = Asyncio.asCompleted(tasks);
            List<Integer> collected = new ArrayList<>();
            for (Task<Integer> f : iterator) {
                collected.add(f.await());
                if (collected.size() == 2) {
                    break;
                }
            }
            assertEquals(2, collected.size());
            for (Task<Integer> f : iterator) {
                collected.add(f.await());
            }
            assertEquals(List.of(1, 2, 3, 4), collected);
        });
    }

    /** test_context_5: a task created with context= runs in that context itself. */
    @Test
    void context5() {
        ContextVar<Integer> cvar = new ContextVar<>("cvar", 0);
        List<Integer> ret = Conformance.run(() -> {
            List<Integer> r = new ArrayList<>();
            Context ctx = Context.copyCurrent();
            r.add(ctx.get(cvar));
            Task<Void> t1 = Asyncio.createTask(ctx, () -> {
                Asyncio.sleep(0);
                cvar.set(1);
            });
            t1.await();
            r.add(ctx.get(cvar));
            assertSame(ctx, t1.getContext());
            Task<Void> t2 = Asyncio.createTask(ctx, () -> {
                Asyncio.sleep(0);
                cvar.set(2);
            });
            t2.await();
            r.add(ctx.get(cvar));
            assertEquals(0, cvar.get()); // the caller's own context is untouched
            return r;
        });
        assertEquals(Arrays.asList(null, 1, 2), ret);
    }
}
