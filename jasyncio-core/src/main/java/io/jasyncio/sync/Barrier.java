package io.jasyncio.sync;

/**
 * A meeting point for a fixed number of tasks: asyncio's {@code Barrier} (3.11). Each task calling
 * {@link #await()} waits until {@link #parties()} tasks have arrived; then all go on, and the
 * barrier can be used again. {@link #abort()} breaks it: waiting and later tasks get
 * {@link BrokenBarrierException} until {@link #reset()}.
 */
public final class Barrier {
    private enum State { FILLING, DRAINING, RESETTING, BROKEN }

    private final AsyncCondition cond = new AsyncCondition();
    private final int parties;
    private State state = State.FILLING;
    private int count;

    /**
     * A barrier for {@code parties} tasks. Mirrors asyncio's {@code Barrier(parties)}.
     *
     * @param parties how many tasks must arrive before they all go on, at least 1
     */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be >= 1, got " + parties);
        }
        this.parties = parties;
    }

    /**
     * Waits until {@link #parties()} tasks are here. asyncio's {@code Barrier.wait()}.
     *
     * <p><b>Cancellation.</b> A cancellation point; a task cancelled while the party fills leaves
     * the barrier and the others keep waiting for a full party. A task cancelled after the
     * barrier tripped but before it resumed throws {@link io.jasyncio.CancelledError} as asyncio's
     * does, and the barrier opens for the others all the same.
     *
     * @return this task's arrival index, 0 to parties - 1 (the last to arrive gets parties - 1)
     * @throws BrokenBarrierException if the barrier is broken or reset while waiting
     */
    public int await() {
        try (Held h = cond.hold()) {
            block();
            int index = count++;
            try {
                if (index + 1 == parties) {
                    state = State.DRAINING;
                    cond.notifyAllWaiters();
                } else {
                    cond.awaitFor(() -> state != State.FILLING);
                    if (state == State.BROKEN || state == State.RESETTING) {
                        throw new BrokenBarrierException("Abort or reset of barrier");
                    }
                }
                return index;
            } finally {
                count--;
                leave();
            }
        }
    }

    /** Waits while the barrier drains or resets; fails if it is broken. */
    private void block() {
        cond.awaitFor(() -> state != State.DRAINING && state != State.RESETTING);
        if (state == State.BROKEN) {
            throw new BrokenBarrierException("Barrier aborted");
        }
    }

    /** The last task out of a drain or reset opens the barrier for the next party. */
    private void leave() {
        if (count == 0) {
            if (state == State.RESETTING || state == State.DRAINING) {
                state = State.FILLING;
            }
            cond.notifyAllWaiters();
        }
    }

    /**
     * Resets the barrier to its empty state; tasks waiting on it get {@link BrokenBarrierException}.
     */
    public void reset() {
        try (Held h = cond.hold()) {
            if (count > 0) {
                if (state != State.RESETTING) {
                    state = State.RESETTING;
                }
            } else {
                state = State.FILLING;
            }
            cond.notifyAllWaiters();
        }
    }

    /** Breaks the barrier: waiting and later tasks get {@link BrokenBarrierException} until {@link #reset()}. */
    public void abort() {
        try (Held h = cond.hold()) {
            state = State.BROKEN;
            cond.notifyAllWaiters();
        }
    }

    /** {@return how many tasks must meet} */
    public int parties() {
        return parties;
    }

    /** {@return how many tasks wait to fill the barrier now} */
    public int waiting() {
        return state == State.FILLING ? count : 0;
    }

    /** {@return whether the barrier is broken} */
    public boolean isBroken() {
        return state == State.BROKEN;
    }

    @Override
    public String toString() {
        return "Barrier[" + state.name().toLowerCase(java.util.Locale.ROOT) + ", waiters=" + waiting() + "/" + parties + "]";
    }
}
