package io.jasyncio.sync;

import io.jasyncio.AsyncFuture;
import io.jasyncio.internal.LoopBinding;
import io.jasyncio.internal.Waiters;

/**
 * A flag tasks can wait for: asyncio's {@code Event}. {@link #set()} wakes every waiter and lets
 * later ones through at once, until {@link #clear()}.
 */
public final class Event {
    private final LoopBinding binding = new LoopBinding(this);
    private final Waiters waiters = new Waiters();
    private boolean value;

    /** An event that is not set. */
    public Event() {
    }

    /** {@return whether the event is set} */
    public boolean isSet() {
        return value;
    }

    /** Sets the event and wakes every waiter. */
    public void set() {
        binding.loop();
        if (!value) {
            value = true;
            waiters.wake(Integer.MAX_VALUE);
        }
    }

    /** Clears the event: later waiters wait again. */
    public void clear() {
        value = false;
    }

    /**
     * Waits until the event is set; returns at once if it is. asyncio's {@code Event.wait()}.
     *
     * <p><b>Cancellation.</b> A cancellation point: cancelled while waiting, it throws
     * {@link io.jasyncio.CancelledError}. Setting the event takes nothing from it, so a task
     * cancelled after the event was set but before it resumed returns normally and sees the
     * cancellation at its next await (see {@code docs/coordination.md}).
     */
    public void await() {
        binding.task("wait for an event");
        if (value) {
            return;
        }
        AsyncFuture<Boolean> fut = waiters.join(binding.loop(), "Event.wait");
        try {
            fut.await();
        } finally {
            waiters.leave(fut);
        }
    }

    @Override
    public String toString() {
        return "Event[" + (value ? "set" : "unset") + ", waiters=" + waiters.waiting() + "]";
    }
}
