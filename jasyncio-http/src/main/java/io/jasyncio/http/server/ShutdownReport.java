package io.jasyncio.http.server;

import java.util.List;

/**
 * What a graceful {@link HttpServer#shutdown} did.
 *
 * @param idleClosed     idle keep-alive connections closed at once
 * @param finished       requests in flight at the start that finished within the deadline
 * @param cancelled      requests cancelled at the deadline, as {@code "METHOD target"}
 * @param hookFailures   shutdown and cleanup hooks (and cleanup contexts) that failed, as messages
 */
public record ShutdownReport(int idleClosed, int finished, List<String> cancelled, List<String> hookFailures) {
    /** Copies the lists. */
    public ShutdownReport {
        cancelled = List.copyOf(cancelled);
        hookFailures = List.copyOf(hookFailures);
    }

    /** Whether nothing was cut short and every hook ran cleanly. */
    public boolean isClean() {
        return cancelled.isEmpty() && hookFailures.isEmpty();
    }
}
