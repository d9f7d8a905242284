package io.jasyncio;

/**
 * A callback scheduled for a time on the loop's clock by {@link EventLoop#callLater} or
 * {@link EventLoop#callAt}. Mirrors asyncio's {@code TimerHandle}: {@link #when()} is the
 * scheduled time, on the scale of {@link EventLoop#time()}.
 *
 * <p>Handles due at the same time run in the order they were scheduled.
 */
public final class TimerHandle extends Handle {
    final long whenNanos;
    final long seq;
    /** True while the handle is in the loop's timer queue. */
    boolean scheduled;

    TimerHandle(EventLoop loop, long whenNanos, long seq, Runnable callback) {
        super(loop, callback);
        this.whenNanos = whenNanos;
        this.seq = seq;
    }

    /**
     * The time this callback is due, in seconds on the loop's clock.
     *
     * @return the due time; {@code +Infinity} for a callback scheduled never to run
     */
    public double when() {
        return whenNanos == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : whenNanos / 1e9;
    }

    /**
     * Cancels the callback; the loop drops it from its timer queue lazily, as asyncio does, and
     * compacts the queue when most of it is cancelled. Call it on the loop.
     */
    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            if (scheduled) {
                loop.timerCancelled();
            }
        }
    }

    boolean before(TimerHandle o) {
        return whenNanos < o.whenNanos || (whenNanos == o.whenNanos && seq < o.seq);
    }

    @Override
    public String toString() {
        return "TimerHandle[when=" + when() + ", " + callback + (cancelled ? ", cancelled" : "") + "]";
    }
}
