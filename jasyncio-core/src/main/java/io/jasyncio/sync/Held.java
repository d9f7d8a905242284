package io.jasyncio.sync;

/**
 * A lock, permit or token held by the calling task, released by {@link #close()}: the
 * try-with-resources form of asyncio's {@code async with lock:}.
 *
 * <pre>{@code
 * try (Held h = lock.hold()) {
 *     ... // critical section; may await
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Held extends AutoCloseable {
    /** Releases what is held. */
    @Override
    void close();
}
