package io.jasyncio.sync;

import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.internal.LoopBinding;
import io.jasyncio.internal.Waiters;

/**
 * A mutual-exclusion lock for tasks: asyncio's {@code Lock}, with two things asyncio does not
 * check. It is held by a task, and only that task may release it ({@link IllegalStateException}
 * otherwise); and it is not reentrant: a task acquiring a lock it holds gets an
 * {@link IllegalStateException} at once instead of waiting forever. FIFO-fair: the lock goes to
 * the waiters in the order they came.
 *
 * <pre>{@code
 * try (Held h = lock.hold()) {
 *     ... // one task at a time, across awaits
 * }
 * }</pre>
 */
public final class AsyncLock {
    private final LoopBinding binding = new LoopBinding(this);
    private final Waiters waiters = new Waiters();
    private Task<?> owner;

    /** An unlocked lock. */
    public AsyncLock() {
    }

    /**
     * Waits until the lock is free and takes it for the calling task.
     *
     * <p><b>Cancellation.</b> A cancellation point that loses nothing: cancelled while waiting,
     * the task does not get the lock; cancelled after the lock was handed to it but before it
     * resumed, it hands the lock on to the next waiter and throws {@link CancelledError}, as
     * asyncio does (see {@code docs/coordination.md}). So when {@code acquire} throws, the task
     * does not hold the lock; when it returns, it does.
     *
     * @throws IllegalStateException outside a task, on another loop, or if the task holds the lock
     */
    public void acquire() {
        Task<?> me = binding.task("acquire a lock");
        if (owner == me) {
            throw new IllegalStateException("AsyncLock is not reentrant: " + me + " already holds it");
        }
        if (owner == null && !waiters.anyNotCancelled()) {
            owner = me;
            return;
        }
        EventLoop loop = binding.loop();
        // Woken as the head of the line, the task holds its claim until it runs (release() wakes
        // one waiter and nobody may overtake it); one that will not use it passes it on.
        while (!waiters.await(loop, "Lock.acquire", this::passOn)) {
            if (owner == null && !waiters.anyNotCancelled()) {
                break;
            }
        }
        owner = me;
    }

    /** A waiter leaves with a wake-up it will not use: the lock, if free, goes to the next one. */
    private void passOn() {
        if (owner == null) {
            waiters.wakeHead();
        }
    }

    /**
     * Takes the lock if it is free and nobody waits for it, without waiting.
     *
     * @return whether the calling task now holds it
     */
    public boolean tryAcquire() {
        Task<?> me = binding.task("acquire a lock");
        if (owner == null && !waiters.anyNotCancelled()) {
            owner = me;
            return true;
        }
        return false;
    }

    /**
     * Acquires the lock and returns a handle whose {@code close()} releases it, for
     * try-with-resources.
     *
     * <p><b>Cancellation.</b> As {@link #acquire()}: if it throws, no handle exists and the task
     * holds nothing.
     *
     * @return the handle
     */
    public Held hold() {
        acquire();
        return this::release;
    }

    /**
     * Releases the lock and hands it to the first waiter.
     *
     * @throws IllegalStateException if the lock is not held, or is held by another task
     */
    public void release() {
        binding.loop();
        if (owner == null) {
            throw new IllegalStateException("AsyncLock is not acquired");
        }
        Task<?> me = Task.current();
        if (owner != me) {
            throw new IllegalStateException("AsyncLock is held by " + owner + ", not by " + (me == null ? "this callback" : me)
                    + "; only the task that acquired it may release it");
        }
        owner = null;
        waiters.wakeHead();
    }

    /** {@return whether some task holds the lock} */
    public boolean isLocked() {
        return owner != null;
    }

    /** {@return whether the calling task holds the lock} */
    public boolean isHeldByCurrentTask() {
        return owner != null && owner == Task.current();
    }

    /** {@return the task holding the lock, or {@code null}} */
    public Task<?> owner() {
        return owner;
    }

    @Override
    public String toString() {
        return "AsyncLock[" + (owner == null ? "unlocked" : "locked by " + owner.getName())
                + ", waiters=" + waiters.waiting() + "]";
    }
}
