package io.jasyncio;

import java.util.Arrays;

/** A binary min-heap of timer handles ordered by due time, then by scheduling order. */
final class TimerQueue {
    private TimerHandle[] heap = new TimerHandle[64];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    TimerHandle peek() {
        return size == 0 ? null : heap[0];
    }

    void add(TimerHandle h) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        siftUp(size++, h);
    }

    TimerHandle poll() {
        if (size == 0) {
            return null;
        }
        TimerHandle top = heap[0];
        TimerHandle last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            siftDown(0, last);
        }
        return top;
    }

    /** Drops every cancelled handle and rebuilds the heap; returns how many were dropped. */
    int removeCancelled() {
        int j = 0;
        for (int i = 0; i < size; i++) {
            TimerHandle h = heap[i];
            if (h.cancelled) {
                h.scheduled = false;
            } else {
                heap[j++] = h;
            }
        }
        int removed = size - j;
        Arrays.fill(heap, j, size, null);
        size = j;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i, heap[i]);
        }
        return removed;
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].scheduled = false;
        }
        Arrays.fill(heap, 0, size, null);
        size = 0;
    }

    private void siftUp(int k, TimerHandle h) {
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            TimerHandle p = heap[parent];
            if (!h.before(p)) {
                break;
            }
            heap[k] = p;
            k = parent;
        }
        heap[k] = h;
    }

    private void siftDown(int k, TimerHandle h) {
        int half = size >>> 1;
        while (k < half) {
            int child = 2 * k + 1;
            TimerHandle c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].before(c)) {
                child = right;
                c = heap[child];
            }
            if (!c.before(h)) {
                break;
            }
            heap[k] = c;
            k = child;
        }
        heap[k] = h;
    }
}
