package io.jasyncio.queues;

import java.util.ArrayDeque;

/**
 * A last-in first-out queue (a stack) between tasks: asyncio's {@code LifoQueue}. Same contract as
 * {@link AsyncQueue}; {@link #get()} returns the newest item.
 *
 * @param <T> the item type
 */
public final class AsyncLifoQueue<T> extends AsyncQueue<T> {
    private final ArrayDeque<T> stack = new ArrayDeque<>();

    /** An unbounded queue. */
    public AsyncLifoQueue() {
        super(0);
    }

    /**
     * A queue holding at most {@code maxsize} items: a {@code put} waits while it is full.
     *
     * @param maxsize the most items it holds; 0 or less for no limit
     */
    public AsyncLifoQueue(int maxsize) {
        super(maxsize);
    }

    @Override
    void store(T item) {
        stack.addFirst(item);
    }

    @Override
    T take() {
        return stack.pollFirst();
    }

    @Override
    int stored() {
        return stack.size();
    }

    @Override
    void drop() {
        stack.clear();
    }
}
