package io.jasyncio.queues;

import io.jasyncio.AsyncFuture;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.internal.Waiters;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One bounded queue with two faces: a blocking one for threads ({@link #sync()}) and an awaiting one
 * for tasks of one loop ({@link #async()}). Items flow either way: threads produce for tasks, tasks
 * for threads, or both. The "Janus queue" of the asyncio books, for code that bridges a thread
 * world (JDBC, a GUI, a legacy library) and a loop.
 *
 * <pre>{@code
 * JanusQueue<Row> rows = new JanusQueue<>(loop, 1000);
 * worker thread: rows.sync().put(row);              // blocks while full
 * task:          Row r = rows.async().get();        // awaits while empty
 * }</pre>
 *
 * <p>Both faces share one FIFO, one {@code maxsize}, one count of unfinished items
 * ({@code taskDone}/{@code join}) and one shutdown. The state is guarded by a lock held only for
 * short sections with no waiting inside, so the loop never blocks on it for long; waiting tasks are
 * woken through {@link EventLoop#callSoonThreadsafe}. Cancelling an async {@code put} or
 * {@code get} loses no item.
 *
 * @param <T> the item type
 */
public final class JanusQueue<T> {
    private final EventLoop loop;
    private final int maxsize;
    private final ReentrantLock mutex = new ReentrantLock();
    private final Condition notEmpty = mutex.newCondition();
    private final Condition notFull = mutex.newCondition();
    private final Condition allDone = mutex.newCondition();
    private final ArrayDeque<T> items = new ArrayDeque<>();
    private final ArrayDeque<AsyncFuture<Boolean>> asyncGetters = new ArrayDeque<>();
    private final ArrayDeque<AsyncFuture<Boolean>> asyncPutters = new ArrayDeque<>();
    private final ArrayDeque<AsyncFuture<Boolean>> asyncJoiners = new ArrayDeque<>();
    private int unfinished;
    private boolean shutDown;
    private final SyncSide syncSide = new SyncSide();
    private final AsyncSide asyncSide = new AsyncSide();

    /**
     * A queue whose async face serves the tasks of {@code loop}.
     *
     * @param loop the loop of the tasks using {@link #async()}
     * @param maxsize the most items it holds; 0 or less for no limit
     */
    public JanusQueue(EventLoop loop, int maxsize) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.maxsize = Math.max(0, maxsize);
    }

    /** {@return the blocking face, for threads} */
    public SyncSide sync() {
        return syncSide;
    }

    /** {@return the awaiting face, for tasks of the queue's loop} */
    public AsyncSide async() {
        return asyncSide;
    }

    /** {@return the most items the queue holds, 0 if unbounded} */
    public int maxsize() {
        return maxsize;
    }

    /** {@return how many items the queue holds; safe from any thread} */
    public int qsize() {
        mutex.lock();
        try {
            return items.size();
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Shuts the queue down from either side; see {@link AsyncQueue#shutdown(boolean)}. Safe from
     * any thread.
     *
     * @param immediate whether to drop the items at once
     */
    public void shutdown(boolean immediate) {
        mutex.lock();
        try {
            shutDown = true;
            if (immediate) {
                unfinished = Math.max(0, unfinished - items.size());
                items.clear();
                if (unfinished == 0) {
                    allDone.signalAll();
                    wakeAll(asyncJoiners);
                }
            }
            notEmpty.signalAll();
            notFull.signalAll();
            wakeAll(asyncGetters);
            wakeAll(asyncPutters);
        } finally {
            mutex.unlock();
        }
    }

    /** {@return whether the queue was shut down} */
    public boolean isShutDown() {
        mutex.lock();
        try {
            return shutDown;
        } finally {
            mutex.unlock();
        }
    }

    // ------------------------------------------------------------------ shared, under the mutex

    private boolean full() {
        return maxsize > 0 && items.size() >= maxsize;
    }

    private void added(T item) {
        items.addLast(item);
        unfinished++;
        notEmpty.signal();
        wakeOne(asyncGetters);
    }

    private T removed() {
        T item = items.pollFirst();
        notFull.signal();
        wakeOne(asyncPutters);
        return item;
    }

    private void done() {
        if (unfinished <= 0) {
            throw new IllegalStateException("taskDone() called too many times");
        }
        if (--unfinished == 0) {
            allDone.signalAll();
            wakeAll(asyncJoiners);
        }
    }

    /**
     * Wakes the first async waiter in {@code line}; its future is completed on the loop. On the
     * loop, a cancelled waiter (whose task has not left the line yet) is skipped, so the wake-up
     * reaches someone; from a thread, the posted completion passes it on instead.
     */
    private void wakeOne(ArrayDeque<AsyncFuture<Boolean>> line) {
        AsyncFuture<Boolean> f;
        while ((f = line.pollFirst()) != null) {
            if (!loop.isOnLoop() || !f.isDone()) {
                complete(f, line);
                return;
            }
        }
    }

    private void wakeAll(ArrayDeque<AsyncFuture<Boolean>> line) {
        AsyncFuture<Boolean> f;
        while ((f = line.pollFirst()) != null) {
            complete(f, line);
        }
    }

    /**
     * Completes a waiter's future on the loop. From a thread, the completion runs later: if the
     * waiter was cancelled meanwhile, its turn goes to the next in line, or the wake-up would be
     * lost while an item (or room) waits.
     */
    private void complete(AsyncFuture<Boolean> f, ArrayDeque<AsyncFuture<Boolean>> line) {
        if (loop.isOnLoop()) {
            if (!f.isDone()) {
                f.setResult(Boolean.TRUE);
            }
            return;
        }
        try {
            loop.callSoonThreadsafe(() -> {
                if (!f.isDone()) {
                    f.setResult(Boolean.TRUE);
                    return;
                }
                mutex.lock();
                try {
                    boolean canGo = line == asyncGetters ? !items.isEmpty() || shutDown
                            : line == asyncPutters ? !full() || shutDown : unfinished == 0;
                    if (canGo) {
                        wakeOne(line);
                    }
                } finally {
                    mutex.unlock();
                }
            });
        } catch (IllegalStateException closedLoop) {
            // Nobody is left to wake.
        }
    }

    /** The blocking face, for threads: it never awaits, and must not be used from a task of the loop. */
    public final class SyncSide {
        private SyncSide() {
        }

        /**
         * Adds an item, blocking while the queue is full.
         *
         * @param item the item, not null
         * @throws InterruptedException if interrupted while blocked
         * @throws QueueShutDownException if the queue is (or gets) shut down
         */
        public void put(T item) throws InterruptedException {
            Objects.requireNonNull(item, "item");
            notOnLoop("put");
            mutex.lockInterruptibly();
            try {
                while (full() && !shutDown) {
                    notFull.await();
                }
                if (shutDown) {
                    throw new QueueShutDownException("put into a shut-down queue");
                }
                added(item);
            } finally {
                mutex.unlock();
            }
        }

        /**
         * Adds an item if there is room, waiting at most {@code timeout}.
         *
         * @param item the item
         * @param timeout how long to wait
         * @param unit the unit of {@code timeout}
         * @return whether it was added
         * @throws InterruptedException if interrupted while waiting
         */
        public boolean offer(T item, long timeout, TimeUnit unit) throws InterruptedException {
            Objects.requireNonNull(item, "item");
            long nanos = unit.toNanos(timeout);
            mutex.lockInterruptibly();
            try {
                while (full() && !shutDown) {
                    if (nanos <= 0) {
                        return false;
                    }
                    nanos = notFull.awaitNanos(nanos);
                }
                if (shutDown) {
                    throw new QueueShutDownException("put into a shut-down queue");
                }
                added(item);
                return true;
            } finally {
                mutex.unlock();
            }
        }

        /**
         * Takes the next item, blocking while the queue is empty.
         *
         * @return the item
         * @throws InterruptedException if interrupted while blocked
         * @throws QueueShutDownException if the queue is shut down and empty
         */
        public T take() throws InterruptedException {
            notOnLoop("take");
            mutex.lockInterruptibly();
            try {
                while (items.isEmpty() && !shutDown) {
                    notEmpty.await();
                }
                if (items.isEmpty()) {
                    throw new QueueShutDownException("get from a shut-down, empty queue");
                }
                return removed();
            } finally {
                mutex.unlock();
            }
        }

        /**
         * Takes the next item, waiting at most {@code timeout}.
         *
         * @param timeout how long to wait
         * @param unit the unit of {@code timeout}
         * @return the item, or {@code null} if none came in time
         * @throws InterruptedException if interrupted while waiting
         */
        public T poll(long timeout, TimeUnit unit) throws InterruptedException {
            long nanos = unit.toNanos(timeout);
            mutex.lockInterruptibly();
            try {
                while (items.isEmpty() && !shutDown) {
                    if (nanos <= 0) {
                        return null;
                    }
                    nanos = notEmpty.awaitNanos(nanos);
                }
                if (items.isEmpty()) {
                    throw new QueueShutDownException("get from a shut-down, empty queue");
                }
                return removed();
            } finally {
                mutex.unlock();
            }
        }

        /** Says that an item taken was processed. */
        public void taskDone() {
            mutex.lock();
            try {
                done();
            } finally {
                mutex.unlock();
            }
        }

        /**
         * Blocks until every item put was processed.
         *
         * @throws InterruptedException if interrupted
         */
        public void join() throws InterruptedException {
            notOnLoop("join");
            mutex.lockInterruptibly();
            try {
                while (unfinished > 0) {
                    allDone.await();
                }
            } finally {
                mutex.unlock();
            }
        }

        /** {@return how many items the queue holds} */
        public int qsize() {
            return JanusQueue.this.qsize();
        }

        private void notOnLoop(String what) {
            if (loop.isOnLoop()) {
                throw new IllegalStateException("cannot " + what + " on the blocking side of a JanusQueue from its own loop"
                        + " (it would block the loop); use async()");
            }
        }
    }

    /** The awaiting face, for tasks of the queue's loop; the contract of {@link AsyncQueue}. */
    public final class AsyncSide {
        private AsyncSide() {
        }

        private void onLoop(String what) {
            if (!loop.isOnLoop()) {
                throw new IllegalStateException("cannot " + what + " on the awaiting side of a JanusQueue outside its loop;"
                        + " threads use sync()");
            }
        }

        /**
         * Adds an item, waiting while the queue is full.
         *
         * <p><b>Cancellation.</b> A cancellation point that loses nothing, as
         * {@link AsyncQueue#put}: cancelled while waiting, or after room was made for it but
         * before it resumed, nothing is added and the room goes to the next putter of either side.
         *
         * @param item the item, not null
         */
        public void put(T item) {
            Objects.requireNonNull(item, "item");
            onLoop("put");
            for (;;) {
                AsyncFuture<Boolean> f;
                mutex.lock();
                try {
                    if (shutDown) {
                        throw new QueueShutDownException("put into a shut-down queue");
                    }
                    if (!full()) {
                        added(item);
                        return;
                    }
                    f = loop.createFuture();
                    f.describedAs("JanusQueue.put");
                    asyncPutters.addLast(f);
                } finally {
                    mutex.unlock();
                }
                awaitTurn(f, asyncPutters, true);
            }
        }

        /**
         * Adds an item if there is room, without waiting.
         *
         * @param item the item
         * @throws QueueFullException if the queue is full
         */
        public void putNowait(T item) {
            Objects.requireNonNull(item, "item");
            onLoop("put");
            mutex.lock();
            try {
                if (shutDown) {
                    throw new QueueShutDownException("put into a shut-down queue");
                }
                if (full()) {
                    throw new QueueFullException("the queue is full (maxsize " + maxsize + ")");
                }
                added(item);
            } finally {
                mutex.unlock();
            }
        }

        /**
         * Takes the next item, waiting while the queue is empty.
         *
         * <p><b>Cancellation.</b> A cancellation point that loses nothing, as
         * {@link AsyncQueue#get}: cancelled while waiting, or after an item arrived for it but
         * before it resumed, nothing is taken and the item stays first for the next getter of
         * either side.
         *
         * @return the item
         */
        public T get() {
            onLoop("get");
            for (;;) {
                AsyncFuture<Boolean> f;
                mutex.lock();
                try {
                    if (!items.isEmpty()) {
                        return removed();
                    }
                    if (shutDown) {
                        throw new QueueShutDownException("get from a shut-down, empty queue");
                    }
                    f = loop.createFuture();
                    f.describedAs("JanusQueue.get");
                    asyncGetters.addLast(f);
                } finally {
                    mutex.unlock();
                }
                awaitTurn(f, asyncGetters, false);
            }
        }

        /**
         * Takes the next item if there is one, without waiting.
         *
         * @return the item
         * @throws QueueEmptyException if the queue is empty
         */
        public T getNowait() {
            onLoop("get");
            mutex.lock();
            try {
                if (items.isEmpty()) {
                    if (shutDown) {
                        throw new QueueShutDownException("get from a shut-down, empty queue");
                    }
                    throw new QueueEmptyException("the queue is empty");
                }
                return removed();
            } finally {
                mutex.unlock();
            }
        }

        /**
         * Waits for a turn. A waiter that will not use a wake-up it got (cancelled at its await, or
         * after it was woken but before it resumed: the rule of {@link Waiters}) passes it on.
         */
        private void awaitTurn(AsyncFuture<Boolean> f, ArrayDeque<AsyncFuture<Boolean>> line, boolean putter) {
            Task<?> me = Task.current();
            int mark = me.cancelling();
            try {
                f.await();
            } catch (CancelledError e) {
                mutex.lock();
                try {
                    line.remove(f);
                    if (!f.isCancelled()) {
                        passOn(line, putter);
                    }
                } finally {
                    mutex.unlock();
                }
                throw e;
            }
            Waiters.keep(me, mark, () -> {
                mutex.lock();
                try {
                    passOn(line, putter);
                } finally {
                    mutex.unlock();
                }
            });
        }

        /** Under the mutex: hands an unused turn (an item, or room) to the next waiter of either side. */
        private void passOn(ArrayDeque<AsyncFuture<Boolean>> line, boolean putter) {
            if (putter ? !full() || shutDown : !items.isEmpty() || shutDown) {
                (putter ? notFull : notEmpty).signal();
                wakeOne(line);
            }
        }

        /** Says that an item taken was processed. */
        public void taskDone() {
            syncSide.taskDone();
        }

        /**
         * Waits until every item put was processed.
         *
         * <p><b>Cancellation.</b> A cancellation point, as {@link AsyncQueue#join()}: cancelled
         * after the queue was finished but before it resumed, it returns normally.
         */
        public void join() {
            onLoop("join");
            AsyncFuture<Boolean> f;
            mutex.lock();
            try {
                if (unfinished == 0) {
                    return;
                }
                f = loop.createFuture();
                f.describedAs("JanusQueue.join");
                asyncJoiners.addLast(f);
            } finally {
                mutex.unlock();
            }
            try {
                f.await();
            } finally {
                mutex.lock();
                try {
                    asyncJoiners.remove(f);
                } finally {
                    mutex.unlock();
                }
            }
        }

        /** {@return how many items the queue holds} */
        public int qsize() {
            return JanusQueue.this.qsize();
        }
    }

    @Override
    public String toString() {
        return "JanusQueue[size=" + qsize() + (maxsize > 0 ? ", maxsize=" + maxsize : "") + "]";
    }
}
