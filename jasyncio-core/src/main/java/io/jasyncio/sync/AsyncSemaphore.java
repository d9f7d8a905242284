package io.jasyncio.sync;

import io.jasyncio.internal.LoopBinding;
import io.jasyncio.internal.Waiters;

/**
 * A counter of permits: asyncio's {@code Semaphore} (3.11+: FIFO-fair). {@link #acquire()} takes a
 * permit, waiting if none is free; {@link #release()} gives one back. The classic use: at most N
 * tasks in some section, such as "10 downloads in flight".
 *
 * <p>Unlike {@link AsyncLock}, any task or callback may release. {@link AsyncBoundedSemaphore}
 * refuses to release more than it was given.
 */
public sealed class AsyncSemaphore permits AsyncBoundedSemaphore {
    final LoopBinding binding = new LoopBinding(this);
    private final Waiters waiters = new Waiters();
    int value;

    /**
     * A semaphore with {@code permits} permits. Mirrors asyncio's {@code Semaphore(value)}.
     *
     * @param permits how many permits there are at first, at least 0
     * @throws IllegalArgumentException if negative
     */
    public AsyncSemaphore(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("Semaphore initial value must be >= 0, got " + permits);
        }
        this.value = permits;
    }

    /** {@return whether an {@link #acquire()} would wait (no permit, or others are waiting first)} */
    public boolean isLocked() {
        return value == 0 || waiters.anyNotCancelled();
    }

    /** {@return how many permits are free} */
    public int availablePermits() {
        return value;
    }

    /**
     * Takes a permit, waiting in line if none is free.
     *
     * <p><b>Cancellation.</b> A cancellation point that loses nothing: cancelled while waiting, no
     * permit is taken; cancelled after a permit was handed to it but before it resumed, the task
     * gives the permit back (to the next waiter) and throws {@link io.jasyncio.CancelledError}, as
     * asyncio does. So when {@code acquire} throws, the task holds no permit from it.
     */
    public void acquire() {
        binding.task("acquire a semaphore");
        if (!isLocked()) {
            value--;
            return;
        }
        try {
            // A woken waiter was counted as holding a permit (wakeNext); one that will not use it
            // gives it back.
            while (!waiters.await(binding.loop(), "Semaphore.acquire", this::giveBack)) {
                if (!isLocked()) {
                    value--;
                    return;
                }
            }
        } finally {
            // Permits freed while this waiter was in line may be due to others behind it.
            while (value > 0 && wakeNext()) {
                // keep waking
            }
        }
    }

    /**
     * Takes a permit if one is free and nobody waits, without waiting.
     *
     * @return whether a permit was taken
     */
    public boolean tryAcquire() {
        binding.loop();
        if (isLocked()) {
            return false;
        }
        value--;
        return true;
    }

    /**
     * Acquires a permit and returns a handle that releases it, for try-with-resources.
     *
     * <p><b>Cancellation.</b> As {@link #acquire()}: if it throws, the task holds no permit.
     *
     * @return the handle
     */
    public Held hold() {
        acquire();
        return this::release;
    }

    /** Gives a permit back and hands it to the first waiter. */
    public void release() {
        binding.loop();
        value++;
        wakeNext();
    }

    /** A woken waiter that will not use its permit returns it, to the next waiter if any. */
    private void giveBack() {
        value++;
        wakeNext();
    }

    /** Hands a free permit to the first waiter still waiting; the permit is counted as taken. */
    private boolean wakeNext() {
        if (waiters.wakeFirst()) {
            value--;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[value=" + value + ", waiters=" + waiters.waiting() + "]";
    }
}
