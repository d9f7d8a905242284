package io.jasyncio;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A body of code running concurrently with others on one {@link EventLoop}: a future whose
 * outcome is what the body returns or throws. Mirrors asyncio's {@code Task}.
 *
 * <p>The body runs on its own virtual thread, so it can {@linkplain AsyncFuture#await() await}
 * at any depth of its call stack, but the loop lets exactly one of its tasks or callbacks run at a
 * time: between two awaits a task runs alone and needs no locks. The loop holds a strong
 * reference to every pending task, so a task nobody keeps a reference to still runs to the end
 * (asyncio keeps only weak references and may lose such tasks).
 *
 * <p>Create tasks with {@link Asyncio#createTask}, {@link EventLoop#createTask} or a
 * {@link TaskGroup}. By default a new task first runs on the next loop iteration; an eager task
 * (asyncio 3.12's eager task factory) runs at once, inside {@code createTask}, until its first
 * suspension.
 *
 * <p><b>Cancellation</b> follows asyncio 3.11+: {@link #cancel(String)} asks the task to stop by
 * throwing {@link CancelledError} at its current await point (by cancelling the future it awaits)
 * or at its next one; the body may catch it to clean up. {@link #cancelling()} counts the pending
 * requests and {@link #uncancel()} withdraws one, which is how {@link Timeout} and
 * {@link TaskGroup} tell their own cancellations from others.
 *
 * @param <T> the result type
 */
public final class Task<T> extends AsyncFuture<T> {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id;
    private String name;
    /** A {@link Callable} or a {@link CheckedRunnable}; null once started. */
    private Object body;
    /** The virtual thread, created at the first step. Written before the thread gets the baton. */
    Thread thread;
    /** The future this task is suspended on, as asyncio's _fut_waiter. */
    AsyncFuture<?> futWaiter;
    /** A cancellation to deliver at the next step (asyncio's _must_cancel). */
    boolean mustCancel;
    private int numCancelsRequested;
    /** The thread to hand control back to at this task's first suspension, for an eager start. */
    Thread eagerCaller;
    /** Links in the loop's list of pending tasks. */
    Task<?> livePrev;
    Task<?> liveNext;
    /** The error that ended this task, if it was cancelled by one. */
    private CancelledError cancelledExc;
    /** How many steps the task has run (times it got control). */
    int steps;
    /** The context the task runs in; null while it would be empty (made on first use). */
    Context ctx;
    /** An {@link AsyncGenerator}'s producer: left out of {@link EventLoop#allTasks()}, shown in dumps. */
    boolean hidden;

    Task(EventLoop loop, Object body, String name, Context creator) {
        super(loop);
        this.body = body;
        this.id = IDS.incrementAndGet();
        this.name = name;
        this.ctx = creator == null || creator.size() == 0 ? null : creator.copy();
    }

    /** A task that runs in {@code context} itself (asyncio's {@code create_task(context=)}). */
    Task(EventLoop loop, Context context, Object body, String name) {
        super(loop);
        this.body = body;
        this.id = IDS.incrementAndGet();
        this.name = name;
        this.ctx = context;
    }

    /**
     * The context the task runs in: a copy of its creator's, taken when it was created, or the
     * context it was given ({@link Asyncio#createTask(Context, Callable)}), itself. Mirrors
     * {@code Task.get_context()} (3.12).
     *
     * @return the context
     */
    public Context getContext() {
        Context c = ctx;
        if (c == null) {
            c = new Context();
            ctx = c;
        }
        return c;
    }

    /**
     * The task's name; {@code Task-N} unless one was given.
     *
     * @return the name
     */
    public String getName() {
        String n = name;
        return n != null ? n : "Task-" + id;
    }

    /** @return the task's number, the N of {@code Task-N} */
    long id() {
        return id;
    }

    /**
     * The task's number: unique in the JVM, the N of its default name {@code Task-N}, and the id
     * task dumps and the monitor use.
     *
     * @return the id
     */
    public long getId() {
        return id;
    }

    /**
     * Renames the task.
     *
     * @param name the new name
     */
    public void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
        Thread t = thread;
        if (t != null) {
            t.setName(name);
        }
    }

    boolean hasGivenName() {
        return name != null;
    }

    /**
     * The task running the calling code, or {@code null} on a plain thread or in a loop callback;
     * never throws, so that log formatters and other infrastructure can use it anywhere.
     *
     * @return the task, or {@code null}
     */
    public static Task<?> current() {
        EventLoop l = EventLoop.ownedBy(Thread.currentThread());
        return l == null ? null : l.currentTask();
    }

    /*
     * cancel(message), inherited: asks the task to stop: CancelledError is thrown at its current
     * await point, or at the next one if it is running or about to run. The body may catch it (and
     * then the task is not cancelled, though cancelling() still counts the request). Mirrors
     * asyncio 3.11+. Implemented by cancelWith below.
     */
    @Override
    boolean cancelWith(String message, String reason) {
        loop.checkThread("cancel a task");
        if (state != PENDING) {
            markRetrieved(); // as asyncio: cancelling a failed task silences its report
            return false;
        }
        numCancelsRequested++;
        noteCancel(reason);
        AsyncFuture<?> waiter = futWaiter;
        if (waiter != null && waiter.cancelWith(message, reason)) {
            // Keep futWaiter: it may be a task that swallows the cancellation and must be
            // cancelled again later (asyncio does the same).
            return true;
        }
        mustCancel = true;
        cancelMessage = message;
        return true;
    }

    /**
     * How many cancellation requests are pending: {@link #cancel} calls not yet withdrawn by
     * {@link #uncancel()}.
     *
     * @return the count
     */
    public int cancelling() {
        return numCancelsRequested;
    }

    /**
     * Withdraws one cancellation request. When none are left, a cancellation not yet delivered is
     * dropped (asyncio 3.13 behaviour). Used by timeouts and task groups that cancelled the task
     * themselves and have handled it.
     *
     * @return the number of requests still pending
     */
    public int uncancel() {
        loop.checkThread("uncancel a task");
        if (numCancelsRequested > 0) {
            numCancelsRequested--;
            if (numCancelsRequested == 0) {
                mustCancel = false;
            }
        }
        return numCancelsRequested;
    }

    /**
     * Not supported: a task's outcome is what its body returns.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setResult(T value) {
        throw new UnsupportedOperationException("Task does not support setResult(); its body's return value is its result");
    }

    /**
     * Not supported: a task's outcome is what its body throws.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setException(Throwable exception) {
        throw new UnsupportedOperationException("Task does not support setException(); its body's exception is its exception");
    }

    /**
     * Where the task is: for a pending task, the frames of its body's call stack where it is
     * suspended (or running), newest first, without the loop's own machinery; for a task that
     * failed, the frames of its exception; otherwise empty.
     *
     * @return the frames
     */
    public List<StackTraceElement> getStack() {
        return getStack(Integer.MAX_VALUE);
    }

    /**
     * Like {@link #getStack()}, at most {@code limit} frames.
     *
     * @param limit the most frames to return
     * @return the frames, newest first
     */
    public List<StackTraceElement> getStack(int limit) {
        StackTraceElement[] raw;
        if (state == PENDING) {
            Thread t = thread;
            if (t == null) {
                return List.of();
            }
            raw = t.getStackTrace();
        } else if (peekException() != null) {
            raw = peekException().getStackTrace();
        } else {
            return List.of();
        }
        List<StackTraceElement> out = new ArrayList<>();
        for (StackTraceElement e : StackFrames.userFrames(raw)) {
            if (out.size() >= limit) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /**
     * Prints {@link #getStack()} to {@code out}.
     *
     * @param out where to print
     */
    public void printStack(PrintStream out) {
        List<StackTraceElement> frames = getStack();
        out.println("Stack for " + this + (frames.isEmpty() ? ": no frames" : " (most recent call first):"));
        for (StackTraceElement e : frames) {
            out.println("\tat " + e);
        }
    }

    // ------------------------------------------------------------------ running (on the loop)

    /**
     * Suspends this task, the current one, until {@code f} is done. The caller checked that this
     * task is current and that f is pending and belongs to this loop.
     */
    void awaitPending(AsyncFuture<?> f) {
        if (f == this) {
            throw new IllegalStateException("Task cannot await on itself: " + this);
        }
        futWaiter = f;
        f.addWaiter(this);
        if (mustCancel && f.cancelWith(cancelMessage, pendingCancelReason())) {
            mustCancel = false;
        }
        loop.suspend(this);
        futWaiter = null;
        resumePoint(f);
    }

    /** Suspends this task, the current one, for one loop iteration (asyncio's bare yield). */
    void yieldStep() {
        loop.scheduleStep(this);
        loop.suspend(this);
        resumePoint(null);
    }

    /**
     * Runs wherever the task regains control: at its first step and after every suspension.
     * Keeping this one method on both paths keeps the JIT's branch profile of the resume path
     * balanced; a resume path that was never executed when it was compiled would deoptimise once
     * per suspended task on resume (measured: 1M tasks suspended at once took 10 s instead of 1).
     */
    private void resumePoint(AsyncFuture<?> awaited) {
        if (mustCancel) {
            applyPendingCancel(awaited);
        }
    }

    private void applyPendingCancel(AsyncFuture<?> awaited) {
        if (awaited == null) {
            mustCancel = false;
            Diagnostics d = diag;
            throw new CancelledError(cancelMessage, d == null ? null : d.cancelledAt);
        }
        if (awaited.isCancelled()) {
            // Its own CancelledError is what the await raises; this request is spent.
            mustCancel = false;
        }
        // Otherwise the awaited operation completed: its outcome is returned and the cancellation
        // stays pending for the next suspension.
    }

    /** The body of the task's virtual thread. */
    @SuppressWarnings("unchecked")
    void runOnThread() {
        EventLoop l = loop;
        l.awaitBaton(Thread.currentThread());
        l.enterTask(this);
        Object b = body;
        body = null;
        T value = null;
        Throwable error = null;
        try {
            resumePoint(null);
            if (b instanceof CheckedRunnable r) {
                r.run();
            } else {
                value = ((Callable<? extends T>) b).call();
            }
        } catch (Throwable e) {
            error = e;
        }
        try {
            complete(value, error);
            if (error != null) {
                l.escaped(this, error);   // an error the loop cannot go on after stops it
            }
        } catch (Throwable e) {
            l.brokeDown(this, e);   // completing failed (no memory for a callback): the loop's state is in doubt
        }
        l.finish(this);   // never throws: the baton must not die with this thread
    }

    /** Completes a task cancelled before its first step, without ever starting its thread. */
    void cancelBeforeStart() {
        body = null;
        mustCancel = false;
        loop.unlink(this);
        cancelSelf(cancelMessage);
    }

    private void complete(T value, Throwable error) {
        loop.unlink(this);
        if (error == null) {
            if (mustCancel) {
                // Cancelled right before the body returned (asyncio does the same).
                mustCancel = false;
                cancelSelf(cancelMessage);
            } else {
                trySetResult(value);
            }
        } else if (error instanceof CancelledError ce) {
            cancelledExc = ce;
            cancelSelf(ce.getMessage());
        } else {
            trySetException(error);
        }
    }

    /**
     * The error that ended the task is what its awaiters get, itself, as CPython 3.12+ raises the
     * saved exception: the original cancellation, with its message, comes first in line instead of
     * behind a wrapper per task it passed through.
     */
    @Override
    CancelledError makeCancelledError() {
        CancelledError e = cancelledExc;
        return e != null ? e : super.makeCancelledError();
    }

    /** The reason recorded with a pending cancellation, for the future it lands on (debug mode). */
    private String pendingCancelReason() {
        Diagnostics d = diag;
        return d == null || d.cancelledAt == null ? null : d.cancelledAt.canceller();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Task[").append(getName()).append(", ").append(stateName());
        AsyncFuture<?> w = futWaiter;
        if (state == PENDING && w != null) {
            sb.append(", awaiting=").append(brief(w));
        }
        return sb.append(']').toString();
    }
}
