package io.jasyncio.test;

import io.jasyncio.ExceptionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What reached the loop's exception handler during a test. By default any such error fails the
 * test; a test that declares a {@code LoopErrors} parameter takes them over and checks them itself.
 * Thread-safe.
 */
public final class LoopErrors {
    private final List<ExceptionContext> contexts = new ArrayList<>();

    LoopErrors() {
    }

    synchronized void add(ExceptionContext c) {
        contexts.add(c);
    }

    /** {@return what the handler received so far, oldest first} */
    public synchronized List<ExceptionContext> all() {
        return List.copyOf(contexts);
    }

    /** {@return whether nothing was received} */
    public synchronized boolean isEmpty() {
        return contexts.isEmpty();
    }

    /** Forgets what was received so far. */
    public synchronized void clear() {
        contexts.clear();
    }

    @Override
    public synchronized String toString() {
        return contexts.toString();
    }
}
