package io.jasyncio.channels;

/**
 * One alternative of a {@link Select#select}: a receive, a send, a future or a timeout, with the
 * handler that runs if it wins. Made by {@link Channel#onReceive}, {@link Channel#onSend},
 * {@link Select#onDone} and {@link Select#onTimeout}. A clause holds no state of its own, so one
 * clause may be reused by many selects, one after another or at once.
 *
 * @param <R> what its handler returns
 */
public abstract sealed class SelectClause<R> permits Channel.ReceiveClause, Channel.SendClause, Select.DoneClause, Select.TimeoutClause {
    /** Returned by {@link #tryNow} when the clause cannot win without waiting. */
    static final Object NOT_READY = new Object();

    SelectClause() {
    }

    /** Tries to win at once, taking effect if it does; returns the clause's value, or {@link #NOT_READY}. */
    abstract Object tryNow();

    /**
     * Waits to win: when it can, the clause calls {@code op.tryWin(index, value)}, and takes effect
     * only if that returns true.
     *
     * @return what {@link #unregister} needs to undo this registration
     */
    abstract Object register(Select.Op op, int index);

    /** Stops waiting (another clause won, or the select was cancelled). */
    abstract void unregister(Object registration);

    /**
     * Whether the effect of winning with {@code value} can still be undone, when the task is
     * cancelled after its clause won but before it resumed: a received item can go back to its
     * channel; a sent item, an elapsed timeout or a done future stand.
     */
    boolean canGiveBack(Object value) {
        return false;
    }

    /** Undoes the effect of winning with {@code value}; see {@link #canGiveBack}. */
    void giveBack(Object value) {
    }

    /** Runs the handler with the winning value. */
    abstract R complete(Object value);
}
