package io.jasyncio.queues;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A queue that hands out the smallest item first: asyncio's {@code PriorityQueue}. Same contract
 * as {@link AsyncQueue}. Items are ordered by their natural order or a comparator; equal items
 * come out in no particular order (as with Python's heapq), so give them a tie-breaker (a sequence
 * number) if order matters.
 *
 * @param <T> the item type
 */
public final class AsyncPriorityQueue<T> extends AsyncQueue<T> {
    private final PriorityQueue<T> heap;

    /** An unbounded queue in natural order. */
    public AsyncPriorityQueue() {
        this(0, null);
    }

    /**
     * A queue in natural order holding at most {@code maxsize} items.
     *
     * @param maxsize the most items it holds; 0 or less for no limit
     */
    public AsyncPriorityQueue(int maxsize) {
        this(maxsize, null);
    }

    /**
     * A queue in the given order holding at most {@code maxsize} items.
     *
     * @param maxsize the most items it holds; 0 or less for no limit
     * @param order how items compare, or {@code null} for their natural order
     */
    public AsyncPriorityQueue(int maxsize, Comparator<? super T> order) {
        super(maxsize);
        this.heap = new PriorityQueue<>(order);
    }

    @Override
    void store(T item) {
        heap.add(item);
    }

    @Override
    T take() {
        return heap.poll();
    }

    @Override
    int stored() {
        return heap.size();
    }

    @Override
    void drop() {
        heap.clear();
    }
}
