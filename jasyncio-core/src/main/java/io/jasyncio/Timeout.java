package io.jasyncio;

import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A deadline around a block of a task's code: when it passes, the block is cancelled. Mirrors
 * asyncio 3.11's {@code asyncio.timeout()} / {@code timeout_at()}, plus a variant that does not
 * raise (Trio's {@code move_on_after}).
 *
 * <p>Java cannot turn the exception leaving a try-with-resources block into another, so a timeout
 * scopes a lambda instead of an {@code async with} block:
 *
 * <pre>{@code
 * String page = Asyncio.timeout(5).run(() -> fetch(url));          // AsyncTimeoutException after 5 s
 * Timeout t = Asyncio.moveOnAfter(1);
 * Reply r = t.run(() -> ask(server));                              // null after 1 s
 * if (t.expired()) { ... }
 * }</pre>
 *
 * <p>How it works, as in asyncio: when the deadline passes, the task running the block is
 * {@linkplain Task#cancel() cancelled}; a {@link CancelledError} unwinds the block; on leaving,
 * the scope withdraws its own cancellation ({@link Task#uncancel()}) and, if no other cancellation
 * is pending, replaces the {@code CancelledError} with {@link AsyncTimeoutException} (or, for a
 * non-raising scope, swallows it). So nested timeouts compose (the one that fired raises; an outer
 * one firing at the same time wins, since it was asked for first), and a cancellation from outside
 * is never mistaken for a timeout. If the block completes its work in the same iteration that the
 * deadline passes, the block's result is returned: a completed result is never discarded (see
 * {@link AsyncFuture#await()}).
 *
 * <p>A scope is created for the running loop by {@link Asyncio#timeout}, {@link Asyncio#timeoutAt},
 * {@link Asyncio#moveOnAfter} or {@link Asyncio#moveOnAt}; its deadline can be moved with
 * {@link #reschedule} while it runs. It can be run once.
 */
public final class Timeout {
    private enum State { CREATED, ENTERED, EXPIRING, EXPIRED, EXITED }

    private final EventLoop loop;
    private final boolean raises;
    private long whenNanos;
    /** The deadline as given, so that {@link #when()} returns exactly it (the nanoseconds round). */
    private double when;
    private State state = State.CREATED;
    private Task<?> task;
    private Handle handle;
    private int cancellingAtEntry;

    Timeout(EventLoop loop, double when, boolean raises) {
        this.loop = loop;
        this.whenNanos = EventLoop.secondsToNanos(when);
        this.when = whenNanos == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : when;
        this.raises = raises;
    }

    /**
     * Runs {@code body} under this deadline and returns its result.
     *
     * <p><b>Cancellation.</b> The body is cancelled at its current await when the deadline passes;
     * a cancellation from outside passes through unchanged.
     *
     * <p><b>Other exceptions.</b> Whatever the body throws, unchanged: checked ones too, although
     * the method declares none (they are rethrown as they are, not wrapped; catch {@code Exception}
     * to handle them). If the deadline cancelled the body and it threw something else than
     * {@code CancelledError}, that exception (and, for an {@link ExceptionGroup}, each of its direct
     * members) carries a suppressed {@link AsyncTimeoutException} saying so, where asyncio inserts a
     * {@code TimeoutError} into its context chain.
     *
     * @param <T> the result type
     * @param body the block
     * @return the body's result; {@code null} if a non-raising scope expired
     * @throws AsyncTimeoutException if this scope is raising and its deadline cancelled the body
     * @throws InvalidStateException if this scope was already run
     * @throws IllegalStateException if not called by a task of the scope's loop
     */
    public <T> T run(Callable<? extends T> body) {
        Objects.requireNonNull(body, "body");
        if (state != State.CREATED) {
            throw new InvalidStateException("Timeout has already been entered: " + this);
        }
        Task<?> t = loop.currentTaskFor("enter a timeout");
        task = t;
        state = State.ENTERED;
        cancellingAtEntry = t.cancelling();
        schedule();
        T result = null;
        Throwable error = null;
        try {
            result = body.call();
        } catch (Throwable e) {
            error = e;
        }
        return exit(result, error);
    }

    /**
     * Runs {@code body}, which returns nothing, under this deadline. See {@link #run(Callable)}.
     *
     * @param body the block
     * @throws AsyncTimeoutException if this scope is raising and its deadline cancelled the body
     */
    public void run(CheckedRunnable body) {
        run(EventLoop.asCallable(body));
    }

    private <T> T exit(T result, Throwable error) {
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (state == State.EXPIRING) {
            state = State.EXPIRED;
            if (task.uncancel() <= cancellingAtEntry && error != null) {
                // No other cancellation is pending: the one that unwound the body is ours.
                if (error instanceof CancelledError ce) {
                    if (raises) {
                        throw new AsyncTimeoutException(describe(), this, ce);
                    }
                    return null;
                }
                // The body raised something else while being cancelled: keep it, note why. As
                // CPython does, a group's members are marked too: each may have been raised by a
                // child that the expiry cancelled through its group.
                error.addSuppressed(new AsyncTimeoutException(describe(), this, null));
                if (error instanceof ExceptionGroup eg) {
                    for (Throwable member : eg.exceptions()) {
                        member.addSuppressed(new AsyncTimeoutException(describe(), this, null));
                    }
                }
            }
        } else if (state == State.ENTERED) {
            state = State.EXITED;
        }
        if (error != null) {
            throw Sneaky.<RuntimeException>rethrow(error);
        }
        return result;
    }

    private String describe() {
        return "Timed out: the deadline at loop time " + String.format("%.3f", whenNanos / 1e9) + " s passed";
    }

    /**
     * The deadline, in seconds on the loop's clock.
     *
     * @return the deadline, or {@code +Infinity} if there is none
     */
    public double when() {
        return when;
    }

    /**
     * Moves the deadline of a running scope; {@code +Infinity} removes it. A deadline already in
     * the past expires the scope on the next loop iteration. As in asyncio 3.12+, only a scope that
     * has been entered (its {@link #run} is running) can be rescheduled.
     *
     * @param when the new deadline in seconds on the loop's clock
     * @throws InvalidStateException if the scope has not been entered yet (including after a
     *     {@code run} that failed because it was called outside a task), or is expiring, expired
     *     or exited
     */
    public void reschedule(double when) {
        long w = EventLoop.secondsToNanos(when);
        if (state == State.CREATED) {
            throw new InvalidStateException("Timeout has not been entered: " + this);
        }
        if (state != State.ENTERED) {
            throw new InvalidStateException("Cannot change the deadline of a " + state.name().toLowerCase(java.util.Locale.ROOT) + " timeout");
        }
        whenNanos = w;
        this.when = w == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : when;
        schedule();
    }

    private void schedule() {
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (whenNanos == Long.MAX_VALUE) {
            return;
        }
        if (whenNanos <= loop.timeNanos()) {
            handle = loop.callSoon(this::onTimeout);
        } else {
            handle = loop.callAtNanos(whenNanos, this::onTimeout);
        }
    }

    private void onTimeout() {
        handle = null;
        task.cancelWith(null, "timeout at loop time " + String.format("%.3f", whenNanos / 1e9));
        state = State.EXPIRING;
    }

    /**
     * Whether the deadline passed while the block ran (the scope cancelled it). Mirrors
     * {@code Timeout.expired()}.
     *
     * @return {@code true} once the deadline fired
     */
    public boolean expired() {
        return state == State.EXPIRING || state == State.EXPIRED;
    }

    /**
     * Whether this scope raises {@link AsyncTimeoutException} on expiry ({@link Asyncio#timeout})
     * or returns {@code null} ({@link Asyncio#moveOnAfter}).
     *
     * @return {@code true} for a raising scope
     */
    public boolean raises() {
        return raises;
    }

    @Override
    public String toString() {
        return "Timeout[" + state.name().toLowerCase(java.util.Locale.ROOT) + ", when=" + when()
                + (raises ? "" : ", move-on") + "]";
    }
}
