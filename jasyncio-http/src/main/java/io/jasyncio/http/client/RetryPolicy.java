package io.jasyncio.http.client;

import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An opt-in retry policy for idempotent requests ({@code GET}, {@code HEAD}, {@code OPTIONS},
 * {@code TRACE}, {@code PUT}, {@code DELETE}) without a streamed body: a request that fails to
 * connect, finds the server gone before it answered, or gets one of {@link #statuses()} is tried
 * again, up to {@link #attempts()} tries in all, after an exponential backoff with jitter — or
 * after the response's {@code Retry-After} (seconds or an HTTP date, at most {@link #maxDelay()};
 * aiohttp issue 3133). The backoff waits on the loop's clock, count against the request's total
 * timeout (a retry that would end after the deadline is not made), and are cancellation points.
 * The automatic single retry of a stale kept-alive connection happens whatever the policy.
 *
 * @param attempts tries in all, at least 1 (1 = no retry)
 * @param baseDelay seconds before the first retry; each next one doubles, up to {@code maxDelay}
 * @param maxDelay the longest wait, seconds
 * @param jitter the fraction of each delay taken off at random, 0 (none) to 1 ("full jitter")
 * @param statuses the response statuses that are retried
 */
public record RetryPolicy(int attempts, double baseDelay, double maxDelay, double jitter, Set<Integer> statuses) {
    /** 3 tries, 0.5 s then 1 s (less up to half at random), for 429, 502, 503 and 504. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, 0.5, 30, 0.5, Set.of(429, 502, 503, 504));

    /** Checks the values. */
    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
        }
        if (!(baseDelay >= 0) || !(maxDelay >= baseDelay)) {
            throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay: " + baseDelay + ", " + maxDelay);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
        }
        statuses = Set.copyOf(statuses);
    }

    /** This policy with another number of tries. */
    public RetryPolicy withAttempts(int n) {
        return new RetryPolicy(n, baseDelay, maxDelay, jitter, statuses);
    }

    /** This policy with other delays. */
    public RetryPolicy withDelays(double base, double max, double jitterFraction) {
        return new RetryPolicy(attempts, base, max, jitterFraction, statuses);
    }

    /** This policy for other statuses. */
    public RetryPolicy withStatuses(Set<Integer> s) {
        return new RetryPolicy(attempts, baseDelay, maxDelay, jitter, s);
    }

    /** The backoff before retry number {@code retry} (1 for the first), jitter applied. */
    double backoff(int retry) {
        double d = Math.min(maxDelay, baseDelay * Math.pow(2, retry - 1));
        return jitter == 0 ? d : d * (1 - jitter * ThreadLocalRandom.current().nextDouble());
    }
}
