/**
 * Synchronisation primitives for tasks, as asyncio's: {@link io.jasyncio.sync.AsyncLock},
 * {@link io.jasyncio.sync.Event}, {@link io.jasyncio.sync.AsyncCondition},
 * {@link io.jasyncio.sync.AsyncSemaphore}, {@link io.jasyncio.sync.AsyncBoundedSemaphore},
 * {@link io.jasyncio.sync.Barrier}, and Trio's {@link io.jasyncio.sync.CapacityLimiter}.
 *
 * <p>They coordinate the tasks of one loop (the first loop that uses one owns it) and are not
 * thread-safe: threads have {@code java.util.concurrent}. Waiting is FIFO-fair. Every method that
 * waits is a <b>cancellation point</b>: cancelled while it waits, it throws
 * {@link io.jasyncio.CancelledError} and has taken nothing. A waiter cancelled at the moment it is
 * woken keeps what it was woken for (the lock, the permit, the notification) and sees the
 * cancellation at its next await, so a wake-up is never lost: the races asyncio's primitives had
 * to patch one by one (bpo-45997, gh-90155, gh-112202) cannot happen here.
 *
 * <p>Java's {@code Object.wait()} is final, so asyncio's {@code wait()} is {@code await()} here, as
 * in {@code java.util.concurrent}.
 */
package io.jasyncio.sync;
