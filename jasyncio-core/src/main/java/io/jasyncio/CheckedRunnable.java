package io.jasyncio;

/**
 * A task body or block that returns nothing and may throw, like {@link java.util.concurrent.Callable}
 * without a value. Bodies that return a value are plain {@code Callable}s.
 */
@FunctionalInterface
public interface CheckedRunnable {
    /**
     * Runs the block.
     *
     * @throws Exception whatever the block throws
     */
    void run() throws Exception;
}
