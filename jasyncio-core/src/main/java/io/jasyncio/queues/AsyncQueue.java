package io.jasyncio.queues;

import io.jasyncio.AsyncFuture;
import io.jasyncio.internal.LoopBinding;
import io.jasyncio.internal.Waiters;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A first-in first-out queue between tasks: asyncio's {@code Queue}. With a {@code maxsize},
 * {@link #put} waits while the queue is full, which is how a fast producer is slowed to the pace of
 * its consumers. {@link #taskDone()} and {@link #join()} let a producer wait until every item was
 * processed; {@link #shutdown} (3.13) ends it.
 *
 * <pre>{@code
 * AsyncQueue<Job> q = new AsyncQueue<>(100);
 * consumer: for (;;) { Job j = q.get(); try { work(j); } finally { q.taskDone(); } }
 * producer: q.put(job); ... q.join();
 * }</pre>
 *
 * @param <T> the item type
 */
public sealed class AsyncQueue<T> permits AsyncLifoQueue, AsyncPriorityQueue {
    private final LoopBinding binding = new LoopBinding(this);
    private final int maxsize;
    private final Waiters getters = new Waiters();
    private final Waiters putters = new Waiters();
    private final Waiters joiners = new Waiters();
    private int unfinished;
    private boolean shutDown;

    /** An unbounded queue. */
    public AsyncQueue() {
        this(0);
    }

    /**
     * A queue holding at most {@code maxsize} items: a {@code put} waits while it is full.
     * Mirrors asyncio's {@code Queue(maxsize)}.
     *
     * @param maxsize the most items it holds; 0 or less for no limit
     */
    public AsyncQueue(int maxsize) {
        this.maxsize = Math.max(0, maxsize);
    }

    // Storage: FIFO here; the subclasses change the order.

    /** Adds an item to the storage. */
    void store(T item) {
        fifo().addLast(item);
    }

    /** Takes the next item from the storage. */
    T take() {
        return fifo().pollFirst();
    }

    /** @return how many items the storage holds */
    int stored() {
        return fifo == null ? 0 : fifo.size();
    }

    /** Empties the storage. */
    void drop() {
        if (fifo != null) {
            fifo.clear();
        }
    }

    private ArrayDeque<T> fifo;

    private ArrayDeque<T> fifo() {
        ArrayDeque<T> f = fifo;
        if (f == null) {
            f = new ArrayDeque<>();
            fifo = f;
        }
        return f;
    }

    /** {@return the most items the queue holds, 0 if unbounded} */
    public int maxsize() {
        return maxsize;
    }

    /** {@return how many items the queue holds} */
    public int qsize() {
        return stored();
    }

    /** {@return whether the queue holds no item} */
    public boolean isEmpty() {
        return stored() == 0;
    }

    /** {@return whether the queue holds {@code maxsize} items (never, if unbounded)} */
    public boolean isFull() {
        return maxsize > 0 && stored() >= maxsize;
    }

    /** {@return whether {@link #shutdown} was called} */
    public boolean isShutDown() {
        return shutDown;
    }

    /**
     * Adds an item, waiting while the queue is full.
     *
     * <p><b>Cancellation.</b> A cancellation point that loses nothing: cancelled while waiting, or
     * after room was made for it but before it resumed, nothing is added, the room goes to the next
     * waiting putter, and {@link io.jasyncio.CancelledError} is thrown, as asyncio does. So when
     * {@code put} throws, the item was not added; when it returns, it was.
     *
     * @param item the item, not null
     * @throws QueueShutDownException if the queue is (or gets) shut down
     */
    public void put(T item) {
        Objects.requireNonNull(item, "item");
        binding.task("put into a queue");
        while (isFull()) {
            if (shutDown) {
                throw new QueueShutDownException("put into a shut-down queue");
            }
            putters.await(binding.loop(), "Queue.put", this::passRoomOn);
        }
        putNowait(item);
    }

    /** A woken putter that will not put passes the room on. */
    private void passRoomOn() {
        if (!isFull()) {
            putters.wakeFirst();
        }
    }

    /** A woken getter that will not get passes the item on. */
    private void passItemOn() {
        if (!isEmpty()) {
            getters.wakeFirst();
        }
    }

    /**
     * Adds an item if there is room, without waiting.
     *
     * @param item the item, not null
     * @throws QueueFullException if the queue is full
     * @throws QueueShutDownException if the queue is shut down
     */
    public void putNowait(T item) {
        Objects.requireNonNull(item, "item");
        binding.loop();
        if (shutDown) {
            throw new QueueShutDownException("put into a shut-down queue");
        }
        if (isFull()) {
            throw new QueueFullException("the queue is full (maxsize " + maxsize + ")");
        }
        store(item);
        unfinished++;
        getters.wakeFirst();
    }

    /**
     * Takes the next item, waiting while the queue is empty.
     *
     * <p><b>Cancellation.</b> A cancellation point that loses nothing: cancelled while waiting, or
     * after an item arrived for it but before it resumed, nothing is taken, the item stays first in
     * the queue for the next getter, and {@link io.jasyncio.CancelledError} is thrown, as asyncio
     * does. So when {@code get} throws, no item left the queue; when it returns one, it did.
     *
     * @return the item
     * @throws QueueShutDownException if the queue is shut down and empty
     */
    public T get() {
        binding.task("get from a queue");
        while (isEmpty()) {
            if (shutDown) {
                throw new QueueShutDownException("get from a shut-down, empty queue");
            }
            getters.await(binding.loop(), "Queue.get", this::passItemOn);
        }
        return getNowait();
    }

    /**
     * Takes the next item if there is one, without waiting.
     *
     * @return the item
     * @throws QueueEmptyException if the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty
     */
    public T getNowait() {
        binding.loop();
        if (isEmpty()) {
            if (shutDown) {
                throw new QueueShutDownException("get from a shut-down, empty queue");
            }
            throw new QueueEmptyException("the queue is empty");
        }
        T item = take();
        putters.wakeFirst();
        return item;
    }

    /**
     * Says that an item taken from the queue was processed; {@link #join()} returns when every item
     * put was.
     *
     * @throws IllegalStateException if called more times than items were put
     */
    public void taskDone() {
        binding.loop();
        if (unfinished <= 0) {
            throw new IllegalStateException("taskDone() called too many times");
        }
        if (--unfinished == 0) {
            joiners.wake(Integer.MAX_VALUE);
        }
    }

    /**
     * Waits until every item put has been taken and processed ({@link #taskDone()}).
     *
     * <p><b>Cancellation.</b> A cancellation point: cancelled while waiting, it throws
     * {@link io.jasyncio.CancelledError}; cancelled after the queue was finished but before it
     * resumed, it returns normally (it takes nothing) and the cancellation comes at the next await.
     */
    public void join() {
        binding.task("join a queue");
        if (unfinished > 0) {
            AsyncFuture<Boolean> j = joiners.join(binding.loop(), "Queue.join");
            try {
                j.await();
            } finally {
                joiners.leave(j);
            }
        }
    }

    /** Shuts the queue down, keeping its items: see {@link #shutdown(boolean)}. */
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down (Python 3.13): puts fail from now on, waiting putters and getters are
     * woken, and gets fail once the queue is empty. {@code immediate} empties it at once, counting
     * the dropped items as done, so gets fail at once and {@link #join()} returns.
     *
     * @param immediate whether to drop the items
     */
    public void shutdown(boolean immediate) {
        binding.loop();
        shutDown = true;
        if (immediate) {
            int n = stored();
            drop();
            unfinished = Math.max(0, unfinished - n);
            if (unfinished == 0) {
                joiners.wake(Integer.MAX_VALUE);
            }
        }
        getters.wake(Integer.MAX_VALUE);
        putters.wake(Integer.MAX_VALUE);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[size=" + stored() + (maxsize > 0 ? ", maxsize=" + maxsize : "")
                + (shutDown ? ", shut down" : "") + ", getters=" + getters.waiting() + ", putters=" + putters.waiting() + "]";
    }
}
