package io.jasyncio.sync;

import io.jasyncio.AsyncFuture;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.internal.LoopBinding;
import io.jasyncio.internal.Waiters;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * A semaphore that knows its borrowers: Trio's {@code CapacityLimiter}. Each borrower (the calling
 * task, or any object given with {@link #acquireOnBehalfOf}) holds at most one token, and only it
 * can give it back; {@link #borrowers()} says who holds tokens, which answers "what is using all
 * the capacity?". The total can change while in use.
 */
public final class CapacityLimiter {
    private final LoopBinding binding = new LoopBinding(this);
    private final Set<Object> borrowers = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int total;

    private record Waiter(Object borrower, AsyncFuture<Boolean> future) {
    }

    /**
     * A limiter with {@code totalTokens} tokens.
     *
     * @param totalTokens how many borrowers may hold a token at once, at least 1
     */
    public CapacityLimiter(int totalTokens) {
        setTotalTokens(totalTokens);
    }

    /** {@return how many tokens there are} */
    public int totalTokens() {
        return total;
    }

    /**
     * Changes how many tokens there are; more tokens wake waiters at once, fewer take effect as
     * tokens come back.
     *
     * @param totalTokens the new total, at least 1
     */
    public void setTotalTokens(int totalTokens) {
        if (totalTokens < 1) {
            throw new IllegalArgumentException("total_tokens must be >= 1, got " + totalTokens);
        }
        this.total = totalTokens;
        wake();
    }

    /** {@return how many tokens are held} */
    public int borrowedTokens() {
        return borrowers.size();
    }

    /** {@return how many tokens are free} */
    public int availableTokens() {
        return Math.max(0, total - borrowers.size());
    }

    /** {@return who holds tokens now} */
    public Set<Object> borrowers() {
        return Set.copyOf(borrowers);
    }

    /** {@return how many wait for a token} */
    public int waiting() {
        int n = 0;
        for (Waiter w : waiters) {
            if (!w.future().isDone()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Takes a token for the calling task, waiting if none is free.
     *
     * <p><b>Cancellation.</b> A cancellation point that loses nothing; see
     * {@link #acquireOnBehalfOf}.
     */
    public void acquire() {
        acquireOnBehalfOf(binding.task("acquire a capacity limiter"));
    }

    /**
     * Takes a token for {@code borrower}, waiting in line if none is free.
     *
     * <p><b>Cancellation.</b> A cancellation point that loses nothing: cancelled while waiting, or
     * after a token was handed to it but before it resumed, no token is taken (it goes to the next
     * waiter) and {@link CancelledError} is thrown, as for {@link AsyncSemaphore#acquire()}.
     *
     * @param borrower who the token is for
     * @throws IllegalStateException if the borrower already holds a token
     */
    public void acquireOnBehalfOf(Object borrower) {
        Objects.requireNonNull(borrower, "borrower");
        Task<?> me = binding.task("acquire a capacity limiter");
        EventLoop loop = binding.loop();
        while (!tryAcquireOnBehalfOf(borrower)) {
            AsyncFuture<Boolean> fut = loop.createFuture();
            fut.describedAs("CapacityLimiter.acquire");
            Waiter w = new Waiter(borrower, fut);
            waiters.addLast(w);
            int mark = me.cancelling();
            try {
                fut.await();
            } catch (CancelledError e) {
                waiters.remove(w);
                throw e;
            }
            // The token was put in the borrower's name when we were woken; cancelled after that
            // but before resuming, the task gives it back to the next waiter (Waiters' rule).
            if (Waiters.keep(me, mark, () -> releaseOnBehalfOf(borrower))) {
                return;
            }
        }
    }

    /** {@return whether a token was taken for the calling task without waiting} */
    public boolean tryAcquire() {
        return tryAcquireOnBehalfOf(binding.task("acquire a capacity limiter"));
    }

    /**
     * Takes a token for {@code borrower} if one is free and nobody waits.
     *
     * @param borrower who the token is for
     * @return whether the token was taken
     * @throws IllegalStateException if the borrower already holds a token
     */
    public boolean tryAcquireOnBehalfOf(Object borrower) {
        binding.loop();
        if (borrowers.contains(borrower)) {
            throw new IllegalStateException(borrower + " already holds a token of this CapacityLimiter");
        }
        if (borrowers.size() < total && waiting() == 0) {
            borrowers.add(borrower);
            return true;
        }
        return false;
    }

    /**
     * Acquires a token for the calling task and returns a handle that releases it, for
     * try-with-resources.
     *
     * <p><b>Cancellation.</b> As {@link #acquire()}: if it throws, the task holds no token.
     *
     * @return the handle
     */
    public Held hold() {
        acquire();
        Task<?> me = Task.current();
        return () -> releaseOnBehalfOf(me);
    }

    /** Gives back the calling task's token. */
    public void release() {
        releaseOnBehalfOf(binding.task("release a capacity limiter"));
    }

    /**
     * Gives back {@code borrower}'s token and hands it to the first waiter.
     *
     * @param borrower who holds the token
     * @throws IllegalStateException if the borrower holds no token
     */
    public void releaseOnBehalfOf(Object borrower) {
        binding.loop();
        if (!borrowers.remove(borrower)) {
            throw new IllegalStateException(borrower + " does not hold a token of this CapacityLimiter");
        }
        wake();
    }

    private void wake() {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext() && borrowers.size() < total; ) {
            Waiter w = it.next();
            it.remove();
            if (!w.future().isDone()) {
                borrowers.add(w.borrower());
                w.future().setResult(Boolean.TRUE);
            }
        }
    }

    @Override
    public String toString() {
        return "CapacityLimiter[" + borrowers.size() + "/" + total + " borrowed, waiters=" + waiting() + "]";
    }
}
