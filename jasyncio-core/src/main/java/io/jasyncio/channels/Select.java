package io.jasyncio.channels;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.TimerHandle;
import io.jasyncio.internal.Waiters;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Waits for the first of several alternatives and runs its handler: Kotlin's {@code select}.
 *
 * <pre>{@code
 * String what = Select.select(
 *         orders.onReceive(o -> "order " + o),
 *         cancels.onReceive(c -> "cancel " + c),
 *         results.onSend(next, () -> "sent " + next),
 *         Select.onDone(shutdown, f -> "shutting down"),
 *         Select.onTimeout(5, () -> "idle"));
 * }</pre>
 *
 * <p>Clauses that can win at once are tried in the order given (the first one ready wins). Otherwise
 * the task waits until one can; only that one takes effect: an item is received, or sent, only by
 * the clause that wins, so the others lose nothing.
 */
public final class Select {
    private Select() {
    }

    /**
     * Waits for the first clause that can win, and returns what its handler returns.
     *
     * <p><b>Cancellation.</b> A cancellation point that loses nothing: cancelled while waiting, no
     * clause takes effect. Cancelled after a clause won but before the task resumed: a receive
     * clause's item goes back to the front of its channel and the select throws
     * {@link io.jasyncio.CancelledError}; the effect of any other clause (an item sent, a timeout, a
     * done future) stands, its handler runs, and the cancellation comes at the task's next await.
     *
     * @param <R> the result type
     * @param clauses the alternatives, at least one
     * @return the winning clause's handler's result
     * @throws ChannelClosedException if the winner is a receive on a closed, drained channel, or a
     *     send on a closed channel
     */
    @SafeVarargs
    public static <R> R select(SelectClause<? extends R>... clauses) {
        if (clauses.length == 0) {
            throw new IllegalArgumentException("select needs at least one clause");
        }
        EventLoop loop = EventLoop.getRunningLoop();
        Task<?> me = Task.current();
        if (me == null) {
            throw new IllegalStateException("Cannot select outside a task (in a callback, or on a plain thread)");
        }
        for (;;) {
            for (SelectClause<? extends R> c : clauses) {
                Object v = Objects.requireNonNull(c, "clause").tryNow();
                if (v != SelectClause.NOT_READY) {
                    return c.complete(v);
                }
            }
            Op op = new Op(loop.createFuture());
            op.done.describedAs("select of " + clauses.length);
            Object[] registrations = new Object[clauses.length];
            int mark = me.cancelling();
            try {
                for (int i = 0; i < clauses.length; i++) {
                    registrations[i] = clauses[i].register(op, i);
                }
                op.done.await();
            } finally {
                for (int i = 0; i < clauses.length; i++) {
                    if (i != op.winner && registrations[i] != null) {
                        clauses[i].unregister(registrations[i]);
                    }
                }
            }
            SelectClause<? extends R> won = clauses[op.winner];
            // Cancelled after its clause won but before it resumed: a received item goes back
            // (Waiters' hand-off rule); what cannot be undone stands.
            if (!won.canGiveBack(op.value) || Waiters.keep(me, mark, () -> won.giveBack(op.value))) {
                return won.complete(op.value);
            }
        }
    }

    /**
     * A clause that wins when {@code future} is done, whatever its outcome.
     *
     * @param <V> the future's result type
     * @param <R> the handler's result type
     * @param future the future
     * @param handler gets the done future
     * @return the clause
     */
    public static <V, R> SelectClause<R> onDone(AsyncFuture<V> future, Function<? super AsyncFuture<V>, ? extends R> handler) {
        return new DoneClause<>(Objects.requireNonNull(future, "future"), Objects.requireNonNull(handler, "handler"));
    }

    /**
     * A clause that wins when {@code seconds} have passed since the select began.
     *
     * @param <R> the handler's result type
     * @param seconds the delay, not negative
     * @param handler what to return then
     * @return the clause
     */
    public static <R> SelectClause<R> onTimeout(double seconds, Supplier<? extends R> handler) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("timeout must be a non-negative number of seconds, got " + seconds);
        }
        return new TimeoutClause<>(seconds, Objects.requireNonNull(handler, "handler"));
    }

    /** One select in progress: the first clause to win takes it. */
    static final class Op {
        final AsyncFuture<Boolean> done;
        int winner = -1;
        Object value;

        Op(AsyncFuture<Boolean> done) {
            this.done = done;
        }

        /** Claims the select for clause {@code index}; false if another clause won or it was cancelled. */
        boolean tryWin(int index, Object v) {
            if (winner >= 0 || done.isDone()) {
                return false;
            }
            winner = index;
            value = v;
            done.setResult(Boolean.TRUE);
            return true;
        }

        boolean decided() {
            return winner >= 0 || done.isDone();
        }
    }

    static final class DoneClause<V, R> extends SelectClause<R> {
        private final AsyncFuture<V> future;
        private final Function<? super AsyncFuture<V>, ? extends R> handler;

        DoneClause(AsyncFuture<V> future, Function<? super AsyncFuture<V>, ? extends R> handler) {
            this.future = future;
            this.handler = handler;
        }

        @Override
        Object tryNow() {
            return future.isDone() ? future : NOT_READY;
        }

        @Override
        Object register(Op op, int index) {
            Consumer<AsyncFuture<V>> callback = f -> op.tryWin(index, f);
            future.addDoneCallback(callback);
            return callback;
        }

        @Override
        @SuppressWarnings("unchecked")
        void unregister(Object registration) {
            future.removeDoneCallback((Consumer<AsyncFuture<V>>) registration);
        }

        @Override
        R complete(Object value) {
            return handler.apply(future);
        }
    }

    static final class TimeoutClause<R> extends SelectClause<R> {
        private final double seconds;
        private final Supplier<? extends R> handler;

        TimeoutClause(double seconds, Supplier<? extends R> handler) {
            this.seconds = seconds;
            this.handler = handler;
        }

        @Override
        Object tryNow() {
            return NOT_READY; // even a zero timeout lets ready clauses win first
        }

        @Override
        Object register(Op op, int index) {
            return EventLoop.getRunningLoop().callLater(seconds, () -> op.tryWin(index, null));
        }

        @Override
        void unregister(Object registration) {
            ((TimerHandle) registration).cancel();
        }

        @Override
        R complete(Object value) {
            return handler.get();
        }
    }
}
