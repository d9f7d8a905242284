package io.jasyncio;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * The future {@link Asyncio#gather} returns: completes with the children's results in argument
 * order. Cancelling it cancels the children (asyncio's _GatheringFuture). A child's exception,
 * checked or not, is this future's exception, rethrown unchanged by {@link #await()} (see there on
 * catching checked ones).
 */
final class GatheringFuture extends AsyncFuture<List<Object>> implements Consumer<AsyncFuture<?>>, Awaits {
    private final AsyncFuture<?>[] children;
    private final AsyncFuture<?>[] distinct;
    private final boolean returnExceptions;
    private int finished;
    private boolean cancelRequested;

    private GatheringFuture(EventLoop loop, AsyncFuture<?>[] children, AsyncFuture<?>[] distinct, boolean returnExceptions) {
        super(loop);
        this.children = children;
        this.distinct = distinct;
        this.returnExceptions = returnExceptions;
    }

    /** Builds the gathering future over {@code children} (none empty, all of one loop). */
    static GatheringFuture over(List<? extends AsyncFuture<?>> children, boolean returnExceptions) {
        EventLoop loop = children.get(0).loop;
        IdentityHashMap<AsyncFuture<?>, Boolean> seen = new IdentityHashMap<>(children.size());
        List<AsyncFuture<?>> distinct = new ArrayList<>(children.size());
        for (AsyncFuture<?> f : children) {
            if (f.loop != loop) {
                throw new IllegalArgumentException("gather: all futures must belong to the same loop; "
                        + f + " belongs to " + f.loop + ", not " + loop);
            }
            if (seen.put(f, Boolean.TRUE) == null) {
                distinct.add(f);
            }
        }
        GatheringFuture g = new GatheringFuture(loop, children.toArray(new AsyncFuture<?>[0]),
                distinct.toArray(new AsyncFuture<?>[0]), returnExceptions);
        for (AsyncFuture<?> f : g.distinct) {
            addCallback(f, g);
        }
        return g;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void addCallback(AsyncFuture<?> f, GatheringFuture g) {
        ((AsyncFuture) f).addDoneCallback((Consumer) g);
    }

    /** Cancels every child that is not done; the gather is cancelled once they all are done. */
    @Override
    boolean cancelWith(String message, String reason) {
        loop.checkThread("cancel a gather");
        if (isDone()) {
            return false;
        }
        noteCancel(reason);
        boolean any = false;
        for (AsyncFuture<?> c : distinct) {
            if (c.cancelWith(message, reason)) {
                any = true;
            }
        }
        if (any) {
            // Propagate the cancellation whatever returnExceptions says (bpo-32684).
            cancelRequested = true;
        }
        return any;
    }

    /** A child is done. */
    @Override
    public void accept(AsyncFuture<?> child) {
        finished++;
        if (isDone()) {
            if (!child.isCancelled()) {
                child.markRetrieved();
            }
            return;
        }
        if (!returnExceptions) {
            if (child.isCancelled()) {
                // asyncio sets a CancelledError as the gather's exception; we cancel it outright.
                cancelSelf(child.cancelMessage);
                return;
            }
            Throwable e = child.peekException();
            if (e != null) {
                child.markRetrieved();
                trySetException(e);
                return;
            }
        }
        if (finished < distinct.length) {
            return;
        }
        List<Object> results = new ArrayList<>(children.length);
        for (AsyncFuture<?> c : children) {
            if (c.isCancelled()) {
                results.add(new CancelledError(c.cancelMessage));
            } else if (c.peekException() != null) {
                c.markRetrieved();
                results.add(c.peekException());
            } else {
                results.add(c.outcome());
            }
        }
        if (cancelRequested) {
            cancelSelf(child.cancelMessage);
        } else {
            trySetResult(results);
        }
    }

    @Override
    public String describe() {
        return "gather of " + distinct.length;
    }

    @Override
    public java.util.Collection<? extends AsyncFuture<?>> awaited() {
        return java.util.Arrays.asList(distinct);
    }

    @Override
    public String toString() {
        return "GatheringFuture[" + stateName() + ", children=" + distinct.length + "]";
    }
}
