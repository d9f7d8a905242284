package io.jasyncio.channels;

import io.jasyncio.AsyncFuture;
import io.jasyncio.CancelledError;
import io.jasyncio.Task;
import io.jasyncio.internal.Waiters;
import io.jasyncio.internal.LoopBinding;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A channel between tasks: Trio's memory channel and Kotlin's {@code Channel} in one. Senders
 * {@link #send} items, receivers {@link #receive} them in order; {@link #close} ends the stream and
 * receivers see the end once they have drained what was sent.
 *
 * <pre>{@code
 * Channel<Url> urls = new Channel<>(10);
 * producer: for (Url u : seeds) urls.send(u); urls.close();
 * consumer: for (Url u : urls) fetch(u);      // ends when closed and drained
 * }</pre>
 *
 * <p><b>Capacity.</b> {@link #RENDEZVOUS} (0): a send waits until a receiver takes the item, so the
 * two meet. A positive capacity buffers that many items before a send waits; {@link #UNLIMITED}
 * never makes a send wait.
 *
 * <p><b>Closing.</b> After {@link #close}, sends fail with {@link ChannelClosedException}. What was
 * sent before still arrives: the buffered items, and the items of senders that were already waiting
 * (their sends complete normally when a receiver takes them). Once all of that is received,
 * {@code receive} fails with {@link ChannelClosedException} and iteration ends. A channel closed
 * with a cause passes it on as the exception's cause, and iteration then throws rather than ends.
 *
 * <p><b>Cancellation.</b> {@code send} and {@code receive} are cancellation points that lose
 * nothing. A receive cancelled while waiting, or after an item was handed to it but before it
 * resumed, throws {@link CancelledError} and the item goes back: it is the next item received
 * (the buffer holds it, for a moment beyond the capacity, if no other receiver waits). A
 * send cancelled while waiting did not deliver its item; a send whose item a receiver already took
 * cannot be undone, so it returns and the cancellation comes at the task's next await.
 *
 * <p><b>Select.</b> {@link #onReceive} and {@link #onSend} make clauses for {@link Select#select}.
 *
 * <p>A channel belongs to the loop that first uses it and is not thread-safe (for threads, see
 * {@link io.jasyncio.queues.JanusQueue}). Null items are refused.
 *
 * @param <T> the item type
 */
public final class Channel<T> implements Iterable<T> {
    /** The capacity of a channel whose sends wait for a receiver. */
    public static final int RENDEZVOUS = 0;
    /** The capacity of a channel whose sends never wait. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /** The value a waiting receiver gets when the channel closes. */
    private static final Object CLOSED = new Object();
    /** What {@link #poll} returns when no item is ready. */
    private static final Object NOTHING = new Object();

    private final LoopBinding binding = new LoopBinding(this);
    private final int capacity;
    private final ArrayDeque<T> buffer = new ArrayDeque<>();
    private final ArrayDeque<Waiter> receivers = new ArrayDeque<>();
    private final ArrayDeque<Waiter> senders = new ArrayDeque<>();
    private boolean closed;
    private Throwable closeCause;

    /** A rendezvous channel. */
    public Channel() {
        this(RENDEZVOUS);
    }

    /**
     * A channel that buffers up to {@code capacity} items before a send waits.
     *
     * @param capacity how many items it buffers: {@link #RENDEZVOUS}, a positive number, or
     *     {@link #UNLIMITED}
     * @throws IllegalArgumentException if negative
     */
    public Channel(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be 0 (rendezvous) or more, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * A task waiting on the channel: a plain send or receive (its future gets the item, or
     * {@code TRUE} when its item was taken), or one clause of a select.
     */
    private static final class Waiter {
        final AsyncFuture<Object> future;
        final Select.Op op;
        final int index;
        final Object item;

        Waiter(AsyncFuture<Object> future, Select.Op op, int index, Object item) {
            this.future = future;
            this.op = op;
            this.index = index;
            this.item = item;
        }

        /** Completes the wait with {@code v}; false if the waiter is gone (cancelled, or its select decided). */
        boolean claim(Object v) {
            if (op != null) {
                return op.tryWin(index, v);
            }
            if (future.isDone()) {
                return false;
            }
            future.setResult(v);
            return true;
        }
    }

    /** {@return the capacity given at construction} */
    public int capacity() {
        return capacity;
    }

    /** {@return how many items are buffered (not counting those of waiting senders)} */
    public int size() {
        return buffer.size();
    }

    /** {@return whether {@link #close} was called: sends fail} */
    public boolean isClosedForSend() {
        return closed;
    }

    /** {@return whether the channel is closed and everything sent was received: receives fail} */
    public boolean isClosedForReceive() {
        if (!closed || !buffer.isEmpty()) {
            return false;
        }
        for (Waiter w : senders) {
            if (w.op == null ? !w.future.isDone() : !w.op.decided()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sends an item, waiting while the channel has no room (for a rendezvous channel: until a
     * receiver takes it).
     *
     * <p><b>Cancellation.</b> A cancellation point: cancelled while waiting, the item is not sent
     * and {@link CancelledError} is thrown. Once a receiver has taken the item the send has
     * happened: cancelled after that but before it resumed, the send returns and the cancellation
     * comes at the task's next await.
     *
     * @param item the item, not null
     * @throws ChannelClosedException if the channel is closed
     */
    public void send(T item) {
        Objects.requireNonNull(item, "item");
        binding.task("send on a channel");
        if (offer(item)) {
            return;
        }
        Waiter w = new Waiter(binding.loop().createFuture(), null, -1, item);
        w.future.describedAs("Channel.send");
        senders.addLast(w);
        try {
            w.future.await();
        } catch (CancelledError e) {
            senders.remove(w);
            throw e;
        }
    }

    /**
     * Sends an item if that needs no waiting: a receiver is waiting, or the buffer has room.
     *
     * @param item the item, not null
     * @return whether it was sent
     * @throws ChannelClosedException if the channel is closed
     */
    public boolean trySend(T item) {
        Objects.requireNonNull(item, "item");
        binding.loop();
        return offer(item);
    }

    /**
     * Receives the next item, waiting until there is one.
     *
     * <p><b>Cancellation.</b> A cancellation point that loses nothing: cancelled while waiting, or
     * after an item was handed to it but before it resumed, it takes no item (the item goes back,
     * to be the next one received) and throws {@link CancelledError}.
     *
     * @return the item
     * @throws ChannelClosedException if the channel is closed and everything sent was received
     */
    public T receive() {
        Object v = receiveOrClosed();
        if (v == CLOSED) {
            throw closedForReceive();
        }
        return cast(v);
    }

    /**
     * Receives the next item if there is one now.
     *
     * @return the item, or {@code null} if none is ready
     * @throws ChannelClosedException if the channel is closed and everything sent was received
     */
    public T tryReceive() {
        binding.loop();
        Object v = poll();
        if (v != NOTHING) {
            return cast(v);
        }
        if (closed) {
            throw closedForReceive();
        }
        return null;
    }

    /**
     * Closes the channel for sending: see the class description. Waiting receivers fail at once if
     * nothing is left to drain.
     *
     * @return true if this call closed it, false if it was closed already
     */
    public boolean close() {
        return close(null);
    }

    /**
     * Closes the channel for sending, with a cause that receivers get (as the cause of their
     * {@link ChannelClosedException}) once they have drained the channel.
     *
     * @param cause why it closed, or {@code null}
     * @return true if this call closed it, false if it was closed already (the first cause stays)
     */
    public boolean close(Throwable cause) {
        binding.loop();
        if (closed) {
            return false;
        }
        closed = true;
        closeCause = cause;
        // Receivers wait only when nothing is buffered and no sender waits, so all of them are done.
        Waiter w;
        while ((w = receivers.pollFirst()) != null) {
            w.claim(CLOSED);
        }
        return true;
    }

    /**
     * Iterates over the items until the channel is closed and drained; {@code hasNext()} waits for
     * the next item, so use it inside a task. The item is received by {@code hasNext()} and held by
     * the iterator until {@code next()}, which a for-each loop calls at once.
     *
     * @return an iterator that receives
     */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private Object next = NOTHING;

            @Override
            public boolean hasNext() {
                if (next != NOTHING) {
                    return true;
                }
                Object v = receiveOrClosed();
                if (v == CLOSED) {
                    if (closeCause != null) {
                        throw closedForReceive();
                    }
                    return false;
                }
                next = v;
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the channel is closed and drained");
                }
                T v = cast(next);
                next = NOTHING;
                return v;
            }
        };
    }

    /**
     * A {@link Select#select} clause that wins by receiving an item. If the channel is closed and
     * drained the clause wins too, and the select throws {@link ChannelClosedException}.
     *
     * @param <R> the handler's result type
     * @param handler gets the item
     * @return the clause
     */
    public <R> SelectClause<R> onReceive(Function<? super T, ? extends R> handler) {
        return new ReceiveClause<>(this, Objects.requireNonNull(handler, "handler"), null);
    }

    /**
     * A {@link Select#select} clause that wins by receiving an item, or when the channel is closed
     * and drained, in which case {@code onClosed} supplies the select's result: the way to select
     * over several channels and notice which one ended.
     *
     * @param <R> the handlers' result type
     * @param handler gets the item
     * @param onClosed runs if the channel is closed and drained
     * @return the clause
     */
    public <R> SelectClause<R> onReceive(Function<? super T, ? extends R> handler, Supplier<? extends R> onClosed) {
        return new ReceiveClause<>(this, Objects.requireNonNull(handler, "handler"), Objects.requireNonNull(onClosed, "onClosed"));
    }

    /**
     * A {@link Select#select} clause that wins by sending {@code item}; it is sent only if the
     * clause wins. On a closed channel the clause wins and the select throws
     * {@link ChannelClosedException}.
     *
     * @param <R> the handler's result type
     * @param item the item, not null
     * @param handler what to return once it is sent
     * @return the clause
     */
    public <R> SelectClause<R> onSend(T item, Supplier<? extends R> handler) {
        return new SendClause<>(this, Objects.requireNonNull(item, "item"), Objects.requireNonNull(handler, "handler"));
    }

    // ---- the exchange ----

    /** Hands the item to a waiting receiver, or buffers it; false if it would have to wait. */
    private boolean offer(Object item) {
        if (closed) {
            throw new ChannelClosedException("send on a closed channel");
        }
        Waiter w;
        while ((w = receivers.pollFirst()) != null) {
            if (w.claim(item)) {
                return true;
            }
        }
        if (buffer.size() < capacity) {
            buffer.addLast(cast(item));
            return true;
        }
        return false;
    }

    /** Takes the next item: from the buffer (refilled from the first waiting sender), else from a sender. */
    private Object poll() {
        T first = buffer.pollFirst();
        Waiter w;
        if (first != null) {
            while (buffer.size() < capacity && (w = senders.pollFirst()) != null) {
                if (w.claim(Boolean.TRUE)) {
                    buffer.addLast(cast(w.item));
                    break;
                }
            }
            return first;
        }
        while ((w = senders.pollFirst()) != null) {
            if (w.claim(Boolean.TRUE)) {
                return w.item;
            }
        }
        return NOTHING;
    }

    private Object receiveOrClosed() {
        Task<?> me = binding.task("receive from a channel");
        for (;;) {
            Object v = poll();
            if (v != NOTHING) {
                return v;
            }
            if (closed) {
                return CLOSED;
            }
            Waiter w = new Waiter(binding.loop().createFuture(), null, -1, null);
            w.future.describedAs("Channel.receive");
            receivers.addLast(w);
            int mark = me.cancelling();
            try {
                v = w.future.await();
            } catch (CancelledError e) {
                receivers.remove(w);
                throw e;
            }
            Object got = v;
            // Cancelled after the item was handed over but before resuming: it goes back (Waiters).
            if (got == CLOSED || Waiters.keep(me, mark, () -> giveBack(got))) {
                return got == CLOSED ? pollOrClosed() : got;
            }
        }
    }

    /** After a receiver was told "closed": an item handed back meanwhile is still delivered. */
    private Object pollOrClosed() {
        Object v = poll();
        return v == NOTHING ? CLOSED : v;
    }

    /**
     * A receiver cancelled after it was handed {@code item}, before it resumed, gives it back: to
     * the next waiting receiver, else to the front of the buffer (for a moment beyond the
     * capacity), so it is the next item received.
     */
    private void giveBack(Object item) {
        Waiter w;
        while ((w = receivers.pollFirst()) != null) {
            if (w.claim(item)) {
                return;
            }
        }
        buffer.addFirst(cast(item));
    }

    private ChannelClosedException closedForReceive() {
        ChannelClosedException e = new ChannelClosedException("receive from a closed channel");
        if (closeCause != null) {
            e.initCause(closeCause);
        }
        return e;
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    @Override
    public String toString() {
        String cap = capacity == RENDEZVOUS ? "rendezvous" : capacity == UNLIMITED ? "unlimited" : "capacity=" + capacity;
        return "Channel[" + cap + ", size=" + buffer.size() + (closed ? ", closed" : "")
                + ", receivers=" + receivers.size() + ", senders=" + senders.size() + "]";
    }

    // ---- select clauses ----

    static final class ReceiveClause<T, R> extends SelectClause<R> {
        private final Channel<T> channel;
        private final Function<? super T, ? extends R> handler;
        private final Supplier<? extends R> onClosed;

        ReceiveClause(Channel<T> channel, Function<? super T, ? extends R> handler, Supplier<? extends R> onClosed) {
            this.channel = channel;
            this.handler = handler;
            this.onClosed = onClosed;
        }

        @Override
        Object tryNow() {
            channel.binding.loop();
            Object v = channel.poll();
            if (v != NOTHING) {
                return v;
            }
            return channel.closed ? CLOSED : NOT_READY;
        }

        @Override
        Object register(Select.Op op, int index) {
            Waiter w = new Waiter(null, op, index, null);
            channel.receivers.addLast(w);
            return w;
        }

        @Override
        boolean canGiveBack(Object value) {
            return value != CLOSED;
        }

        @Override
        void giveBack(Object value) {
            channel.giveBack(value);
        }

        @Override
        void unregister(Object registration) {
            channel.receivers.remove(registration);
        }

        @Override
        R complete(Object value) {
            if (value == CLOSED) {
                value = channel.pollOrClosed();
            }
            if (value == CLOSED) {
                if (onClosed != null) {
                    return onClosed.get();
                }
                throw channel.closedForReceive();
            }
            return handler.apply(cast(value));
        }
    }

    static final class SendClause<T, R> extends SelectClause<R> {
        private final Channel<T> channel;
        private final T item;
        private final Supplier<? extends R> handler;

        SendClause(Channel<T> channel, T item, Supplier<? extends R> handler) {
            this.channel = channel;
            this.item = item;
            this.handler = handler;
        }

        @Override
        Object tryNow() {
            channel.binding.loop();
            if (channel.closed) {
                return CLOSED;
            }
            return channel.offer(item) ? Boolean.TRUE : NOT_READY;
        }

        @Override
        Object register(Select.Op op, int index) {
            Waiter w = new Waiter(null, op, index, item);
            channel.senders.addLast(w);
            return w;
        }

        @Override
        void unregister(Object registration) {
            channel.senders.remove(registration);
        }

        @Override
        R complete(Object value) {
            if (value == CLOSED) {
                throw new ChannelClosedException("send on a closed channel");
            }
            return handler.get();
        }
    }
}
