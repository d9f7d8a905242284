package io.jasyncio.conformance;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.ExceptionContext;
import io.jasyncio.InvalidStateException;
import io.jasyncio.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPython's Lib/test/test_asyncio/test_futures.py (and the matching test_tasks.py cases). The
 * loops here keep unretrieved failures and report them when they close, so "never retrieved"
 * reports are counted without waiting for the garbage collector. CPython runs the future cases
 * against its C and its Python future (and a subclass of each); there is one {@link AsyncFuture}.
 * {@code test_tb_logger_exception_unretrieved} is {@link #tbLoggerCalledWithoutCancel}.
 *
 * <p>Cases not ported, and why they have no Java meaning:
 * <ul>
 * <li>Python's object protocols: {@code test_generic_alias}, {@code test_isfuture}, {@code
 *     test_constructor_positional}, {@code test_exception_class} (a class given for an instance),
 *     {@code test_stop_iteration_exception}, {@code test_stop_iteration_subclass_exception}
 *     (StopIteration is the generator protocol's), {@code test_yield_from_twice}, {@code test_iter},
 *     {@code test_future_stop_iteration_args}, {@code test_future_iter_throw} (the {@code __iter__}
 *     and {@code yield from} protocol), {@code DuckTests.test_wrap_future} and
 *     {@code test_ensure_future} (duck-typed futures).
 * <li>Construction: {@code test_constructor_without_loop}, {@code test_uninitialized},
 *     {@code test_inherit_without_calling_super_init}: a future is only made by a loop
 *     ({@code createFuture}) and the class is sealed; {@code test_constructor_use_global_loop},
 *     {@code test_wrap_future_use_global_loop}: there is no global loop.
 * <li>Private attributes and helpers: {@code test_future_cancel_message_setter},
 *     {@code test_log_traceback}, {@code test_set_result_unless_cancelled},
 *     {@code test_future_source_traceback} (debug mode's creation site is shown in reports
 *     instead). Their getter counterpart, the message, is {@link #future_cancel_message_getter}.
 * <li>{@code test_future_repr}: {@code __repr__} formats.
 * <li>Python's garbage collector and the C implementation: {@code test_future_del_collect},
 *     {@code test_future_cancelled_result_refcycles}, {@code test_future_cancelled_exception_refcycles},
 *     {@code test_future_del_segfault}, {@code test_callbacks_copy},
 *     {@code test_use_after_free_on_fut_callback_0_with_evil__eq__},
 *     {@code ..._with_evil__getattribute__} (both), {@code test_evil_call_soon_list_mutation}
 *     (a mocked {@code call_soon}); the list-mutation cases they guard are ported.
 * </ul>
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

    private static <T> AsyncFuture<T> newFuture() {
        return Asyncio.getRunningLoop().createFuture();
    }

    @Test
    void initial_state() {
        Conformance.run(() -> {
            AsyncFuture<Void> f = newFuture();
            assertFalse(f.isCancelled());
            assertFalse(f.isDone());
            f.cancel();
            assertTrue(f.isCancelled());
        });
    }

    @Test
    void constructor_use_running_loop() {
        Conformance.run(() -> assertSame(Asyncio.getRunningLoop(), newFuture().getLoop()));
    }

    @Test
    void future_cancel_message_getter() {
        Conformance.run(() -> {
            AsyncFuture<Void> f = newFuture();
            f.cancel("my message");
            CancelledError e = assertThrows(CancelledError.class, f::await);
            assertEquals("my message", e.getMessage());
        });
    }

    @Test
    void cancel() {
        Conformance.run(() -> {
            AsyncFuture<Void> f = newFuture();
            assertTrue(f.cancel());
            assertTrue(f.isCancelled());
            assertTrue(f.isDone());
            assertThrows(CancelledError.class, f::result);
            assertThrows(CancelledError.class, f::exception);
            assertThrows(InvalidStateException.class, () -> f.setResult(null));
            assertThrows(InvalidStateException.class, () -> f.setException(new IllegalStateException()));
            assertFalse(f.cancel());
        });
    }

    @Test
    void result() {
        Conformance.run(() -> {
            AsyncFuture<Integer> f = newFuture();
            assertThrows(InvalidStateException.class, f::result);
            f.setResult(42);
            assertFalse(f.isCancelled());
            assertTrue(f.isDone());
            assertEquals(42, f.result());
            assertNull(f.exception());
            assertThrows(InvalidStateException.class, () -> f.setResult(null));
            assertThrows(InvalidStateException.class, () -> f.setException(new IllegalStateException()));
            assertFalse(f.cancel());
        });
    }

    @Test
    void exception() {
        Conformance.run(() -> {
            IllegalStateException exc = new IllegalStateException();
            AsyncFuture<Integer> f = newFuture();
            assertThrows(InvalidStateException.class, f::exception);
            f.setException(exc);
            assertFalse(f.isCancelled());
            assertTrue(f.isDone());
            assertSame(exc, assertThrows(IllegalStateException.class, f::result));
            assertSame(exc, f.exception());
            assertThrows(InvalidStateException.class, () -> f.setResult(null));
            assertThrows(InvalidStateException.class, () -> f.setException(new IllegalStateException()));
            assertFalse(f.cancel());
        });
    }

    /** test_copy_state: a wrapped CompletableFuture's result, exception or cancellation carries over. */
    @Test
    void copy_state() {
        Conformance.run(() -> {
            AsyncFuture<Integer> newf = Asyncio.wrapFuture(CompletableFuture.completedFuture(10));
            assertEquals(10, newf.await());
            assertTrue(newf.isDone());

            AsyncFuture<Integer> newfException = Asyncio.wrapFuture(CompletableFuture.failedFuture(new IllegalStateException("x")));
            assertThrows(IllegalStateException.class, newfException::await);
            assertThrows(IllegalStateException.class, newfException::result);

            CompletableFuture<Integer> cancelled = new CompletableFuture<>();
            cancelled.cancel(false);
            AsyncFuture<Integer> newfCancelled = Asyncio.wrapFuture(cancelled);
            assertThrows(CancelledError.class, newfCancelled::await);
            assertTrue(newfCancelled.isCancelled());
        });
    }

    /** test_copy_state_from_concurrent_futures: a plain java.util.concurrent.Future, each state. */
    @Test
    void copy_state_from_concurrent_futures() {
        Conformance.run(() -> {
            java.util.concurrent.FutureTask<Integer> ok = new java.util.concurrent.FutureTask<>(() -> 42);
            ok.run();
            AsyncFuture<Integer> fOk = Asyncio.wrapFuture((java.util.concurrent.Future<Integer>) ok);
            fOk.await();
            assertEquals(42, fOk.result());

            java.util.concurrent.FutureTask<Integer> bad = new java.util.concurrent.FutureTask<>(() -> {
                throw new IllegalArgumentException("test exception");
            });
            bad.run();
            AsyncFuture<Integer> fBad = Asyncio.wrapFuture((java.util.concurrent.Future<Integer>) bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, fBad::await);
            assertEquals("test exception", e.getMessage()); // the cause itself, not an ExecutionException

            java.util.concurrent.FutureTask<Integer> cancelled = new java.util.concurrent.FutureTask<>(() -> 1);
            cancelled.cancel(false);
            AsyncFuture<Integer> fCancelled = Asyncio.wrapFuture((java.util.concurrent.Future<Integer>) cancelled);
            assertThrows(CancelledError.class, fCancelled::await);
            assertTrue(fCancelled.isCancelled());
        });
    }

    /** test_tb_logger_abandoned: a pending future left behind is not reported. */
    @Test
    void tb_logger_abandoned() {
        Conformance.run(() -> {
            newFuture();
        });
    }

    @Test
    void tb_logger_result_unretrieved() {
        Conformance.run(() -> {
            newFuture().setResult(42);
        });
    }

    @Test
    void tb_logger_result_retrieved() {
        Conformance.run(() -> {
            AsyncFuture<Integer> f = newFuture();
            f.setResult(42);
            f.result();
        });
    }

    @Test
    void tb_logger_exception_retrieved() {
        Conformance.run(() -> {
            AsyncFuture<Integer> f = newFuture();
            f.setException(new IllegalStateException("boom"));
            f.exception();
        });
    }

    @Test
    void tb_logger_exception_result_retrieved() {
        Conformance.run(() -> {
            AsyncFuture<Integer> f = newFuture();
            f.setException(new IllegalStateException("boom"));
            assertThrows(IllegalStateException.class, f::result);
        });
    }

    /** test_future_exception_never_retrieved (and _debug): one report, naming the exception. */
    @Test
    void future_exception_never_retrieved() {
        for (boolean debug : new boolean[] {false, true}) {
            Conformance.Errors errors = new Conformance.Errors();
            OutOfMemoryError exc = new OutOfMemoryError("MemoryError");
            Conformance.run(errors, () -> {
                Asyncio.getRunningLoop().setDebug(debug);
                newFuture().setException(exc);
                return null;
            });
            List<ExceptionContext> got = errors.all();
            assertEquals(1, got.size(), "debug=" + debug + " " + got);
            assertTrue(got.get(0).message().contains("exception was never retrieved"), got.get(0).message());
            assertSame(exc, got.get(0).exception());
        }
    }

    @Test
    void wrap_future() {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Conformance.run(() -> {
                Thread me = Thread.currentThread();
                java.util.concurrent.Future<Thread> f1 = ex.submit(Thread::currentThread);
                AsyncFuture<Thread> f2 = Asyncio.wrapFuture(f1);
                assertNotSame(me, f2.await());
            });
        } finally {
            ex.shutdownNow();
        }
    }

    /** test_wrap_future_future: a loop future is taken as it is. */
    @Test
    void wrap_future_future() {
        Conformance.run(() -> {
            AsyncFuture<Integer> f1 = newFuture();
            assertSame(f1, Asyncio.ensureFuture(f1));
            f1.cancel();
        });
    }

    @Test
    void wrap_future_without_loop() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Asyncio.wrapFuture(new CompletableFuture<Integer>()));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("loop"), e.getMessage());
    }

    @Test
    void wrap_future_use_running_loop() {
        Conformance.run(() -> {
            AsyncFuture<Integer> f2 = Asyncio.wrapFuture(new CompletableFuture<Integer>());
            assertSame(Asyncio.getRunningLoop(), f2.getLoop());
            f2.cancel();
        });
    }

    @Test
    void wrap_future_cancel() {
        Conformance.run(() -> {
            CompletableFuture<Integer> f1 = new CompletableFuture<>();
            AsyncFuture<Integer> f2 = Asyncio.wrapFuture(f1);
            f2.cancel();
            Asyncio.sleep(0);
            assertTrue(f1.isCancelled());
            assertTrue(f2.isCancelled());
        });
    }

    /** test_wrap_future_cancel2: the source completed first; cancelling the wrapper leaves it alone. */
    @Test
    void wrap_future_cancel2() {
        Conformance.run(() -> {
            CompletableFuture<Integer> f1 = new CompletableFuture<>();
            AsyncFuture<Integer> f2 = Asyncio.wrapFuture(f1);
            f1.complete(42);
            f2.cancel();
            Asyncio.sleep(0);
            assertFalse(f1.isCancelled());
            assertEquals(42, f1.join());
            assertTrue(f2.isCancelled());
        });
    }

    // ---------------------------------------------------------------- BaseFutureDoneCallbackTests

    private static Consumer<AsyncFuture<String>> appender(List<Integer> bag, int thing) {
        return f -> bag.add(thing);
    }

    @Test
    void callbacks_remove_first_callback() {
        Conformance.run(() -> {
            List<Integer> bag = new ArrayList<>();
            AsyncFuture<String> f = newFuture();
            Consumer<AsyncFuture<String>> cb1 = appender(bag, 42);
            Consumer<AsyncFuture<String>> cb2 = appender(bag, 17);
            Consumer<AsyncFuture<String>> cb3 = appender(bag, 100);
            f.addDoneCallback(cb1);
            f.addDoneCallback(cb2);
            f.addDoneCallback(cb3);
            f.removeDoneCallback(cb1);
            f.removeDoneCallback(cb1);
            assertEquals(List.of(), bag);
            f.setResult("foo");
            Asyncio.sleep(0);
            assertEquals(List.of(17, 100), bag);
            assertEquals("foo", f.result());
        });
    }

    @Test
    void callbacks_remove_first_and_second_callback() {
        Conformance.run(() -> {
            List<Integer> bag = new ArrayList<>();
            AsyncFuture<String> f = newFuture();
            Consumer<AsyncFuture<String>> cb1 = appender(bag, 42);
            Consumer<AsyncFuture<String>> cb2 = appender(bag, 17);
            Consumer<AsyncFuture<String>> cb3 = appender(bag, 100);
            f.addDoneCallback(cb1);
            f.addDoneCallback(cb2);
            f.addDoneCallback(cb3);
            f.removeDoneCallback(cb1);
            f.removeDoneCallback(cb2);
            f.removeDoneCallback(cb1);
            assertEquals(List.of(), bag);
            f.setResult("foo");
            Asyncio.sleep(0);
            assertEquals(List.of(100), bag);
            assertEquals("foo", f.result());
        });
    }

    @Test
    void callbacks_remove_third_callback() {
        Conformance.run(() -> {
            List<Integer> bag = new ArrayList<>();
            AsyncFuture<String> f = newFuture();
            Consumer<AsyncFuture<String>> cb1 = appender(bag, 42);
            Consumer<AsyncFuture<String>> cb2 = appender(bag, 17);
            Consumer<AsyncFuture<String>> cb3 = appender(bag, 100);
            f.addDoneCallback(cb1);
            f.addDoneCallback(cb2);
            f.addDoneCallback(cb3);
            f.removeDoneCallback(cb3);
            f.removeDoneCallback(cb3);
            assertEquals(List.of(), bag);
            f.setResult("foo");
            Asyncio.sleep(0);
            assertEquals(List.of(42, 17), bag);
            assertEquals("foo", f.result());
        });
    }

    @Test
    void callbacks_invoked_on_set_result() {
        Conformance.run(() -> {
            List<Integer> bag = new ArrayList<>();
            AsyncFuture<String> f = newFuture();
            f.addDoneCallback(appender(bag, 42));
            f.addDoneCallback(appender(bag, 17));
            assertEquals(List.of(), bag);
            f.setResult("foo");
            assertEquals(List.of(), bag); // never inline
            Asyncio.sleep(0);
            assertEquals(List.of(42, 17), bag);
            assertEquals("foo", f.result());
        });
    }

    @Test
    void callbacks_invoked_on_set_exception() {
        Conformance.run(() -> {
            List<Integer> bag = new ArrayList<>();
            AsyncFuture<String> f = newFuture();
            f.addDoneCallback(appender(bag, 100));
            assertEquals(List.of(), bag);
            IllegalStateException exc = new IllegalStateException();
            f.setException(exc);
            Asyncio.sleep(0);
            assertEquals(List.of(100), bag);
            assertSame(exc, f.exception());
        });
    }

    @Test
    void remove_done_callback() {
        Conformance.run(() -> {
            List<Integer> bag = new ArrayList<>();
            AsyncFuture<String> f = newFuture();
            Consumer<AsyncFuture<String>> cb1 = appender(bag, 1);
            Consumer<AsyncFuture<String>> cb2 = appender(bag, 2);
            Consumer<AsyncFuture<String>> cb3 = appender(bag, 3);
            f.addDoneCallback(cb1);
            f.addDoneCallback(cb2);
            assertEquals(1, f.removeDoneCallback(cb2));
            assertEquals(0, f.removeDoneCallback(cb3));
            f.addDoneCallback(cb2);
            for (int i = 0; i < 5; i++) {
                f.addDoneCallback(cb1);
            }
            assertEquals(6, f.removeDoneCallback(cb1));
            assertEquals(List.of(), bag);
            f.setResult("foo");
            Asyncio.sleep(0);
            assertEquals(List.of(2), bag);
            assertEquals("foo", f.result());
        });
    }

    /** A registered callback whose equals() runs code: CPython's "evil __eq__" of the list-mutation cases. */
    private abstract static class Evil implements Consumer<AsyncFuture<String>> {
        @Override
        public void accept(AsyncFuture<String> f) {
        }

        @Override
        public int hashCode() {
            return 0;
        }

        @Override
        public abstract boolean equals(Object other);
    }

    /** bpo-28963: removing a callback while an equals() consulted by the removal removes others. */
    @Test
    void remove_done_callbacks_list_mutation() {
        Conformance.run(() -> {
            AsyncFuture<String> fut = newFuture();
            Consumer<AsyncFuture<String>> id = f -> { };
            boolean[] inside = {false};
            fut.addDoneCallback(new Evil() {
                @Override
                public boolean equals(Object other) {
                    if (!inside[0]) { // the removal below asks this callback again
                        inside[0] = true;
                        fut.removeDoneCallback(id);
                        inside[0] = false;
                    }
                    return false;
                }
            });
            for (int i = 0; i < 63; i++) {
                fut.addDoneCallback(id);
            }
            fut.removeDoneCallback(f -> { });
            fut.setResult("done");
            Asyncio.sleep(0);
        });
    }

    /** gh-97592: the same, when equals() empties the list. */
    @Test
    void remove_done_callbacks_list_clear() {
        Conformance.run(() -> {
            AsyncFuture<String> fut = newFuture();
            Consumer<AsyncFuture<String>> id = f -> { };
            List<Consumer<AsyncFuture<String>>> all = new ArrayList<>();
            boolean[] inside = {false};
            Evil evil = new Evil() {
                @Override
                public boolean equals(Object other) {
                    if (!inside[0]) { // the removals below ask this callback again
                        inside[0] = true;
                        for (Consumer<AsyncFuture<String>> c : all) {
                            fut.removeDoneCallback(c);
                        }
                        inside[0] = false;
                    }
                    return other == this;
                }
            };
            all.add(evil);
            all.add(id);
            fut.addDoneCallback(evil);
            for (int i = 0; i < 63; i++) {
                fut.addDoneCallback(id);
            }
            fut.removeDoneCallback(f -> { });
            fut.setResult("done");
            Asyncio.sleep(0);
        });
    }

    /** bpo-28963: a callback that removes others when it runs; they were already scheduled. */
    @Test
    void schedule_callbacks_list_mutation_1() {
        Conformance.run(() -> {
            List<String> ran = new ArrayList<>();
            AsyncFuture<Integer> fut = newFuture();
            Consumer<AsyncFuture<Integer>> str = f -> ran.add("str");
            fut.addDoneCallback(f -> {
                ran.add("mut");
                f.removeDoneCallback(str);
            });
            fut.addDoneCallback(str);
            fut.addDoneCallback(str);
            fut.setResult(1);
            Asyncio.sleep(0);
            assertEquals(List.of("mut", "str", "str"), ran);
        });
    }

    /** bpo-30828: an equals() consulted by the removal adds callbacks; the removal ends and they stay. */
    @Test
    void schedule_callbacks_list_mutation_2() {
        Conformance.run(() -> {
            AsyncFuture<String> fut = newFuture();
            int[] extra = {0};
            List<Integer> bag = new ArrayList<>();
            Consumer<AsyncFuture<String>> id = f -> bag.add(1);
            fut.addDoneCallback(new Evil() {
                @Override
                public boolean equals(Object other) {
                    if (++extra[0] < 100) {
                        fut.addDoneCallback(id);
                    }
                    return false;
                }
            });
            for (int i = 0; i < 63; i++) {
                fut.addDoneCallback(id);
            }
            fut.removeDoneCallback(f -> { });
            fut.setResult("done");
            Asyncio.sleep(0);
            assertTrue(bag.size() >= 63, "callbacks run: " + bag.size());
        });
    }
}
