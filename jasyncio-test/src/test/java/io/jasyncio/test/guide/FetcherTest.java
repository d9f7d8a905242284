package io.jasyncio.test.guide;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionGroup;
import io.jasyncio.Task;
import io.jasyncio.VirtualClock;
import io.jasyncio.test.AsyncioExtension;
import io.jasyncio.test.AsyncioSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The testing guide's suite (docs/testing.md): cancellation, group errors and timeouts, on virtual time. */
@ExtendWith(AsyncioExtension.class)
class FetcherTest {

    /** A fake site: each url answers after a set delay, or fails; it notes what happened. */
    static final class FakeSite implements Fetcher.Site {
        final Map<String, Double> delays;
        final Map<String, Exception> failures;
        final List<String> cancelled = new ArrayList<>();

        FakeSite(Map<String, Double> delays, Map<String, Exception> failures) {
            this.delays = delays;
            this.failures = failures;
        }

        @Override
        public String get(String url) throws Exception {
            try {
                Asyncio.sleep(delays.getOrDefault(url, 1.0));
            } catch (CancelledError e) {
                cancelled.add(url);
                throw e;
            }
            Exception e = failures.get(url);
            if (e != null) {
                throw e;
            }
            return "<html>" + url + "</html>";
        }
    }

    // --- 1. Concurrency, measured on the virtual clock: three 2-second sites take 2 seconds, not 6.
    @Test
    void sitesAreFetchedConcurrently(EventLoop loop) {
        FakeSite site = new FakeSite(Map.of("a", 2.0, "b", 2.0, "c", 2.0), Map.of());
        Map<String, String> pages = new Fetcher(site, 5).fetchAll(List.of("a", "b", "c"));
        assertEquals(List.of("a", "b", "c"), List.copyOf(pages.keySet()));
        assertEquals(2.0, loop.time());
    }

    // --- 2. Timeouts without real time: the slow site gives up at exactly t=5, the others are kept.
    @Test
    void aSlowSiteTimesOutAndTheOthersAreKept(EventLoop loop) {
        FakeSite site = new FakeSite(Map.of("fast", 1.0, "slow", 3600.0), Map.of());
        Map<String, String> pages = new Fetcher(site, 5).fetchAll(List.of("fast", "slow"));
        assertEquals("<html>fast</html>", pages.get("fast"));
        assertNull(pages.get("slow"));
        assertEquals(List.of("slow"), site.cancelled, "the timeout cancelled the slow request");
        assertEquals(5.0, loop.time());
    }

    // --- 3. Task-group error propagation: one failure cancels the others and arrives in a group.
    @Test
    void aFailingSiteCancelsTheOthers(EventLoop loop) {
        IOException refused = new IOException("connection refused");
        FakeSite site = new FakeSite(Map.of("bad", 1.0, "a", 10.0, "b", 10.0), Map.of("bad", refused));
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> new Fetcher(site, 30).fetchAll(List.of("a", "bad", "b")));
        assertEquals(List.of(refused), eg.exceptions());
        assertEquals(List.of("a", "b"), site.cancelled);
        assertEquals(1.0, loop.time(), "nobody waited for the slow sites");
    }

    // --- 4. Cancellation from outside: the crawl stops, every request sees the cancellation.
    @Test
    void cancellingTheCrawlCancelsEveryRequest(EventLoop loop) {
        FakeSite site = new FakeSite(Map.of("a", 10.0, "b", 20.0), Map.of());
        Task<Map<String, String>> crawl = Asyncio.createTask("crawl", () -> new Fetcher(site, 30).fetchAll(List.of("a", "b")));
        Asyncio.sleep(3);
        crawl.cancel("user pressed Ctrl-C");
        CancelledError e = assertThrows(CancelledError.class, crawl::await);
        assertEquals("user pressed Ctrl-C", e.getMessage());
        assertEquals(List.of("a", "b"), site.cancelled);
        assertEquals(3.0, loop.time());
    }

    // --- 5. Looking in between: with autojump off, the test moves time and inspects each stage.
    @Test
    @AsyncioSettings(autojump = false)
    void theStateInBetween(VirtualClock clock) {
        FakeSite site = new FakeSite(Map.of("a", 1.0, "b", 2.0), Map.of());
        Fetcher fetcher = new Fetcher(site, 30);
        Task<String> a = Asyncio.createTask(() -> fetcher.fetch("a"));
        Task<String> b = Asyncio.createTask(() -> fetcher.fetch("b"));
        Asyncio.waitAllTasksBlocked();
        assertTrue(!a.isDone() && !b.isDone());
        clock.advance(1);
        Asyncio.waitAllTasksBlocked();
        assertTrue(a.isDone() && !b.isDone(), "at t=1 only a has answered");
        clock.advance(1);
        assertEquals("<html>b</html>", b.await());
        assertSame(a.result(), a.result());
    }
}
