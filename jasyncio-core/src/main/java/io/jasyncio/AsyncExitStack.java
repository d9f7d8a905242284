package io.jasyncio;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Closes a number of resources known only at run time, in reverse order, with try-with-resources'
 * rules for exceptions: Python's {@code contextlib.AsyncExitStack}. Closing may await (a graceful
 * disconnect, an {@link AsyncGenerator#aclose()}), since awaiting needs no special kind of method.
 *
 * <pre>{@code
 * try (AsyncExitStack stack = new AsyncExitStack()) {
 *     List<Connection> conns = new ArrayList<>();
 *     for (Address a : addresses) {
 *         conns.add(stack.enter(connect(a)));   // closed when the block ends, last first
 *     }
 *     stack.callback(() -> log.info("all closed"));
 *     use(conns);
 * }
 * }</pre>
 *
 * <p><b>Exceptions.</b> Every registered close runs, last registered first, even when some fail.
 * The first failure (from the most recently registered) is thrown, and later ones are added to it
 * as suppressed; when the try block itself throws, Java adds them all to that exception instead.
 * A {@link CancelledError} raised while closing is thrown the same way, after the rest closed.
 *
 * <p><b>Handing over.</b> {@link #popAll()} moves the registered closes to a new stack, so that a
 * constructor can open several resources and keep them only if all opened:
 * {@code try (var s = new AsyncExitStack()) { ...enter...; this.resources = s.popAll(); }}.
 *
 * <p>Not thread-safe; it is meant for one task.
 */
public final class AsyncExitStack implements AutoCloseable {
    private ArrayDeque<AutoCloseable> closes = new ArrayDeque<>();

    /** An empty stack. */
    public AsyncExitStack() {
    }

    /**
     * Registers {@code resource} to be closed, and returns it.
     *
     * @param <R> the resource type
     * @param resource the resource
     * @return the resource
     */
    public <R extends AutoCloseable> R enter(R resource) {
        closes.push(Objects.requireNonNull(resource, "resource"));
        return resource;
    }

    /**
     * Registers {@code closer} to close {@code resource}, and returns the resource: for resources
     * that are not {@link AutoCloseable}.
     *
     * @param <R> the resource type
     * @param resource the resource
     * @param closer how to close it
     * @return the resource
     */
    public <R> R enter(R resource, Closer<? super R> closer) {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(closer, "closer");
        closes.push(() -> closer.close(resource));
        return resource;
    }

    /**
     * Registers a callback to run at close, in its turn.
     *
     * @param callback the callback
     */
    public void callback(CheckedRunnable callback) {
        Objects.requireNonNull(callback, "callback");
        closes.push(callback::run);
    }

    /**
     * Moves everything registered to a new stack and leaves this one empty.
     *
     * @return the new stack
     */
    public AsyncExitStack popAll() {
        AsyncExitStack moved = new AsyncExitStack();
        moved.closes = closes;
        closes = new ArrayDeque<>();
        return moved;
    }

    /** {@return how many closes are registered} */
    public int size() {
        return closes.size();
    }

    /**
     * Runs every registered close, last registered first; the stack is empty afterwards.
     *
     * @throws Exception the first failure, with the later ones suppressed in it
     */
    @Override
    public void close() throws Exception {
        Throwable first = null;
        AutoCloseable c;
        while ((c = closes.poll()) != null) {
            try {
                c.close();
            } catch (Throwable t) {
                if (first == null) {
                    first = t;
                } else if (first != t) {
                    first.addSuppressed(t);
                }
            }
        }
        if (first != null) {
            throw Sneaky.<Exception>rethrow(first);
        }
    }

    /**
     * Closes a resource that is not {@link AutoCloseable}.
     *
     * @param <R> the resource type
     */
    @FunctionalInterface
    public interface Closer<R> {
        /**
         * Closes it; may await.
         *
         * @param resource the resource
         * @throws Exception if closing fails
         */
        void close(R resource) throws Exception;
    }
}
