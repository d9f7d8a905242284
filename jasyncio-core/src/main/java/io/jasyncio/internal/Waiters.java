package io.jasyncio.internal;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A FIFO of waiter futures, the building block of the waiting primitives (locks, semaphores,
 * conditions, queues). A woken waiter stays in line until it {@linkplain #leave leaves}, so that it
 * keeps its place ahead of newcomers until it runs.
 *
 * <p><b>The hand-off rule</b>, written once here for every primitive (channels and the
 * {@code JanusQueue} use {@link #keep} directly). Waking a waiter grants it something (an item, room,
 * the lock, a permit, a notification), but the grant is only a promise until the woken task runs:
 * the primitive still holds it. A task cancelled between the two, after it was woken and before it
 * resumed, does not take the grant: it hands it back ({@code giveBack}, which passes it to the next
 * waiter) and raises {@link CancelledError}, as asyncio's primitives do. Without this, jasyncio's
 * rule that an await whose future completed returns normally (the cancellation coming at the next
 * await) would let the grant leave with a task that is about to stop: a task whose body ends with
 * the {@code get} is cancelled with the item as its discarded result.
 * What cannot be handed back (a sender's item that a receiver already took) stands, and the
 * cancellation comes at the task's next await.
 */
public final class Waiters {
    private final ArrayDeque<AsyncFuture<Boolean>> q = new ArrayDeque<>();

    /**
     * Waits in line for a wake-up: joins, awaits, leaves. Cancelled while waiting, it leaves and
     * rethrows; cancelled after being woken but before resuming, it runs {@code giveBack} and throws
     * the cancellation (see the class description).
     *
     * @param loop the loop of the waiting task
     * @param what what it waits for, for task dumps
     * @param giveBack returns the grant of a wake-up the task will not use (passes it on)
     * @return true when woken and the task keeps its turn; false in the rare case that it gave the
     *     turn back and the cancellation was withdrawn meanwhile ({@code uncancel} by another task):
     *     the caller tries again
     */
    public boolean await(EventLoop loop, String what, Runnable giveBack) {
        Task<?> me = Task.current();
        int mark = me.cancelling();
        AsyncFuture<Boolean> f = join(loop, what);
        try {
            f.await();
        } catch (CancelledError e) {
            leave(f);
            if (!f.isCancelled()) {
                giveBack.run(); // woken, yet cancelled at its await: the turn is not used
            }
            throw e;
        }
        leave(f);
        return keep(me, mark, giveBack);
    }

    /**
     * After an await of a hand-off returned normally: decides whether the task keeps what it was
     * handed. A {@code cancel()} during the wait either cancelled the waiter's future (and the
     * await raised) or, the future being completed already, was left pending for the task's next
     * await; so if {@code cancelling()} rose across an await that returned, the request came after
     * the hand-off, which is then undone: {@code giveBack} runs and the pending
     * {@link CancelledError} is delivered here, at a yield (so it is raised once, with its message
     * and site). (A request withdrawn by another task's {@code uncancel()} between the two goes
     * unseen: the task keeps the grant and nothing is pending.)
     *
     * @param me the current task
     * @param mark {@code me.cancelling()} before the await
     * @param giveBack hands the grant back to the primitive
     * @return true if the task keeps the grant; false if it was handed back and no cancellation is
     *     pending after all (the caller tries again)
     */
    public static boolean keep(Task<?> me, int mark, Runnable giveBack) {
        if (me.cancelling() <= mark) {
            return true;
        }
        giveBack.run();
        Asyncio.sleep(0); // raises the pending CancelledError, with its message and site
        return false;
    }

    /**
     * Joins the line: a new future the caller will await.
     *
     * @param loop the loop of the waiting task
     * @param what what it waits for, for task dumps
     * @return the future
     */
    public AsyncFuture<Boolean> join(EventLoop loop, String what) {
        AsyncFuture<Boolean> f = loop.<Boolean>createFuture();
        f.describedAs(what);
        q.addLast(f);
        return f;
    }

    /** @param f a future from {@link #join}: leaves the line (again is harmless) */
    public void leave(AsyncFuture<Boolean> f) {
        q.remove(f);
    }

    /**
     * Wakes the first waiter not cancelled, unless it is already woken. For a lock: a woken head
     * still holds its claim until it runs, so nobody behind it may be woken (that would hand the
     * lock out twice).
     */
    public void wakeHead() {
        for (AsyncFuture<Boolean> f : q) {
            if (!f.isCancelled()) {
                if (!f.isDone()) {
                    f.setResult(Boolean.TRUE);
                }
                return;
            }
        }
    }

    /** Wakes the first waiter not already woken or cancelled; returns whether there was one. */
    public boolean wakeFirst() {
        for (AsyncFuture<Boolean> f : q) {
            if (!f.isDone()) {
                f.setResult(Boolean.TRUE);
                return true;
            }
        }
        return false;
    }

    /** Wakes up to {@code n} waiters; returns how many. */
    public int wake(int n) {
        int woken = 0;
        for (Iterator<AsyncFuture<Boolean>> it = q.iterator(); it.hasNext() && woken < n; ) {
            AsyncFuture<Boolean> f = it.next();
            if (!f.isDone()) {
                f.setResult(Boolean.TRUE);
                woken++;
            }
        }
        return woken;
    }

    /** Whether some waiter is not cancelled (woken ones count: they are ahead of newcomers). */
    public boolean anyNotCancelled() {
        for (AsyncFuture<Boolean> f : q) {
            if (!f.isCancelled()) {
                return true;
            }
        }
        return false;
    }

    /** @return how many wait and were not cancelled */
    public int waiting() {
        int n = 0;
        for (AsyncFuture<Boolean> f : q) {
            if (!f.isDone()) {
                n++;
            }
        }
        return n;
    }
}
