package io.jasyncio.http.client;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.http.internal.client.Target;
import java.util.HashMap;
import java.util.Map;

/**
 * A session's per-host rate limit: a token bucket in its GCRA form (one theoretical arrival time) per scheme, host and
 * port on the loop's clock. Each request takes the next start time of its host, so waiters start
 * in arrival order, never more than {@code burst} at once and {@code rate} per second on average.
 */
final class RateLimiter {
    private final EventLoop loop;
    private final double interval;
    private final double burstWindow;
    private final Map<String, double[]> next = new HashMap<>();

    RateLimiter(EventLoop loop, double rate, int burst) {
        this.loop = loop;
        this.interval = 1 / rate;
        this.burstWindow = (burst - 1) * interval;
    }

    /** Waits for the request's turn; a cancellation point (a cancelled wait gives its turn back). */
    void acquire(ClientRequest req, double deadline, ClientTimeout t) {
        String key;
        try {
            key = Target.of(new java.net.URI(req.url).isAbsolute() ? new java.net.URI(req.url)
                    : req.session.baseUri().resolve(req.url)).key();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return;  // the request itself reports a bad URL
        }
        double now = loop.time();
        double[] tat = next.computeIfAbsent(key, k -> new double[] {now});
        tat[0] = Math.max(tat[0], now);
        double start = Math.max(now, tat[0] - burstWindow);
        if (start > deadline) {
            throw ClientTimeoutException.of(ClientTimeout.Kind.TOTAL, req.method, req.url, t.total(),
                    "waiting for the per-host rate limit");
        }
        tat[0] += interval;
        double[] n = tat;
        if (start > now) {
            try {
                Asyncio.sleep(start - now);
            } catch (Throwable e) {
                n[0] -= interval;
                throw e;
            }
        }
    }
}
