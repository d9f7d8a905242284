package io.jasyncio.http.server;

/**
 * A startup, shutdown or cleanup hook of an {@link Application}: task code run on the server's
 * loop, given the application (aiohttp's {@code on_startup}, {@code on_shutdown},
 * {@code on_cleanup} signals).
 */
@FunctionalInterface
public interface Hook {
    /**
     * Runs the hook.
     *
     * @param app the application
     * @throws Exception a failure; at startup it aborts the start, at shutdown and cleanup it is
     *                   logged and the other hooks still run
     */
    void run(Application app) throws Exception;
}
