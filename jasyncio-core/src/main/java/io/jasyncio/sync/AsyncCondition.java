package io.jasyncio.sync;

import io.jasyncio.CancelledError;
import io.jasyncio.internal.LoopBinding;
import io.jasyncio.internal.Waiters;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A condition variable over an {@link AsyncLock}: asyncio's {@code Condition}. A task holding the
 * lock {@linkplain #await() waits} (releasing the lock meanwhile) until another task holding it
 * {@linkplain #notifyOne() notifies}; it gets the lock back before its wait returns.
 *
 * <p>Java's {@code Object.notify()} and {@code notifyAll()} are final, so asyncio's
 * {@code notify(n)} and {@code notify_all()} are {@link #notifyOne()}, {@link #notify(int)} and
 * {@link #notifyAllWaiters()} here.
 */
public final class AsyncCondition {
    private final LoopBinding binding = new LoopBinding(this);
    private final AsyncLock lock;
    private final Waiters waiters = new Waiters();

    /** A condition with a lock of its own. */
    public AsyncCondition() {
        this(new AsyncLock());
    }

    /**
     * A condition over {@code lock}, which may be shared with other conditions.
     *
     * @param lock the lock
     */
    public AsyncCondition(AsyncLock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /** {@return the condition's lock} */
    public AsyncLock lock() {
        return lock;
    }

    /** Acquires the lock; see {@link AsyncLock#acquire()}. */
    public void acquire() {
        lock.acquire();
    }

    /** Releases the lock; see {@link AsyncLock#release()}. */
    public void release() {
        lock.release();
    }

    /** {@return a handle that releases the lock it acquired, for try-with-resources} */
    public Held hold() {
        return lock.hold();
    }

    /**
     * Releases the lock, waits until notified, and takes the lock again before returning, also
     * when cancelled. asyncio's {@code Condition.wait()}.
     *
     * <p><b>Cancellation.</b> A cancellation point that loses no notification: cancelled while
     * waiting, or after being notified but before it resumed, the task passes the notification it
     * will not act on to another waiter (gh-112202), takes the lock back and throws the
     * {@link CancelledError} it received, the same object, as asyncio does; so inside a
     * {@code timeout} that expires, the lock is held again before the timeout error leaves. A
     * cancellation that arrives while it takes the lock back is thrown once the lock is held. Like
     * every condition variable it may return without a notification (the rare case of a withdrawn
     * cancellation); wait for a predicate with {@link #awaitFor}.
     *
     * @throws IllegalStateException if the calling task does not hold the lock
     */
    public void await() {
        binding.task("wait on a condition");
        if (!lock.isHeldByCurrentTask()) {
            throw new IllegalStateException("cannot wait on a condition whose lock the task does not hold");
        }
        lock.release();
        boolean notified = false;
        try {
            // A notified waiter cancelled before it resumed passes the notification on (giveBack).
            notified = waiters.await(binding.loop(), "Condition.wait", () -> waiters.wake(1));
        } finally {
            // Take the lock back, even if cancelled: the caller's finally blocks expect to hold it.
            CancelledError err = null;
            for (;;) {
                try {
                    lock.acquire();
                    break;
                } catch (CancelledError e) {
                    err = e;
                }
            }
            if (err != null) {
                if (notified) {
                    waiters.wake(1); // we will not act on the notification: pass it on (gh-112202)
                }
                throw err;
            }
        }
    }

    /**
     * Waits until {@code predicate} holds, checking it first and after every notification.
     * asyncio's {@code wait_for(predicate)}.
     *
     * <p><b>Cancellation.</b> A cancellation point with {@link #await()}'s rule: a notification it
     * will not act on goes to another waiter, and the lock is held again when the
     * {@link CancelledError} leaves.
     *
     * @param predicate what to wait for; called with the lock held
     * @return the predicate's last (true) value
     */
    public boolean awaitFor(BooleanSupplier predicate) {
        boolean r = predicate.getAsBoolean();
        while (!r) {
            await();
            r = predicate.getAsBoolean();
        }
        return true;
    }

    /** Wakes one waiter; the calling task must hold the lock. */
    public void notifyOne() {
        notify(1);
    }

    /**
     * Wakes up to {@code n} waiters; the calling task must hold the lock.
     *
     * @param n how many
     * @throws IllegalStateException if the calling task does not hold the lock
     */
    public void notify(int n) {
        if (!lock.isHeldByCurrentTask()) {
            throw new IllegalStateException("cannot notify on a condition whose lock the task does not hold");
        }
        waiters.wake(n);
    }

    /** Wakes every waiter; the calling task must hold the lock. */
    public void notifyAllWaiters() {
        notify(Integer.MAX_VALUE);
    }

    @Override
    public String toString() {
        return "AsyncCondition[" + lock + ", waiters=" + waiters.waiting() + "]";
    }
}
