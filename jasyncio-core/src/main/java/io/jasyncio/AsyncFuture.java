package io.jasyncio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The eventual result of an operation on an {@link EventLoop}: pending, then done exactly once
 * with a result, an exception, or cancelled. Mirrors asyncio's {@code Future}; the {@code Async}
 * prefix keeps it apart from {@link java.util.concurrent.Future}.
 *
 * <p><b>Threads.</b> A future belongs to one loop and, like asyncio's, is not thread-safe: call its
 * methods on that loop (from its tasks or callbacks). Other threads reach it through
 * {@link #toCompletableFuture()} or {@link EventLoop#callSoonThreadsafe}. A method called from a
 * foreign thread while the loop runs throws {@link IllegalStateException}.
 *
 * <p><b>Callbacks.</b> Done callbacks are always scheduled through the loop with
 * {@link EventLoop#callSoon}, in registration order, and never run inline, not even when added to
 * a future that is already done.
 *
 * <p><b>Exceptions.</b> {@link #result()} and {@link #await()} rethrow the stored exception itself,
 * checked exceptions included, as asyncio (and Kotlin) do; Java's checked-exception rule cannot
 * describe what an operation in another task may throw. Catch them with
 * {@code catch (Exception e)} or inspect {@link #exception()}.
 *
 * @param <T> the result type
 */
public sealed class AsyncFuture<T> permits Task, GatheringFuture {
    static final byte PENDING = 0;
    static final byte SUCCEEDED = 1;
    static final byte FAILED = 2;
    static final byte CANCELLED = 3;

    final EventLoop loop;
    byte state;
    /** The result, or the exception once failed. */
    private Object outcome;
    String cancelMessage;
    /** Null, one callback, or an ArrayList of them. A callback is a Task (a waiter) or a Consumer. */
    private Object callbacks;
    /** Reports the exception if nobody retrieves it before the future is collected (asyncio's _log_traceback). */
    private UnretrievedException.Watch unretrieved;
    /** What this future stands for, for task dumps: a String, or an object describing it (see {@link Awaitable}). */
    Object label;
    /** Debug-mode and profiler records, or null. */
    Diagnostics diag;

    AsyncFuture(EventLoop loop) {
        this.loop = loop;
        if (loop.debug) {
            diag().createdAt = Diagnostics.creationSite(this instanceof Task ? "Task" : "Future");
        }
    }

    /** The diagnostics record, made on first use. */
    final Diagnostics diag() {
        Diagnostics d = diag;
        if (d == null) {
            d = new Diagnostics();
            diag = d;
        }
        return d;
    }

    /**
     * Says what this future stands for, in task dumps and the monitor: a task waiting on it shows
     * as {@code awaiting <what>} (for instance {@code Lock.acquire}, {@code Queue.get}). For
     * libraries building waiting primitives on futures.
     *
     * @param what a short description
     * @return this future
     */
    public final AsyncFuture<T> describedAs(String what) {
        this.label = what;
        return this;
    }

    /**
     * The loop this future belongs to.
     *
     * @return the loop
     */
    public final EventLoop getLoop() {
        return loop;
    }

    /**
     * Whether the future is done: it has a result or an exception, or was cancelled.
     *
     * @return {@code true} once done
     */
    public final boolean isDone() {
        return state != PENDING;
    }

    /**
     * Whether the future was cancelled.
     *
     * @return {@code true} if cancelled
     */
    public final boolean isCancelled() {
        return state == CANCELLED;
    }

    /**
     * The result of a future that is done.
     *
     * <p><b>Other exceptions.</b> The stored exception itself, rethrown unchanged: checked ones
     * too, although the method declares none (they are rethrown as they are, not wrapped; catch
     * {@code Exception} to handle them).
     *
     * @return the result
     * @throws InvalidStateException if the future is not done
     * @throws CancelledError if it was cancelled
     */
    public final T result() {
        if (state == PENDING) {
            throw new InvalidStateException("Result is not ready: " + this);
        }
        return outcome();
    }

    /**
     * The exception of a future that is done.
     *
     * @return the exception, or {@code null} if the future has a result
     * @throws InvalidStateException if the future is not done
     * @throws CancelledError if it was cancelled
     */
    public final Throwable exception() {
        switch (state) {
            case PENDING -> throw new InvalidStateException("Exception is not set: " + this);
            case CANCELLED -> throw makeCancelledError();
            case FAILED -> {
                markRetrieved();
                return (Throwable) outcome;
            }
            default -> {
                return null;
            }
        }
    }

    /** The outcome of a done future: its result, or its exception or cancellation thrown. */
    @SuppressWarnings("unchecked")
    final T outcome() {
        if (state == SUCCEEDED) {
            return (T) outcome;
        }
        throw failure();
    }

    private RuntimeException failure() {
        if (state == CANCELLED) {
            throw makeCancelledError();
        }
        markRetrieved();
        throw Sneaky.<RuntimeException>rethrow((Throwable) outcome);
    }

    /** The error raised to whoever awaits or asks for the result of this cancelled future. */
    CancelledError makeCancelledError() {
        Diagnostics d = diag;
        return new CancelledError(cancelMessage, d == null ? null : d.cancelledAt);
    }

    /** In debug mode, notes who cancels this future and from where. */
    final void noteCancel(String reason) {
        if (loop.debug) {
            diag().cancelledAt = new CancellationSite(reason != null ? reason : loop.describeCaller());
        }
    }

    /**
     * Waits for this future and returns its result. Must be called by a task of this future's
     * loop; the task gives up control until the future is done (or not at all if it already is).
     *
     * <p><b>Cancellation.</b> This is a cancellation point: if the awaiting task is cancelled while
     * it waits, this future is cancelled too (as in asyncio, {@code task.cancel()} cancels the
     * future the task awaits) and {@link CancelledError} is thrown here. A future that is already
     * done is not a cancellation point, as in asyncio. If the future completes and the task is
     * cancelled before it resumes, the outcome is still returned and the cancellation is delivered
     * at the task's next suspension: a completed result is never thrown away (asyncio would throw
     * {@code CancelledError} and lose the result).
     *
     * <p><b>Checked exceptions.</b> The future's exception is rethrown as it is, checked or not
     * (an {@code IOException} of a child of {@link Asyncio#gather}, of the task behind
     * {@link Asyncio#waitFor}...), although this method declares none. So
     * {@code catch (IOException e)} around an {@code await()} alone does not compile ("never
     * thrown in body of corresponding try statement"); catch {@code Exception} and test it. The
     * rest can be rethrown without a {@code throws} clause, since the try block declares nothing
     * checked:
     * <pre>{@code
     * try {
     *     List<String> pages = Asyncio.gather(a, b).await();
     * } catch (Exception e) {
     *     if (!(e instanceof IOException io)) {
     *         throw e;                          // compiles: only unchecked ones can be here
     *     }
     *     log("a fetch failed: " + io.getMessage());
     * }
     * }</pre>
     *
     * <p><b>Other exceptions.</b> The future's exception, rethrown unchanged: checked ones too,
     * although the method declares none (they are rethrown as they are, not wrapped; catch
     * {@code Exception} to handle them).
     *
     * @return the result
     * @throws IllegalStateException if not called by a task running on this future's loop, or if a
     *     task awaits itself
     * @throws CancelledError if this future or the awaiting task is cancelled
     */
    public final T await() {
        Task<?> t = loop.currentTaskFor("await a future");
        if (state == PENDING) {
            t.awaitPending(this);
        }
        return outcome();
    }

    /**
     * Cancels the future and schedules its callbacks. On a future that already failed it does
     * nothing but silence the "exception was never retrieved" report, as asyncio's does.
     *
     * @return {@code false} if the future was already done, else {@code true}
     */
    public final boolean cancel() {
        return cancel(null);
    }

    /**
     * Cancels the future with a message that the {@link CancelledError} will carry.
     *
     * @param message the message, or {@code null}
     * @return {@code false} if the future was already done, else {@code true}
     */
    public final boolean cancel(String message) {
        return cancelWith(message, null);
    }

    /**
     * Cancels on behalf of {@code reason} (a timeout, a task group), or of the caller if null; the
     * reason shows in debug mode's {@link CancellationSite}.
     */
    boolean cancelWith(String message, String reason) {
        loop.checkThread("cancel a future");
        if (state != PENDING) {
            markRetrieved(); // as asyncio's cancel() clears _log_traceback: the caller gave up on it
            return false;
        }
        noteCancel(reason);
        cancelMessage = message;
        state = CANCELLED;
        scheduleCallbacks();
        return true;
    }

    /**
     * Completes the future with a result and schedules its callbacks.
     *
     * @param value the result
     * @throws InvalidStateException if the future is already done (it keeps its first outcome)
     */
    public void setResult(T value) {
        loop.checkThread("complete a future");
        if (state != PENDING) {
            throw new InvalidStateException("Future is already done, cannot set result: " + this);
        }
        outcome = value;
        state = SUCCEEDED;
        scheduleCallbacks();
    }

    /**
     * Completes the future with an exception and schedules its callbacks. A {@link CancelledError}
     * cancels the future instead, with that error's message.
     *
     * @param exception the exception, not {@code null}
     * @throws InvalidStateException if the future is already done (it keeps its first outcome)
     */
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        loop.checkThread("complete a future");
        if (state != PENDING) {
            throw new InvalidStateException("Future is already done, cannot set exception: " + this);
        }
        if (exception instanceof CancelledError ce) {
            cancelMessage = ce.getMessage();
            state = CANCELLED;
            scheduleCallbacks();
        } else {
            fail(exception);
        }
    }

    /** Marks the exception as seen: it will not be reported as never retrieved. */
    final void markRetrieved() {
        UnretrievedException.Watch w = unretrieved;
        if (w != null) {
            unretrieved = null;
            w.retrieved();
        }
    }

    /** @return whether a failure of this future was seen, or there is none */
    final boolean isRetrieved() {
        return unretrieved == null;
    }

    private void fail(Throwable e) {
        outcome = e;
        state = FAILED;
        unretrieved = UnretrievedException.watch(this, e);
        loop.failed(this);
        scheduleCallbacks();
    }

    /** Sets the result unless the future is done; for internal completions that may race. */
    final void trySetResult(T value) {
        if (state == PENDING) {
            outcome = value;
            state = SUCCEEDED;
            scheduleCallbacks();
        }
    }

    /** Fails the future unless it is done. */
    final void trySetException(Throwable e) {
        if (state == PENDING) {
            fail(e);
        }
    }

    /** Cancels the future unless it is done, without any subclass behaviour. */
    final boolean cancelSelf(String message) {
        if (state != PENDING) {
            return false;
        }
        cancelMessage = message;
        state = CANCELLED;
        scheduleCallbacks();
        return true;
    }

    /**
     * Adds a callback to run, through the loop, once the future is done; if it is already done the
     * callback is scheduled now. Mirrors {@code add_done_callback}.
     *
     * @param callback receives this future
     */
    public final void addDoneCallback(Consumer<? super AsyncFuture<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        loop.checkThread("add a done callback");
        if (state != PENDING) {
            loop.scheduleHandle(new DoneCallback(loop, callback, this));
        } else {
            addCallback(callback);
        }
    }

    /**
     * Removes every registration of a callback that has not been scheduled yet.
     *
     * @param callback the callback given to {@link #addDoneCallback}
     * @return how many registrations were removed
     */
    public final int removeDoneCallback(Consumer<? super AsyncFuture<T>> callback) {
        loop.checkThread("remove a done callback");
        Object cbs = callbacks;
        if (cbs == null) {
            return 0;
        }
        if (!(cbs instanceof CallbackList)) {
            // One registration (the common case: a combinator removing its own callback): no
            // snapshot. equals() is user code and may have changed the registrations meanwhile,
            // so what matched is removed by identity from whatever they are now.
            if (!cbs.equals(callback)) {
                return 0;
            }
            Object now = callbacks;
            if (now == cbs) {
                callbacks = null;
                return 1;
            }
            return now instanceof CallbackList list && list.removeIf(c -> c == cbs) ? 1 : 0;
        }
        // equals() is user code, which may add or remove callbacks of this future while we ask
        // (CPython's bpo-28963, bpo-30828, gh-97592): ask over a snapshot, then remove what
        // matched by identity from whatever the registrations are by then.
        Object[] snapshot = ((CallbackList) cbs).toArray();
        List<Object> matched = new ArrayList<>();
        for (Object c : snapshot) {
            if (c.equals(callback)) {
                matched.add(c);
            }
        }
        if (matched.isEmpty()) {
            return 0;
        }
        Object now = callbacks;
        if (now == null) {
            return 0;
        }
        if (!(now instanceof CallbackList list)) {
            if (isIn(matched, now)) {
                callbacks = null;
                return 1;
            }
            return 0;
        }
        int before = list.size();
        list.removeIf(c -> isIn(matched, c));
        return before - list.size();
    }

    private static boolean isIn(List<Object> objects, Object o) {
        for (Object x : objects) {
            if (x == o) {
                return true;
            }
        }
        return false;
    }

    /** Registers a task to be woken when this future is done. */
    final void addWaiter(Task<?> task) {
        addCallback(task);
    }

    private void addCallback(Object cb) {
        Object cbs = callbacks;
        if (cbs == null) {
            callbacks = cb;
        } else if (cbs instanceof CallbackList list) {
            list.add(cb);
        } else {
            CallbackList list = new CallbackList();
            list.add(cbs);
            list.add(cb);
            callbacks = list;
        }
    }

    private void scheduleCallbacks() {
        Object cbs = callbacks;
        if (cbs == null) {
            return;
        }
        callbacks = null;
        if (cbs instanceof CallbackList list) {
            for (Object cb : list) {
                schedule(cb);
            }
        } else {
            schedule(cbs);
        }
    }

    @SuppressWarnings("unchecked")
    private void schedule(Object cb) {
        if (cb instanceof Task<?> waiter) {
            loop.scheduleStep(waiter);
        } else {
            loop.scheduleHandle(new DoneCallback(loop, (Consumer<? super AsyncFuture<T>>) cb, this));
        }
    }

    /**
     * A {@link CompletableFuture} that completes, from the loop, when this future does; safe to use
     * from any thread. Cancelling the returned future cancels this one (through
     * {@link EventLoop#callSoonThreadsafe}); this future's cancellation completes it with a
     * {@link CancellationException}.
     *
     * @return a new bridge
     */
    public final CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> cf = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean c = super.cancel(mayInterruptIfRunning);
                if (c) {
                    loop.cancelFromOtherThread(AsyncFuture.this);
                }
                return c;
            }
        };
        addDoneCallback(f -> {
            switch (f.state) {
                case SUCCEEDED -> cf.complete(f.outcomeNoThrow());
                case FAILED -> {
                    f.markRetrieved();
                    cf.completeExceptionally((Throwable) f.outcome);
                }
                default -> cf.completeExceptionally(new CancellationException(f.cancelMessage));
            }
        });
        return cf;
    }

    @SuppressWarnings("unchecked")
    private T outcomeNoThrow() {
        return (T) outcome;
    }

    /** The stored exception of a failed future, without marking it retrieved; else null. */
    final Throwable peekException() {
        return state == FAILED ? (Throwable) outcome : null;
    }

    String stateName() {
        return switch (state) {
            case PENDING -> "pending";
            case SUCCEEDED -> "finished result=" + brief(outcome);
            case FAILED -> "finished exception=" + brief(outcome);
            default -> cancelMessage == null ? "cancelled" : "cancelled message=" + cancelMessage;
        };
    }

    /** A short description of a value, that never recurses into futures. */
    static String brief(Object o) {
        if (o instanceof Task<?> t) {
            return "Task[" + t.getName() + "]";
        }
        if (o instanceof AsyncFuture<?> f) {
            return f.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(f));
        }
        String s = String.valueOf(o);
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    @Override
    public String toString() {
        return "AsyncFuture[" + stateName() + "]";
    }

    /** A list of callbacks; its own class so that it is never mistaken for a callback. */
    private static final class CallbackList extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;

        CallbackList() {
            super(4);
        }
    }

    /** The handle a done future schedules for each callback: calls the consumer with the future. */
    static final class DoneCallback extends Handle {
        private final Consumer<? super AsyncFuture<Object>> consumer;
        private final AsyncFuture<Object> future;

        @SuppressWarnings("unchecked")
        DoneCallback(EventLoop loop, Consumer<?> consumer, AsyncFuture<?> future) {
            super(loop, null);
            this.consumer = (Consumer<? super AsyncFuture<Object>>) consumer;
            this.future = (AsyncFuture<Object>) future;
        }

        @Override
        void invoke() {
            consumer.accept(future);
        }

        @Override
        public String toString() {
            return "Handle[" + consumer + " on " + brief(future) + (cancelled ? ", cancelled" : "") + "]";
        }
    }
}
