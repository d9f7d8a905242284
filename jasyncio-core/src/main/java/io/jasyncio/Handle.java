package io.jasyncio;

/**
 * A callback scheduled on an {@link EventLoop} by {@link EventLoop#callSoon} or
 * {@link EventLoop#callSoonThreadsafe}, which can still be cancelled until it runs. Mirrors
 * asyncio's {@code Handle}.
 *
 * <p>The loop runs the callback once, on the loop, at most; an exception it throws goes to the
 * loop's exception handler and does not stop the loop.
 */
public sealed class Handle permits TimerHandle, AsyncFuture.DoneCallback {
    final EventLoop loop;
    final Runnable callback;
    volatile boolean cancelled;
    /** The context the callback runs in: a copy of the scheduling code's (its immutable mapping). */
    Object[] ctxVars = Context.NONE;
    Object[] ctxValues = Context.NONE;

    Handle(EventLoop loop, Runnable callback) {
        this.loop = loop;
        this.callback = callback;
    }

    /** Captures the context of the code scheduling this handle. */
    final Handle inContext(Context c) {
        ctxVars = c.vars;
        ctxValues = c.values;
        return this;
    }

    /**
     * Cancels the callback: if it has not started, it never runs. Cancelling twice, or after the
     * callback ran, does nothing. Safe to call from any thread, but only a call made on the loop
     * is certain to win against a callback the loop is about to run.
     */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Whether {@link #cancel()} was called.
     *
     * @return {@code true} once cancelled
     */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * The loop this handle belongs to.
     *
     * @return the loop
     */
    public EventLoop getLoop() {
        return loop;
    }

    /** Runs the callback; what it throws goes to the loop (see {@link EventLoop#escaped}). */
    final void run() {
        try {
            invoke();
        } catch (Throwable e) {
            loop.escaped(this, e);
        }
    }

    /** What running the handle does; a done callback overrides it to pass its future. */
    void invoke() {
        callback.run();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + callback + (cancelled ? ", cancelled" : "") + "]";
    }
}
