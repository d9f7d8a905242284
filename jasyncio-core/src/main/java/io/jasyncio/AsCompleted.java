package io.jasyncio;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The iterator {@link Asyncio#asCompleted} returns: hands back the given futures themselves, in the
 * order they complete (asyncio 3.13's {@code async for}). {@link #next()} awaits, so it is used
 * from a task.
 */
final class AsCompleted<F extends AsyncFuture<?>> implements Iterable<F>, Iterator<F> {
    private final EventLoop loop;
    private final Set<F> todo = new LinkedHashSet<>();
    private final ArrayDeque<F> done = new ArrayDeque<>();
    private final Consumer<AsyncFuture<?>> onDone = this::completed;
    private int left;
    private boolean timedOut;
    private TimerHandle timeoutHandle;
    private AsyncFuture<Void> waiter;

    AsCompleted(EventLoop loop, Iterable<F> fs, long deadlineNanos) {
        this.loop = loop;
        for (F f : fs) {
            if (f.loop != loop) {
                throw new IllegalArgumentException("asCompleted: " + f + " belongs to another loop than " + loop);
            }
            todo.add(f);
        }
        for (F f : todo) {
            addCallback(f);
        }
        left = todo.size();
        if (!todo.isEmpty() && deadlineNanos != Long.MAX_VALUE) {
            timeoutHandle = loop.callAtNanos(deadlineNanos, this::timeout);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void addCallback(F f) {
        ((AsyncFuture) f).addDoneCallback((Consumer) onDone);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void timeout() {
        timedOut = true;
        for (F f : todo) {
            ((AsyncFuture) f).removeDoneCallback((Consumer) onDone);
        }
        todo.clear();
        wake();
    }

    @SuppressWarnings("unchecked")
    private void completed(AsyncFuture<?> f) {
        if (!todo.remove(f)) {
            return;
        }
        done.addLast((F) f);
        if (todo.isEmpty() && timeoutHandle != null) {
            timeoutHandle.cancel();
        }
        wake();
    }

    private void wake() {
        if (waiter != null && !waiter.isDone()) {
            waiter.setResult(null);
        }
    }

    /**
     * The iterator itself: iterating again resumes where the last iteration stopped, as asyncio's
     * iterator does (it is its own {@code __iter__}).
     */
    @Override
    public Iterator<F> iterator() {
        return this;
    }

    /** @return whether futures remain to be handed back (does not wait) */
    @Override
    public boolean hasNext() {
        return left > 0;
    }

    /**
     * Waits for the next future to complete and returns it.
     *
     * <p><b>Cancellation.</b> A cancellation point; the futures themselves are not cancelled.
     *
     * @return the next future to complete
     * @throws AsyncTimeoutException if the overall timeout passed first
     */
    @Override
    public F next() {
        if (left == 0) {
            throw new NoSuchElementException("every future was handed back");
        }
        while (done.isEmpty()) {
            if (timedOut) {
                throw new AsyncTimeoutException("asCompleted: the timeout passed with " + left + " futures not done");
            }
            waiter = loop.createFuture();
            waiter.label = Awaits.of("asCompleted, " + left + " to go", todo);
            try {
                waiter.await();
            } finally {
                waiter = null;
            }
        }
        left--;
        return done.pollFirst();
    }
}
