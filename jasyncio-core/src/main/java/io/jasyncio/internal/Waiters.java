package io.jasyncio.internal;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A FIFO of waiter futures, the building block of the waiting primitives (locks, semaphores,
 * conditions, queues). A woken waiter stays in line until it {@linkplain #leave leaves}, so that it
 * keeps its place ahead of newcomers until it runs.
 */
public final class Waiters {
    private final ArrayDeque<AsyncFuture<Boolean>> q = new ArrayDeque<>();

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
     * Wakes the waiter at the head of the line, unless it is already woken or cancelled. For a lock:
     * a woken head still holds its claim until it runs, so nobody behind it may be woken (that would
     * hand the lock out twice); a cancelled head passes the wake-up on as it leaves.
     */
    public void wakeHead() {
        AsyncFuture<Boolean> f = q.peekFirst();
        if (f != null && !f.isDone()) {
            f.setResult(Boolean.TRUE);
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
