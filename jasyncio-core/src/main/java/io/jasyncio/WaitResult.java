package io.jasyncio;

import java.util.Set;

/**
 * What {@link Asyncio#wait} returns: the futures that are done and those still pending, each in
 * the order they were given. asyncio's {@code wait} returns the pair {@code (done, pending)}.
 *
 * @param <F> the future type
 * @param done the futures that are done
 * @param pending the futures that are not
 */
public record WaitResult<F extends AsyncFuture<?>>(Set<F> done, Set<F> pending) {
    /** Makes both sets unmodifiable. */
    public WaitResult {
        done = java.util.Collections.unmodifiableSet(done);
        pending = java.util.Collections.unmodifiableSet(pending);
    }
}
