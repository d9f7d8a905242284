package io.jasyncio.http.server;

/**
 * A resource with a lifetime of the application's (aiohttp's {@code cleanup_ctx}): {@link #enter}
 * runs at startup, after the startup hooks, and returns what to run at cleanup; cleanups run in
 * the reverse order of the entries, before the cleanup hooks. Only the contexts whose
 * {@code enter} returned are cleaned up.
 */
@FunctionalInterface
public interface CleanupContext {
    /** What {@link CleanupContext#enter} returns: the cleanup half. */
    @FunctionalInterface
    interface Exit {
        /**
         * Releases the resource.
         *
         * @throws Exception a failure, logged; the other cleanups still run
         */
        void exit() throws Exception;
    }

    /**
     * Acquires the resource, typically storing it in the application's state.
     *
     * @param app the application
     * @return the cleanup half, run at shutdown
     * @throws Exception a failure, which aborts the start (the contexts entered so far are exited)
     */
    Exit enter(Application app) throws Exception;
}
