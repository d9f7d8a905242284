package io.jasyncio.http.client;

import static io.jasyncio.http.client.TestServer.respond;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.test.AsyncioTest;
import java.util.ArrayList;
import java.util.List;

/** The opt-in retry policy (backoff, Retry-After, idempotent only) and the per-host rate limit, on virtual time. */
class RetryAndRateTest {

    /** Fails the first {@code failures} requests with {@code status} (and Retry-After if given), then answers. */
    private static TestServer flaky(int failures, int status, String retryAfter, List<Double> times, EventLoop loop)
            throws Exception {
        return TestServer.start((r, w, in) -> {
            times.add(loop.time());
            if (r.index() < failures) {
                if (retryAfter == null) {
                    respond(w, status, "busy");
                } else {
                    respond(w, status, "busy", "Retry-After", retryAfter);
                }
            } else {
                respond(w, 200, "ok after " + r.index());
            }
            return true;
        });
    }

    @AsyncioTest
    void aRetryAfterIsHonoured(EventLoop loop) throws Exception {
        List<Double> times = new ArrayList<>();
        try (TestServer s = flaky(2, 503, "7", times, loop);
             ClientSession session = ClientSession.builder().retry(RetryPolicy.DEFAULT).build();
             ClientResponse r = session.get(s.url("/"))) {
            assertEquals("ok after 2", r.text());
            assertEquals(3, times.size());
            assertEquals(7.0, times.get(1) - times.get(0), 0.01);
            assertEquals(7.0, times.get(2) - times.get(1), 0.01);
            assertEquals(1, s.connections, "the failed answers' connection was reused");
        }
    }

    @AsyncioTest
    void theBackoffDoublesWithoutJitter(EventLoop loop) throws Exception {
        List<Double> times = new ArrayList<>();
        RetryPolicy p = RetryPolicy.DEFAULT.withAttempts(4).withDelays(1, 30, 0);
        try (TestServer s = flaky(3, 502, null, times, loop);
             ClientSession session = ClientSession.builder().retry(p).build();
             ClientResponse r = session.get(s.url("/"))) {
            assertEquals("ok after 3", r.text());
            assertEquals(List.of(1.0, 2.0, 4.0), List.of(
                    round(times.get(1) - times.get(0)), round(times.get(2) - times.get(1)), round(times.get(3) - times.get(2))));
        }
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }

    @AsyncioTest
    void afterTheLastAttemptTheLastResponseIsReturned(EventLoop loop) throws Exception {
        List<Double> times = new ArrayList<>();
        try (TestServer s = flaky(10, 429, "1", times, loop);
             ClientSession session = ClientSession.builder().retry(RetryPolicy.DEFAULT).build();
             ClientResponse r = session.get(s.url("/"))) {
            assertEquals(429, r.status());
            assertEquals(3, times.size());
        }
    }

    @AsyncioTest
    void aPostIsNotRetried(EventLoop loop) throws Exception {
        List<Double> times = new ArrayList<>();
        try (TestServer s = flaky(10, 503, "1", times, loop);
             ClientSession session = ClientSession.builder().retry(RetryPolicy.DEFAULT).build();
             ClientResponse r = session.post(s.url("/"), RequestBody.text("x"))) {
            assertEquals(503, r.status());
            assertEquals(1, times.size());
        }
    }

    @AsyncioTest
    void aRetryThatWouldPassTheTotalTimeoutIsNotMade(EventLoop loop) throws Exception {
        List<Double> times = new ArrayList<>();
        try (TestServer s = flaky(10, 503, "20", times, loop);
             ClientSession session = ClientSession.builder().retry(RetryPolicy.DEFAULT.withDelays(0.5, 60, 0))
                     .timeout(ClientTimeout.DEFAULT.withTotal(10)).build();
             ClientResponse r = session.get(s.url("/"))) {
            assertEquals(503, r.status());
            assertEquals(1, times.size());
            assertEquals(0.0, loop.time(), 0.01);
        }
    }

    @AsyncioTest
    void connectFailuresAreRetriedThenRaised(EventLoop loop) throws Exception {
        io.jasyncio.net.Server gone = Asyncio.startServer((in, w) -> { }, "127.0.0.1", 0);
        int port = gone.port();
        gone.close();
        gone.waitClosed();
        try (ClientSession session = ClientSession.builder()
                .retry(RetryPolicy.DEFAULT.withDelays(1, 30, 0)).build()) {
            assertThrows(ClientConnectionException.class, () -> session.get("http://127.0.0.1:" + port + "/"));
            assertEquals(3.0, loop.time(), 0.05, "waited 1 s then 2 s between the three tries");
        }
    }

    @AsyncioTest
    void thePerHostRateLimitSpacesRequestsAfterABurst(EventLoop loop) throws Exception {
        List<Double> times = new ArrayList<>();
        try (TestServer s = flaky(0, 200, null, times, loop);
             ClientSession session = ClientSession.builder().ratePerHost(2, 3).build()) {
            List<Task<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                tasks.add(Asyncio.createTask(() -> {
                    try (ClientResponse r = session.get(s.url("/"))) {
                        return r.text();
                    }
                }));
            }
            for (Task<String> t : tasks) {
                t.await();
            }
            List<Double> starts = times.stream().map(RetryAndRateTest::round).sorted().toList();
            assertEquals(List.of(0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0), starts);
        }
    }
}
