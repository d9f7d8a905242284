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
import io.jasyncio.ReturnWhen;
import io.jasyncio.VirtualClock;
import io.jasyncio.WaitResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;
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

    // ------------------------------------------------------------------ BaseTaskTests

    private static <T> AsyncFuture<T> newFuture() {
        return Asyncio.getRunningLoop().createFuture();
    }

    @Test
    void task_cancel_message_getter() {
        CancelledError e = assertThrows(CancelledError.class, () -> Conformance.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> {
            });
            t.cancel("my message");
            t.await();
        }));
        assertEquals("my message", e.getMessage());
    }

    /** test_other_loop_future: a task cannot await another loop's future; the error says so. */
    @Test
    void other_loop_future() {
        EventLoop other = EventLoop.newEventLoop();
        try {
            AsyncFuture<Void> fut = other.createFuture();
            Conformance.run(() -> {
                IllegalStateException e = assertThrows(IllegalStateException.class, fut::await);
                assertTrue(e.getMessage().contains("belongs to one loop"), e.getMessage());
            });
        } finally {
            other.close();
        }
    }

    @Test
    void task_awaits_on_itself() {
        Conformance.run(() -> {
            Task<?>[] task = new Task<?>[1];
            task[0] = Asyncio.createTask(() -> {
                task[0].await();
                return null;
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, task[0]::await);
            assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("itself"), e.getMessage());
        });
    }

    @Test
    void task_class() {
        Conformance.run(() -> {
            Task<String> t = Asyncio.createTask(() -> "ok");
            t.await();
            assertTrue(t.isDone());
            assertEquals("ok", t.result());
            assertSame(Asyncio.getRunningLoop(), t.getLoop());
        });
    }

    @Test
    void ensure_future_coroutine() {
        assertThrows(IllegalStateException.class, () -> Asyncio.ensureFuture(() -> "ok")); // no running loop
        Conformance.run(() -> {
            AsyncFuture<String> t = Asyncio.ensureFuture(() -> "ok");
            assertSame(Asyncio.getRunningLoop(), t.getLoop());
            assertEquals("ok", t.await());
            assertTrue(t.isDone());
        });
    }

    @Test
    void ensure_future_future() {
        Conformance.run(() -> {
            AsyncFuture<String> fOrig = newFuture();
            fOrig.setResult("ko");
            AsyncFuture<String> f = Asyncio.ensureFuture(fOrig);
            assertEquals("ko", f.await());
            assertSame(fOrig, f);
        });
    }

    @Test
    void ensure_future_task() {
        Conformance.run(() -> {
            Task<String> tOrig = Asyncio.createTask(() -> "ok");
            AsyncFuture<String> t = Asyncio.ensureFuture(tOrig);
            assertEquals("ok", t.await());
            assertSame(tOrig, t);
        });
    }

    /** test_get_stack: a running task's stack shows the frames of its body, innermost first. */
    @Test
    void get_stack() {
        Conformance.run(() -> {
            Task<?>[] t = new Task<?>[1];
            t[0] = Asyncio.createTask(() -> {
                stackFoo(t);
                return null;
            });
            t[0].await();
        });
    }

    private static void stackFoo(Task<?>[] t) {
        stackBar(t);
    }

    private static void stackBar(Task<?>[] t) {
        List<StackTraceElement> frames = t[0].getStack();
        assertTrue(frames.stream().anyMatch(f -> f.getMethodName().equals("stackFoo")), frames.toString());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        t[0].printStack(new java.io.PrintStream(out, true));
        assertTrue(out.toString().contains("stackFoo"), out.toString());
    }

    /** test_task_repr_autogenerated's naming half: Task-N, increasing. */
    @Test
    void task_repr_autogenerated() {
        Conformance.run(() -> {
            Task<Integer> t1 = Asyncio.createTask(() -> 123);
            Task<Integer> t2 = Asyncio.createTask(() -> 123);
            java.util.regex.Matcher m1 = java.util.regex.Pattern.compile("Task-(\\d+)").matcher(t1.getName());
            java.util.regex.Matcher m2 = java.util.regex.Pattern.compile("Task-(\\d+)").matcher(t2.getName());
            assertTrue(m1.matches(), t1.getName());
            assertTrue(m2.matches(), t2.getName());
            assertTrue(Long.parseLong(m1.group(1)) < Long.parseLong(m2.group(1)));
            t1.await();
            t2.await();
        });
    }

    @Test
    void task_basics() {
        assertEquals(1042, Conformance.run(() -> {
            int a = Asyncio.createTask(() -> 42).await();
            int b = Asyncio.createTask(() -> 1000).await();
            return a + b;
        }));
    }

    @Test
    void cancelling() {
        Conformance.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> Asyncio.sleep(10));
            assertEquals(0, t.cancelling());
            assertTrue(t.cancel());
            assertEquals(1, t.cancelling());
            assertTrue(t.cancel()); // CPython: a second request is counted and returns True too
            assertEquals(2, t.cancelling());
            assertThrows(CancelledError.class, t::await);
        });
    }

    @Test
    void uncancel_basic() {
        Conformance.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(10);
                } catch (CancelledError e) {
                    Asyncio.currentTask().uncancel();
                    Asyncio.sleep(10);
                }
            });
            Asyncio.sleep(0.01);
            assertTrue(t.cancel()); // cancel the first sleep
            assertEquals(1, t.cancelling());
            assertFalse(t.isCancelled());
            Asyncio.sleep(0.01);
            assertEquals(0, t.cancelling()); // after uncancel()
            assertFalse(t.isCancelled());
            assertTrue(t.cancel()); // cancel the second sleep
            assertEquals(1, t.cancelling());
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isCancelled());
            t.uncancel(); // no effect once the task is done
            assertTrue(t.isCancelled());
            assertTrue(t.isDone());
        });
    }

    /** test_uncancel_structured_blocks: a hand-made timeout with call_later, cancel and uncancel. */
    @Test
    void uncancel_structured_blocks() {
        Conformance.run(() -> {
            Task<boolean[]> t1 = Asyncio.createTask(() -> makeRequestWithTimeout(10.0, 0.1));
            boolean[] r1 = t1.await();
            assertTrue(r1[0]);  // timed out
            assertFalse(r1[1]); // the structured block was cancelled
            assertTrue(r1[2]);  // the outer code ran
            assertEquals(0, t1.cancelling());
            Task<boolean[]> t2 = Asyncio.createTask(() -> makeRequestWithTimeout(0, 10.0));
            boolean[] r2 = t2.await();
            assertFalse(r2[0]);
            assertTrue(r2[1]);
            assertTrue(r2[2]);
            assertEquals(0, t2.cancelling());
        });
    }

    private static boolean[] makeRequestWithTimeout(double sleep, double timeout) {
        Task<?> task = Asyncio.currentTask();
        boolean[] timedOut = {false};
        boolean structuredBlockFinished = false;
        io.jasyncio.TimerHandle timeoutHandle = Asyncio.getRunningLoop().callLater(timeout, () -> {
            timedOut[0] = true;
            task.cancel();
        });
        try {
            try {
                Asyncio.sleep(sleep);
                structuredBlockFinished = true;
            } catch (CancelledError e) {
                timeoutHandle.cancel();
                if (timedOut[0] && task.uncancel() == 0) {
                    throw new io.jasyncio.AsyncTimeoutException("timeout");
                }
                throw e;
            } finally {
                timeoutHandle.cancel();
            }
        } catch (io.jasyncio.AsyncTimeoutException e) {
            assertTrue(timedOut[0]);
        }
        boolean outerCodeReached = true;
        Asyncio.sleep(0);
        return new boolean[] {timedOut[0], structuredBlockFinished, outerCodeReached};
    }

    /** test_uncancel_resets_must_cancel: a cancel withdrawn before delivery is dropped. */
    @Test
    void uncancel_resets_must_cancel() {
        Conformance.run(() -> {
            AsyncFuture<Void> fut = newFuture();
            Task<Integer> task = Asyncio.createTask(() -> {
                fut.await();
                return 42;
            });
            Asyncio.sleep(0); // the task waits for fut
            fut.setResult(null); // the task is runnable
            task.cancel();
            assertEquals(1, task.cancelling());
            task.uncancel();
            assertEquals(0, task.cancelling());
            assertEquals(42, task.await());
        });
    }

    @Test
    void cancel() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Task<Integer> t = Asyncio.createTask(() -> {
                Asyncio.sleep(10.0);
                return 12;
            });
            loop.callSoon(t::cancel);
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isDone());
            assertTrue(t.isCancelled());
            assertFalse(t.cancel());
            assertTrue(loop.time() < 10.0);
        });
    }

    /** test_cancellation_exception_context: an error raised from a caught cancellation has it as its cause. */
    @Test
    void cancellation_exception_context() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<Void> fut = newFuture();
            Task<Void> innerTask = Asyncio.createTask(() -> {
                fut.setResult(null);
                Asyncio.sleep(10);
            });
            fut.await();
            loop.callSoon(() -> innerTask.cancel("msg"));
            try {
                innerTask.await();
            } catch (CancelledError ex) {
                throw new IllegalArgumentException("cancelled", ex);
            }
        }));
        assertEquals("cancelled", e.getMessage());
        CancelledError cause = assertInstanceOf(CancelledError.class, e.getCause());
        assertEquals("msg", cause.getMessage());
        assertEquals(1, Conformance.causeDepth(e));
    }

    @Test
    void cancel_with_message_before_starting_task() {
        CancelledError e = assertThrows(CancelledError.class, () -> Conformance.run(() -> {
            Task<Void> task = Asyncio.createTask(() -> Asyncio.sleep(10));
            task.cancel("my message"); // deliberately before it ever ran
            Asyncio.wait(List.of(task));
            task.exception();
        }));
        assertEquals("my message", e.getMessage());
        assertEquals(0, Conformance.causeDepth(e));
    }

    @Test
    void cancel_yield() {
        Conformance.run(() -> {
            Task<Integer> t = Asyncio.createTask(() -> {
                Asyncio.sleep(0);
                Asyncio.sleep(0);
                return 12;
            });
            Asyncio.sleep(0); // start it
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isDone());
            assertTrue(t.isCancelled());
            assertFalse(t.cancel());
        });
    }

    @Test
    void cancel_inner_future() {
        Conformance.run(() -> {
            AsyncFuture<Void> f = newFuture();
            Task<Integer> t = Asyncio.createTask(() -> {
                f.await();
                return 12;
            });
            Asyncio.sleep(0);
            f.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(f.isCancelled());
            assertTrue(t.isCancelled());
        });
    }

    @Test
    void cancel_both_task_and_inner_future() {
        Conformance.run(() -> {
            AsyncFuture<Void> f = newFuture();
            Task<Integer> t = Asyncio.createTask(() -> {
                f.await();
                return 12;
            });
            Asyncio.sleep(0);
            f.cancel();
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isDone());
            assertTrue(f.isCancelled());
            assertTrue(t.isCancelled());
        });
    }

    @Test
    void cancel_task_catching() {
        Conformance.run(() -> {
            AsyncFuture<Void> fut1 = newFuture();
            AsyncFuture<Void> fut2 = newFuture();
            Task<Integer> t = Asyncio.createTask(() -> {
                fut1.await();
                try {
                    fut2.await();
                } catch (CancelledError e) {
                    return 42;
                }
                return 0;
            });
            Asyncio.sleep(0);
            fut1.setResult(null);
            Asyncio.sleep(0);
            t.cancel();
            assertTrue(fut2.isCancelled()); // the cancel went to the awaited future at once
            assertEquals(42, t.await());
            assertFalse(t.isCancelled());
        });
    }

    @Test
    void cancel_task_ignoring() {
        Conformance.run(() -> {
            AsyncFuture<Void> fut1 = newFuture();
            AsyncFuture<Void> fut2 = newFuture();
            AsyncFuture<Integer> fut3 = newFuture();
            Task<Integer> t = Asyncio.createTask(() -> {
                fut1.await();
                try {
                    fut2.await();
                } catch (CancelledError e) {
                    // ignored
                }
                return fut3.await();
            });
            Asyncio.sleep(0);
            fut1.setResult(null);
            Asyncio.sleep(0);
            t.cancel();
            assertTrue(fut2.isCancelled());
            Asyncio.sleep(0);
            fut3.setResult(42);
            assertEquals(42, t.await());
            assertFalse(fut3.isCancelled());
            assertFalse(t.isCancelled());
        });
    }

    @Test
    void cancel_current_task() {
        Conformance.run(() -> {
            Task<?>[] t = new Task<?>[1];
            t[0] = Asyncio.createTask(() -> {
                t[0].cancel();
                Asyncio.sleep(100); // cancelled at once
                return 12;
            });
            assertFalse(t[0].isCancelled());
            assertThrows(CancelledError.class, t[0]::await);
            assertTrue(t[0].isDone());
            assertTrue(t[0].isCancelled());
            assertFalse(t[0].cancel());
            assertTrue(Asyncio.getRunningLoop().time() < 100);
        });
    }

    /** test_cancel_at_end: a body that returns right after cancelling itself ends cancelled. */
    @Test
    void cancel_at_end() {
        Conformance.run(() -> {
            Task<?>[] t = new Task<?>[1];
            t[0] = Asyncio.createTask(() -> {
                t[0].cancel();
                return 12;
            });
            assertFalse(t[0].isCancelled());
            assertThrows(CancelledError.class, t[0]::await);
            assertTrue(t[0].isDone());
            assertTrue(t[0].isCancelled());
            assertFalse(t[0].cancel());
        });
    }

    /** bpo-34872: a task cancelled while not blocked cancels whatever it blocks on next. */
    @Test
    void cancel_awaited_task() {
        Conformance.run(() -> {
            AsyncFuture<Void> fut = newFuture();
            Task<?>[] task = new Task<?>[1];
            Task<?>[] nested = new Task<?>[1];
            task[0] = Asyncio.createTask(() -> {
                nested[0] = Asyncio.createTask(() -> {
                    fut.await();
                });
                Asyncio.sleep(0);
                task[0].cancel();
                nested[0].await();
                return null;
            });
            assertThrows(CancelledError.class, task[0]::await);
            assertTrue(task[0].isCancelled());
            assertTrue(nested[0].isCancelled());
            assertTrue(fut.isCancelled());
        });
    }

    /** test_cancel_traceback_for_future_result: the interrupted await is in the error's stack. */
    @Test
    void cancel_traceback_for_future_result() {
        CancelledError e = assertThrows(CancelledError.class, () -> Conformance.run(() -> {
            Task<Void> task = Asyncio.createTask(TasksConformanceTest::nestedSleeper);
            Asyncio.sleep(0);
            task.cancel();
            task.await();
        }));
        assertTrue(stackMentions(e, "nestedSleeper"), java.util.Arrays.toString(e.getStackTrace()));
    }

    /** test_cancel_traceback_for_future_exception: the same through exception(). */
    @Test
    void cancel_traceback_for_future_exception() {
        CancelledError e = assertThrows(CancelledError.class, () -> Conformance.run(() -> {
            Task<Void> task = Asyncio.createTask(TasksConformanceTest::nestedSleeper);
            Asyncio.sleep(0);
            task.cancel();
            Asyncio.wait(List.of(task));
            task.exception();
        }));
        assertTrue(stackMentions(e, "nestedSleeper"), java.util.Arrays.toString(e.getStackTrace()));
    }

    private static void nestedSleeper() {
        Asyncio.sleep(10); // cancelled at once
    }

    private static boolean stackMentions(Throwable e, String method) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (StackTraceElement f : t.getStackTrace()) {
                if (f.getMethodName().equals(method)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** test_stop_while_run_in_complete: stop() ends runUntilComplete before the task is done. */
    @Test
    void stop_while_run_in_complete() {
        EventLoop loop = EventLoop.builder().clock(new VirtualClock()).build();
        try {
            int[] x = {0};
            Task<Void> t = loop.createTask(() -> {
                while (x[0] < 10) {
                    Asyncio.sleep(0.1);
                    x[0]++;
                    if (x[0] == 2) {
                        loop.stop();
                    }
                }
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(t));
            assertTrue(e.getMessage().contains("stopped before"), e.getMessage());
            assertFalse(t.isDone());
            assertEquals(2, x[0]);
            t.cancel();
            assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        } finally {
            loop.close();
        }
    }

    /** test_wait (named wait_, since a Java method cannot be called wait()). */
    @Test
    void wait_() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<Void> a = Asyncio.createTask(() -> Asyncio.sleep(0.1));
            Task<Void> b = Asyncio.createTask(() -> Asyncio.sleep(0.15));
            for (int i = 0; i < 2; i++) { // again: no time, a different path
                WaitResult<Task<Void>> r = Asyncio.wait(List.of(b, a));
                assertEquals(Set.of(a, b), r.done());
                assertEquals(Set.of(), r.pending());
                assertEquals(0.15, loop.time() - t0, 1e-9);
            }
        });
    }

    @Test
    void wait_duplicate_coroutines() {
        Conformance.run(() -> {
            Task<String> c = Asyncio.createTask(() -> "test");
            WaitResult<Task<String>> r = Asyncio.wait(List.of(c, c, Asyncio.createTask(() -> "spam")));
            assertTrue(r.pending().isEmpty());
            Set<String> results = new java.util.HashSet<>();
            for (Task<String> f : r.done()) {
                results.add(f.result());
            }
            assertEquals(Set.of("test", "spam"), results);
        });
    }

    @Test
    void wait_errors() {
        Conformance.run(() -> {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.wait(List.<AsyncFuture<?>>of()));
            assertThrows(NullPointerException.class, () -> Asyncio.wait(List.of(newFuture()), null)); // return_when=-1
        });
    }

    @Test
    void wait_first_completed() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<Void> a = Asyncio.createTask(() -> Asyncio.sleep(10.0));
            Task<Void> b = Asyncio.createTask(() -> Asyncio.sleep(0.1));
            WaitResult<Task<Void>> r = Asyncio.wait(List.of(b, a), ReturnWhen.FIRST_COMPLETED);
            assertEquals(Set.of(b), r.done());
            assertEquals(Set.of(a), r.pending());
            assertFalse(a.isDone());
            assertTrue(b.isDone());
            assertNull(b.result());
            assertEquals(0.1, loop.time() - t0, 1e-9);
            a.cancel();
        });
    }

    /** test_wait_really_done: tasks done by the time wait returns are in done, not pending. */
    @Test
    void wait_really_done() {
        Conformance.run(() -> {
            Task<Void> a = Asyncio.createTask(() -> Asyncio.sleep(0));
            Task<Void> b = Asyncio.createTask(() -> {
                Asyncio.sleep(0);
                Asyncio.sleep(0);
            });
            WaitResult<Task<Void>> r = Asyncio.wait(List.of(b, a), ReturnWhen.FIRST_COMPLETED);
            assertEquals(Set.of(a, b), r.done());
            assertNull(a.result());
            assertNull(b.result());
        });
    }

    @Test
    void wait_first_exception() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<Void> a = Asyncio.createTask(() -> Asyncio.sleep(10.0));
            Task<Void> b = Asyncio.createTask(() -> {
                throw new ArithmeticException("err");
            });
            WaitResult<Task<Void>> r = Asyncio.wait(List.of(b, a), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(Set.of(b), r.done());
            assertEquals(Set.of(a), r.pending());
            assertEquals(0.0, loop.time() - t0, 1e-9);
            b.exception();
            a.cancel();
        });
    }

    @Test
    void wait_first_exception_in_wait() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<Void> a = Asyncio.createTask(() -> Asyncio.sleep(10.0));
            Task<Void> b = Asyncio.createTask(() -> {
                Asyncio.sleep(0.01);
                throw new ArithmeticException("err");
            });
            WaitResult<Task<Void>> r = Asyncio.wait(List.of(b, a), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(Set.of(b), r.done());
            assertEquals(Set.of(a), r.pending());
            assertEquals(0.01, loop.time() - t0, 1e-9);
            b.exception();
            a.cancel();
        });
    }

    @Test
    void wait_with_exception() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<Void> a = Asyncio.createTask(() -> Asyncio.sleep(0.1));
            Task<Void> b = Asyncio.createTask(() -> {
                Asyncio.sleep(0.15);
                throw new ArithmeticException("really");
            });
            for (int i = 0; i < 2; i++) {
                WaitResult<Task<Void>> r = Asyncio.wait(List.of(b, a));
                assertEquals(2, r.done().size());
                assertEquals(Set.of(), r.pending());
                assertEquals(1, r.done().stream().filter(f -> f.exception() != null).count());
                assertEquals(0.15, loop.time() - t0, 1e-9);
            }
        });
    }

    @Test
    void wait_with_timeout() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<Void> a = Asyncio.createTask(() -> Asyncio.sleep(0.1));
            Task<Void> b = Asyncio.createTask(() -> Asyncio.sleep(0.15));
            WaitResult<Task<Void>> r = Asyncio.wait(List.of(b, a), ReturnWhen.ALL_COMPLETED, 0.11);
            assertEquals(Set.of(a), r.done());
            assertEquals(Set.of(b), r.pending());
            assertEquals(0.11, loop.time() - t0, 1e-9);
            b.cancel();
        });
    }

    /** test_wait_concurrent_complete: a completion at the very deadline counts as done. */
    @Test
    void wait_concurrent_complete() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<Void> a = Asyncio.createTask(() -> Asyncio.sleep(0.1));
            Task<Void> b = Asyncio.createTask(() -> Asyncio.sleep(0.15));
            // CPython's wait() runs in a task created after a and b, so their timers come first
            // and a's is due with wait's deadline; let them start before this wait() does too.
            Asyncio.sleep(0);
            WaitResult<Task<Void>> r = Asyncio.wait(List.of(b, a), ReturnWhen.ALL_COMPLETED, 0.1);
            assertEquals(Set.of(a), r.done());
            assertEquals(Set.of(b), r.pending());
            assertEquals(0.1, loop.time() - t0, 1e-9);
            b.cancel();
        });
    }

    @Test
    void as_completed() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<String> a = Asyncio.createTask(() -> Asyncio.sleep(0.01, "a"));
            Task<String> b = Asyncio.createTask(() -> Asyncio.sleep(0.01, "b"));
            Task<String> c = Asyncio.createTask(() -> Asyncio.sleep(0.15, "c"));
            List<String> res = new ArrayList<>();
            for (Task<String> f : Asyncio.asCompleted(List.of(b, c, a))) {
                res.add(f.await());
            }
            assertEquals(0.15, loop.time() - t0, 1e-9);
            assertTrue(res.subList(0, 2).containsAll(List.of("a", "b")), res.toString());
            assertEquals("c", res.get(2));
        });
    }

    /** test_as_completed_same_tasks_in_as_out: futures come out as themselves. */
    @Test
    void as_completed_same_tasks_in_as_out() {
        Conformance.run(() -> {
            Set<Task<String>> in = Set.of(Asyncio.createTask(() -> "b"), Asyncio.createTask(() -> "d"));
            Set<Task<String>> out = new java.util.HashSet<>();
            for (Task<String> f : Asyncio.asCompleted(in)) {
                out.add(f);
            }
            assertEquals(in, out);
        });
    }

    @Test
    void as_completed_with_timeout() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<String> a = Asyncio.createTask(() -> Asyncio.sleep(0.1, "a"));
            Task<String> b = Asyncio.createTask(() -> Asyncio.sleep(0.15, "b"));
            List<Object> values = new ArrayList<>();
            try {
                for (Task<String> f : Asyncio.asCompleted(List.of(a, b), 0.12)) {
                    values.add(f.await());
                }
            } catch (io.jasyncio.AsyncTimeoutException e) {
                values.add(e);
            }
            assertEquals(2, values.size(), values.toString());
            assertEquals("a", values.get(0));
            assertInstanceOf(io.jasyncio.AsyncTimeoutException.class, values.get(1));
            assertEquals(0.12, loop.time() - t0, 1e-9);
            b.cancel();
        });
    }

    @Test
    void as_completed_with_unused_timeout() {
        Conformance.run(() -> {
            Task<String> a = Asyncio.createTask(() -> Asyncio.sleep(0.01, "a"));
            for (Task<String> f : Asyncio.asCompleted(List.of(a), 1)) {
                assertEquals("a", f.await());
            }
        });
    }

    /** test_as_completed_concurrent: what it yields can be awaited together. */
    @Test
    void as_completed_concurrent() {
        Conformance.run(() -> {
            Task<String> a = Asyncio.createTask(() -> Asyncio.sleep(0.05, "a"));
            Task<String> b = Asyncio.createTask(() -> Asyncio.sleep(0.05, "b"));
            List<Task<String>> futs = new ArrayList<>();
            for (Task<String> f : Asyncio.asCompleted(List.of(a, b))) {
                futs.add(f);
            }
            assertEquals(2, futs.size());
            WaitResult<Task<String>> r = Asyncio.wait(futs);
            Set<String> results = new java.util.HashSet<>();
            for (Task<String> f : r.done()) {
                results.add(f.result());
            }
            assertEquals(Set.of("a", "b"), results);
        });
    }

    @Test
    void as_completed_duplicate_coroutines() {
        Conformance.run(() -> {
            Task<String> c = Asyncio.createTask(() -> "ham");
            List<String> result = new ArrayList<>();
            for (Task<String> f : Asyncio.asCompleted(List.of(c, c, Asyncio.createTask(() -> "spam")))) {
                result.add(f.await());
            }
            assertEquals(Set.of("ham", "spam"), Set.copyOf(result));
            assertEquals(2, result.size());
        });
    }

    @Test
    void as_completed_coroutine_without_loop() {
        EventLoop other = EventLoop.newEventLoop();
        try {
            AsyncFuture<Integer> f = other.createFuture();
            assertThrows(IllegalStateException.class, () -> Asyncio.asCompleted(List.of(f)).iterator().next());
        } finally {
            other.close();
        }
    }

    @Test
    void sleep() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<String> t = Asyncio.createTask(() -> {
                Asyncio.sleep(0.05);
                return Asyncio.sleep(0.05, "yeah");
            });
            t.await();
            assertTrue(t.isDone());
            assertEquals("yeah", t.result());
            assertEquals(0.1, loop.time() - t0, 1e-9);
        });
    }

    @Test
    void sleep_when_delay_is_nan() {
        Conformance.run(() -> {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.sleep(Double.NaN));
        });
    }

    @Test
    void task_cancel_sleeping_task() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double t0 = loop.time();
            Task<Void> sleeper = Asyncio.createTask(() -> Asyncio.sleep(5000));
            loop.callLater(0.1, sleeper::cancel);
            String r;
            try {
                sleeper.await();
                r = "slept in";
            } catch (CancelledError e) {
                r = "cancelled";
            }
            assertEquals("cancelled", r);
            assertEquals(0.1, loop.time() - t0, 1e-9);
        });
    }

    @Test
    void task_cancel_waiter_future() {
        Conformance.run(() -> {
            AsyncFuture<Void> fut = newFuture();
            Task<Void> task = Asyncio.createTask(() -> {
                fut.await();
            });
            Asyncio.sleep(0);
            task.cancel();
            Asyncio.sleep(0);
            assertThrows(CancelledError.class, task::await);
            assertTrue(fut.isCancelled());
        });
    }

    @Test
    void task_set_methods() {
        Conformance.run(() -> {
            Task<String> task = Asyncio.createTask(() -> "ko");
            assertThrows(UnsupportedOperationException.class, () -> task.setResult("ok"));
            assertThrows(UnsupportedOperationException.class, () -> task.setException(new IllegalArgumentException()));
            assertEquals("ko", task.await());
        });
    }

    /** test_coroutine_non_gen_function_return_future: a body that returns a future returns it, not its result. */
    @Test
    void coroutine_non_gen_function_return_future() {
        Conformance.run(() -> {
            AsyncFuture<String> fut = newFuture();
            Task<AsyncFuture<String>> t1 = Asyncio.createTask(() -> fut);
            Task<Void> t2 = Asyncio.createTask(() -> fut.setResult("test"));
            assertSame(fut, t1.await());
            t2.await();
            assertNull(t2.result());
        });
    }

    @Test
    void current_task() {
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Task<?>[] task = new Task<?>[1];
            task[0] = Asyncio.createTask(() -> {
                assertSame(task[0], Asyncio.currentTask());
                return null;
            });
            task[0].await();
            AsyncFuture<Task<?>> inCallback = newFuture();
            loop.callSoon(() -> inCallback.setResult(loop.currentTask()));
            assertNull(inCallback.await()); // no task runs a callback
        });
    }

    @Test
    void current_task_with_interleaving_tasks() {
        Conformance.run(() -> {
            AsyncFuture<Boolean> fut1 = newFuture();
            AsyncFuture<Boolean> fut2 = newFuture();
            Task<?>[] tasks = new Task<?>[2];
            tasks[0] = Asyncio.createTask(() -> {
                assertSame(tasks[0], Asyncio.currentTask());
                fut1.await();
                assertSame(tasks[0], Asyncio.currentTask());
                fut2.setResult(true);
                return null;
            });
            tasks[1] = Asyncio.createTask(() -> {
                assertSame(tasks[1], Asyncio.currentTask());
                fut1.setResult(true);
                fut2.await();
                assertSame(tasks[1], Asyncio.currentTask());
                return null;
            });
            Asyncio.wait(List.of(tasks[0], tasks[1]));
            tasks[0].result();
            tasks[1].result();
        });
    }

    /** test_yield_future_passes_cancel: cancelling outer cancels inner, which cancels the waiter. */
    @Test
    void yield_future_passes_cancel() {
        Conformance.run(() -> {
            int[] proof = {0};
            AsyncFuture<Void> waiter = newFuture();
            Task<Void> f = Asyncio.createTask(() -> {
                try {
                    try { // inner(), called directly
                        waiter.await();
                    } catch (CancelledError e) {
                        proof[0] += 1;
                        throw e;
                    }
                    fail("got past the waiter in inner()");
                } catch (CancelledError e) {
                    proof[0] += 100;
                    return;
                }
                proof[0] += 10;
            });
            Asyncio.sleep(0);
            f.cancel();
            f.await();
            assertEquals(101, proof[0]);
            assertTrue(waiter.isCancelled());
        });
    }

    /** test_yield_wait_does_not_shield_cancel: cancelling outer ends its wait(), inner goes on. */
    @Test
    void yield_wait_does_not_shield_cancel() {
        Conformance.run(() -> {
            int[] proof = {0};
            AsyncFuture<Void> waiter = newFuture();
            Task<Void> f = Asyncio.createTask(() -> {
                Asyncio.wait(List.of(Asyncio.createTask(() -> {
                    waiter.await();
                    proof[0] += 1;
                })));
                proof[0] += 100;
            });
            Asyncio.sleep(0);
            f.cancel();
            assertThrows(CancelledError.class, f::await);
            waiter.setResult(null);
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            assertEquals(1, proof[0]);
        });
    }

    @Test
    void shield_result() {
        Conformance.run(() -> {
            AsyncFuture<Integer> inner = newFuture();
            AsyncFuture<Integer> outer = Asyncio.shield(inner);
            inner.setResult(42);
            assertEquals(42, outer.await());
        });
    }

    @Test
    void shield_exception() {
        Conformance.run(() -> {
            AsyncFuture<Integer> inner = newFuture();
            AsyncFuture<Integer> outer = Asyncio.shield(inner);
            Asyncio.sleep(0);
            IllegalStateException exc = new IllegalStateException("expected");
            inner.setException(exc);
            Asyncio.sleep(0);
            assertSame(exc, outer.exception());
        });
    }

    @Test
    void shield_cancel_inner() {
        Conformance.run(() -> {
            AsyncFuture<Integer> inner = newFuture();
            AsyncFuture<Integer> outer = Asyncio.shield(inner);
            Asyncio.sleep(0);
            inner.cancel();
            Asyncio.sleep(0);
            assertTrue(outer.isCancelled());
        });
    }

    @Test
    void shield_cancel_outer() {
        Conformance.run(() -> {
            AsyncFuture<Integer> inner = newFuture();
            AsyncFuture<Integer> outer = Asyncio.shield(inner);
            Asyncio.sleep(0);
            outer.cancel();
            Asyncio.sleep(0);
            assertTrue(outer.isCancelled());
            assertFalse(inner.isCancelled());
            inner.cancel();
        });
    }

    @Test
    void shield_shortcut() {
        Conformance.run(() -> {
            AsyncFuture<Integer> fut = newFuture();
            fut.setResult(42);
            assertEquals(42, Asyncio.shield(fut).await());
        });
    }

    /** test_shield_effect: cancelling the outer task does not touch the shielded one. */
    @Test
    void shield_effect() {
        Conformance.run(() -> {
            int[] proof = {0};
            AsyncFuture<Void> waiter = newFuture();
            Task<Void> f = Asyncio.createTask(() -> {
                Asyncio.shield(Asyncio.createTask(() -> {
                    waiter.await();
                    proof[0] += 1;
                })).await();
                proof[0] += 100;
            });
            Asyncio.sleep(0);
            f.cancel();
            assertThrows(CancelledError.class, f::await);
            waiter.setResult(null);
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            assertEquals(1, proof[0]);
        });
    }

    @Test
    void shield_gather() {
        Conformance.run(() -> {
            AsyncFuture<Integer> child1 = newFuture();
            AsyncFuture<Integer> child2 = newFuture();
            AsyncFuture<List<Integer>> parent = Asyncio.gather(child1, child2);
            AsyncFuture<List<Integer>> outer = Asyncio.shield(parent);
            Asyncio.sleep(0);
            outer.cancel();
            Asyncio.sleep(0);
            assertTrue(outer.isCancelled());
            child1.setResult(1);
            child2.setResult(2);
            Asyncio.sleep(0);
            assertEquals(List.of(1, 2), parent.result());
        });
    }

    /**
     * test_gather_shield: cancelling the gather cancels the shields, not the children. asyncio's
     * gather then holds a CancelledError as its exception; jasyncio's gather is cancelled itself
     * (docs/differences.md, "gather is cancelled when a child is cancelled").
     */
    @Test
    void gather_shield() {
        Conformance.run(() -> {
            AsyncFuture<Integer> child1 = newFuture();
            AsyncFuture<Integer> child2 = newFuture();
            AsyncFuture<Integer> inner1 = Asyncio.shield(child1);
            AsyncFuture<Integer> inner2 = Asyncio.shield(child2);
            AsyncFuture<List<Integer>> parent = Asyncio.gather(inner1, inner2);
            Asyncio.sleep(0);
            parent.cancel();
            Asyncio.sleep(0);
            assertTrue(parent.isCancelled()); // the pinned difference: asyncio's is not cancelled()
            assertThrows(CancelledError.class, parent::exception);
            assertTrue(inner1.isCancelled());
            assertTrue(inner2.isCancelled());
            assertFalse(child1.isCancelled());
            assertFalse(child2.isCancelled());
            child1.setResult(1);
            child2.setResult(2);
            Asyncio.sleep(0);
        });
    }

    @Test
    void shield_coroutine_use_running_loop() {
        Conformance.run(() -> {
            AsyncFuture<Integer> outer = Asyncio.shield(Asyncio.createTask(() -> 42));
            assertSame(Asyncio.getRunningLoop(), outer.getLoop());
            assertEquals(42, outer.await());
        });
    }

    /**
     * test_log_destroyed_pending_task: asyncio's loop holds tasks weakly, so a pending task
     * nobody references is collected and reported as destroyed. jasyncio's loop holds every
     * pending task (docs/differences.md, "Fire-and-forget tasks are never collected while they
     * run"): the task stays in allTasks() after a collection and nothing is reported.
     */
    @Test
    void log_destroyed_pending_task() {
        Conformance.run(() -> {
            Asyncio.createTask(() -> {
                Asyncio.getRunningLoop().createFuture().await();
                throw new IllegalStateException("code never reached");
            });
            Asyncio.sleep(0);
            System.gc();
            Asyncio.sleep(0);
            assertEquals(2, Asyncio.allTasks().size()); // this one and the forgotten one
            for (Task<?> t : Asyncio.allTasks()) {
                if (t != Asyncio.currentTask()) {
                    t.cancel();
                }
            }
        });
    }

    /** bpo-26923: a gather whose children are all done refuses to be cancelled. */
    @Test
    void cancel_gather_1() {
        Conformance.run(() -> {
            AsyncFuture<Integer> fut = newFuture();
            AsyncFuture<List<Integer>> gatherFuture = Asyncio.gather(Asyncio.createTask(() -> fut.await()));
            Boolean[] cancelResult = {null};
            fut.addDoneCallback(f -> cancelResult[0] = gatherFuture.cancel());
            fut.setResult(42);
            assertEquals(List.of(42), gatherFuture.await());
            assertEquals(Boolean.FALSE, cancelResult[0]);
            assertFalse(gatherFuture.isCancelled());
        });
    }

    /** test_cancel_gather_2: cancelling a task inside a gather loop raises the original cancellation. */
    @Test
    void cancel_gather_2() {
        for (String message : Arrays.asList(null, "my message")) {
            CancelledError e = assertThrows(CancelledError.class, () -> Conformance.run(() -> {
                Task<Void> qwe = Asyncio.createTask(() -> {
                    double time = 0;
                    while (true) {
                        time += 0.05;
                        Asyncio.gather(true, Asyncio.createTask(() -> Asyncio.sleep(0.05))).await();
                        if (time > 1) {
                            return;
                        }
                    }
                });
                Asyncio.sleep(0.2);
                qwe.cancel(message);
                qwe.await();
            }));
            assertEquals(message, e.getMessage());
            assertEquals(0, Conformance.causeDepth(e), "cause chain: " + e.getCause());
        }
    }

    /** bpo-28843: a task's exception keeps its stack trace. */
    @Test
    void exception_traceback() {
        Conformance.run(() -> {
            Task<Void> task = Asyncio.createTask(() -> {
                throw new ArithmeticException("division by zero");
            });
            Asyncio.sleep(0);
            assertTrue(task.exception().getStackTrace().length > 0);
        });
    }

    @Test
    void bare_create_task() {
        Conformance.run(() -> {
            Task<Integer> task = Asyncio.createTask(() -> 1);
            assertInstanceOf(Task.class, task);
            assertEquals(1, task.await());
        });
    }

    @Test
    void bare_create_named_task() {
        Conformance.run(() -> {
            Task<Void> task = Asyncio.createTask("No-op", () -> {
            });
            assertEquals("No-op", task.getName());
            task.await();
        });
    }

    @Test
    void context_1() {
        ContextVar<String> cvar = new ContextVar<>("cvar", "nope");
        Conformance.run(() -> {
            assertEquals("nope", cvar.get());
            Task<Void> subtask = Asyncio.createTask(() -> {
                Asyncio.sleep(0.01);
                assertEquals("nope", cvar.get());
                cvar.set("something else");
            });
            cvar.set("yes");
            assertEquals("yes", cvar.get());
            subtask.await();
            assertEquals("yes", cvar.get());
        });
    }

    /** test_context_2: a done callback's change does not leak into the task that added it. */
    @Test
    void context_2() {
        ContextVar<String> cvar = new ContextVar<>("cvar", "nope");
        Conformance.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertEquals("nope", cvar.get());
            for (int j = 0; j < 2; j++) {
                AsyncFuture<Void> fut = newFuture();
                fut.addDoneCallback(f -> cvar.set("something else"));
                cvar.set("yes" + j);
                loop.callSoon(() -> fut.setResult(null));
                fut.await();
                assertEquals("yes" + j, cvar.get());
                for (int i = 0; i < 3; i++) {
                    cvar.set("yes" + i + "-" + j);
                    Asyncio.sleep(0.001);
                    assertEquals("yes" + i + "-" + j, cvar.get());
                }
            }
        });
        assertEquals("nope", cvar.get());
    }

    /** test_context_3: 100 tasks, each changing the variable between sleeps, each sees its own. */
    @Test
    void context_3() {
        ContextVar<Integer> cvar = new ContextVar<>("cvar", -1);
        java.util.Random random = new java.util.Random(12);
        Conformance.run(() -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int num = random.nextInt(11);
                double[] delays = random.doubles(10, 0.001, 0.05).toArray();
                tasks.add(Asyncio.createTask(() -> {
                    for (int k = 0; k < 10; k++) {
                        cvar.set(num + k);
                        Asyncio.sleep(delays[k]);
                        assertEquals(num + k, cvar.get());
                    }
                }));
            }
            Asyncio.gather(tasks).await();
        });
        assertEquals(-1, cvar.get());
    }

    /** test_context_4 and test_context_6: the loop's createTask with a context (here the task's own API). */
    @Test
    void context_4() {
        ContextVar<Integer> cvar = new ContextVar<>("cvar");
        List<Integer> ret = Conformance.run(() -> {
            List<Integer> r = new ArrayList<>();
            Context ctx = Context.copyCurrent();
            r.add(ctx.get(cvar));
            Asyncio.createTask(ctx, () -> {
                Asyncio.sleep(0);
                cvar.set(1);
            }).await();
            r.add(ctx.get(cvar));
            Asyncio.createTask(ctx, () -> {
                Asyncio.sleep(0);
                cvar.set(2);
            }).await();
            r.add(ctx.get(cvar));
            return r;
        });
        assertEquals(Arrays.asList(null, 1, 2), ret);
    }

    @Test
    void get_context() {
        Conformance.run(() -> {
            Context context = Context.copyCurrent();
            Task<Void> task = Asyncio.createTask(context, () -> {
            });
            task.await();
            assertSame(context, task.getContext());
        });
    }

    /** CurrentLoopTests.test_current_task_no_running_loop_implicit. */
    @Test
    void current_task_no_running_loop_implicit() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Asyncio::currentTask);
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("loop"), e.getMessage());
    }

    /** GenericTaskTests.test_future_subclass. */
    @Test
    void future_subclass() {
        assertTrue(AsyncFuture.class.isAssignableFrom(Task.class));
    }

    // ------------------------------------------------------------------ GatherTestsBase

    @Test
    void success() {
        for (boolean returnExceptions : new boolean[] {false, true}) { // test_success and test_result_exception_success
            Conformance.run(() -> {
                AsyncFuture<Integer> a = newFuture();
                AsyncFuture<Integer> b = newFuture();
                AsyncFuture<Integer> c = newFuture();
                AsyncFuture<List<Object>> fut = Asyncio.gather(returnExceptions, a, b, c);
                int[] called = {0};
                fut.addDoneCallback(f -> called[0]++);
                b.setResult(1);
                a.setResult(2);
                Asyncio.sleep(0);
                Asyncio.sleep(0);
                assertEquals(0, called[0]);
                assertFalse(fut.isDone());
                c.setResult(3);
                Asyncio.sleep(0);
                Asyncio.sleep(0);
                assertEquals(1, called[0]);
                assertEquals(List.of(2, 1, 3), fut.result());
            });
        }
    }

    @Test
    void one_exception() {
        Conformance.run(() -> {
            List<AsyncFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(newFuture());
            }
            AsyncFuture<List<Integer>> fut = Asyncio.gather(fs);
            int[] called = {0};
            fut.addDoneCallback(f -> called[0]++);
            ArithmeticException exc = new ArithmeticException();
            fs.get(0).setResult(1);
            fs.get(1).setException(exc);
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            assertTrue(fut.isDone());
            assertEquals(1, called[0]);
            assertSame(exc, fut.exception());
            fs.get(2).setResult(3); // does nothing
            fs.get(3).cancel();
            fs.get(4).setException(new IllegalStateException());
            fs.get(4).exception();
        });
    }

    @Test
    void return_exceptions() {
        Conformance.run(() -> {
            AsyncFuture<Integer> a = newFuture();
            AsyncFuture<Integer> b = newFuture();
            AsyncFuture<Integer> c = newFuture();
            AsyncFuture<Integer> d = newFuture();
            AsyncFuture<List<Object>> fut = Asyncio.gather(true, a, b, c, d);
            int[] called = {0};
            fut.addDoneCallback(f -> called[0]++);
            ArithmeticException exc = new ArithmeticException();
            IllegalStateException exc2 = new IllegalStateException();
            b.setResult(1);
            c.setException(exc);
            a.setResult(3);
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            assertFalse(fut.isDone());
            d.setException(exc2);
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            assertTrue(fut.isDone());
            assertEquals(1, called[0]);
            assertEquals(List.of(3, 1, exc, exc2), fut.result());
        });
    }

    @Test
    void constructor_empty_sequence_without_loop() {
        assertThrows(IllegalStateException.class, () -> Asyncio.gather(List.<AsyncFuture<Integer>>of()));
    }

    @Test
    void constructor_empty_sequence_use_running_loop() {
        Conformance.run(() -> {
            AsyncFuture<List<Integer>> fut = Asyncio.gather(List.<AsyncFuture<Integer>>of());
            assertSame(Asyncio.getRunningLoop(), fut.getLoop());
            Asyncio.sleep(0);
            assertTrue(fut.isDone());
            assertEquals(List.of(), fut.result());
        });
    }

    @Test
    void constructor_heterogenous_futures() {
        EventLoop other = EventLoop.newEventLoop();
        try {
            Conformance.run(() -> {
                AsyncFuture<Integer> fut1 = newFuture();
                AsyncFuture<Integer> fut2 = other.createFuture();
                assertThrows(IllegalArgumentException.class, () -> Asyncio.gather(fut1, fut2));
                fut1.cancel();
            });
        } finally {
            other.close();
        }
    }

    /**
     * test_one_cancellation: asyncio's gather, when a child is cancelled, completes with a
     * CancelledError as its exception but is not cancelled(); jasyncio's gather is cancelled
     * (docs/differences.md, "gather is cancelled when a child is cancelled").
     */
    @Test
    void one_cancellation() {
        Conformance.run(() -> {
            List<AsyncFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(newFuture());
            }
            AsyncFuture<List<Integer>> fut = Asyncio.gather(fs);
            int[] called = {0};
            fut.addDoneCallback(f -> called[0]++);
            fs.get(0).setResult(1);
            fs.get(1).cancel();
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            assertTrue(fut.isDone());
            assertEquals(1, called[0]);
            assertTrue(fut.isCancelled()); // the pinned difference: asyncio's is not cancelled()
            assertThrows(CancelledError.class, fut::exception);
            fs.get(2).setResult(3); // does nothing
            fs.get(3).cancel();
            fs.get(4).setException(new IllegalStateException());
            fs.get(4).exception();
        });
    }

    @Test
    void result_exception_one_cancellation() {
        Conformance.run(() -> {
            List<AsyncFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fs.add(newFuture());
            }
            AsyncFuture<List<Object>> fut = Asyncio.gather(true, new ArrayList<AsyncFuture<?>>(fs));
            int[] called = {0};
            fut.addDoneCallback(f -> called[0]++);
            fs.get(0).setResult(1);
            ArithmeticException zde = new ArithmeticException();
            fs.get(1).setException(zde);
            fs.get(2).cancel();
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            assertFalse(fut.isDone());
            fs.get(3).setResult(3);
            fs.get(4).cancel();
            IllegalStateException rte = new IllegalStateException();
            fs.get(5).setException(rte);
            List<Object> res = new ArrayList<>(fut.await());
            assertInstanceOf(CancelledError.class, res.get(2));
            assertInstanceOf(CancelledError.class, res.get(4));
            res.set(2, null);
            res.set(4, null);
            assertEquals(Arrays.asList(1, zde, null, 3, null, rte), res);
            Asyncio.sleep(0);
            assertEquals(1, called[0]);
        });
    }

    /** CoroutineGatherTests.test_cancellation_broadcast: cancelling the awaiting task cancels every child. */
    @Test
    void cancellation_broadcast() {
        Conformance.run(() -> {
            int[] proof = {0};
            AsyncFuture<Void> waiter = newFuture();
            Task<Void> child1 = Asyncio.createTask(() -> {
                waiter.await();
                proof[0] += 1;
            });
            Task<Void> child2 = Asyncio.createTask(() -> {
                waiter.await();
                proof[0] += 1;
            });
            AsyncFuture<?>[] gatherer = new AsyncFuture<?>[1];
            Task<Void> f = Asyncio.createTask(() -> {
                gatherer[0] = Asyncio.gather(child1, child2);
                gatherer[0].await();
                proof[0] += 100;
            });
            Asyncio.sleep(0);
            assertTrue(f.cancel());
            assertThrows(CancelledError.class, f::await);
            assertFalse(gatherer[0].cancel());
            assertTrue(waiter.isCancelled());
            assertTrue(child1.isCancelled());
            assertTrue(child2.isCancelled());
            Asyncio.sleep(0);
            assertEquals(0, proof[0]);
        });
    }

    /** CoroutineGatherTests.test_exception_marking: a second child's failure after the first is not lost from view. */
    @Test
    void exception_marking() {
        Conformance.run(() -> {
            AsyncFuture<Void> a = newFuture();
            AsyncFuture<Void> b = newFuture();
            Task<Void> f = Asyncio.createTask(() -> {
                Asyncio.gather(Asyncio.createTask(() -> {
                    a.await();
                    throw new IllegalStateException("should not be ignored");
                }), Asyncio.createTask(() -> {
                    b.await();
                    throw new IllegalStateException("should not be ignored");
                })).await();
            });
            Asyncio.sleep(0);
            a.setResult(null);
            Asyncio.sleep(0);
            b.setResult(null);
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            assertInstanceOf(IllegalStateException.class, f.exception());
        });
    }

    // ------------------------------------------------------------------ RunCoroutineThreadsafeTests

    /** The "add" coroutine of the cases: 0.05 s, then a + b, or a failure, or a self-cancel. */
    private static int add(int a, int b, boolean fail, boolean cancel) {
        Asyncio.sleep(0.05);
        if (fail) {
            throw new IllegalStateException("Fail!");
        }
        if (cancel) {
            Asyncio.currentTask().cancel();
            Asyncio.sleep(0);
        }
        return a + b;
    }

    /** Submits add() from a plain thread and waits for it there, as the cases' target(). */
    private static int target(EventLoop loop, boolean fail, boolean cancel, double timeout) throws Exception {
        java.util.concurrent.CompletableFuture<Integer> future =
                Asyncio.runCoroutineThreadsafe(() -> add(1, 2, fail, cancel), loop);
        try {
            return timeout > 0 ? future.get((long) (timeout * 1000), java.util.concurrent.TimeUnit.MILLISECONDS)
                    : future.getNow(null) == null ? future.get(0, java.util.concurrent.TimeUnit.MILLISECONDS) : future.join();
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        } finally {
            if (!future.isDone()) {
                future.cancel(true);
            }
        }
    }

    /**
     * The loop runs on the system clock here: virtual time does not jump while a task waits for a
     * thread, and the thread waits for a task's sleep. Nothing is timed.
     */
    private static void realTime(io.jasyncio.CheckedRunnable body) {
        Conformance.Errors errors = new Conformance.Errors();
        Conformance.runRealTime(errors, () -> {
            body.run();
            return null;
        });
        assertEquals(List.of(), errors.all());
    }

    @Test
    void run_coroutine_threadsafe() {
        realTime(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertEquals(3, Asyncio.toThread(() -> target(loop, false, false, 30)));
        });
    }

    @Test
    void run_coroutine_threadsafe_with_exception() {
        realTime(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Asyncio.toThread(() -> target(loop, true, false, 30)));
            assertEquals("Fail!", e.getMessage());
        });
    }

    /** The wait for the result times out at once; the submitted task is then cancelled. */
    @Test
    void run_coroutine_threadsafe_with_timeout() {
        realTime(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertThrows(java.util.concurrent.TimeoutException.class,
                    () -> Asyncio.toThread(() -> target(loop, false, false, 0)));
            Asyncio.sleep(0);
            Asyncio.sleep(0);
            for (Task<?> t : Asyncio.allTasks()) {
                assertTrue(t == Asyncio.currentTask() || t.isDone(), t.toString());
            }
        });
    }

    @Test
    void run_coroutine_threadsafe_task_cancelled() {
        realTime(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Throwable e = assertThrows(Throwable.class, () -> Asyncio.toThread(() -> target(loop, false, true, 30)));
            assertTrue(e instanceof CancelledError || e instanceof java.util.concurrent.CancellationException, e.toString());
        });
    }

    /** SleepTests.test_sleep_zero: sleep(0) runs what was scheduled before it, then returns its result. */
    @Test
    void sleep_zero() {
        Conformance.run(() -> {
            int[] result = {0};
            Asyncio.getRunningLoop().callSoon(() -> result[0] += 1);
            assertEquals(0, result[0]);
            int num = Asyncio.sleep(0, 10);
            assertEquals(1, result[0]);
            result[0] += num;
            assertEquals(11, result[0]);
        });
    }
}
