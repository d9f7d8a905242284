package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link HttpCluster}: one application on two loops sharing a port, hooks once, a graceful stop of every loop. */
@Timeout(120)
class HttpClusterTest {

    /** One request on its own connection (a blocking socket, from a plain thread); returns the whole response. */
    static String get(int port, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void requestsOnManyConnectionsAreAllAnsweredByBothLoopsAndHooksRunOnce() throws Exception {
        AtomicInteger startups = new AtomicInteger();
        AtomicInteger cleanups = new AtomicInteger();
        Application app = new Application();
        app.onStartup(a -> startups.incrementAndGet());
        app.onCleanup(a -> cleanups.incrementAndGet());
        app.router().get("/loop", r -> Response.text(String.valueOf(System.identityHashCode(Asyncio.getRunningLoop()))));
        HttpCluster c = HttpCluster.start(app, "127.0.0.1", 0, HttpServerOptions.DEFAULTS, 2);
        Set<String> loops = new HashSet<>();
        try {
            assertEquals(1, startups.get());
            for (int i = 0; i < 64; i++) {
                String r = get(c.port(), "/loop");
                assertTrue(r.startsWith("HTTP/1.1 200 "), r);
                loops.add(body(r));
            }
        } finally {
            ShutdownReport report = c.shutdown(5);
            assertTrue(report.isClean(), report.toString());
        }
        assertEquals(2, loops.size(), "64 connections on 2 loops all went to one: " + loops);
        assertEquals(1, startups.get());
        assertEquals(1, cleanups.get());
        assertThrows(ConnectException.class, () -> get(c.port(), "/loop"));
    }

    @Test
    void gracefulShutdownLetsInFlightRequestsFinishOnEveryLoopThenRunsCleanupOnce() throws Exception {
        AtomicInteger cleanups = new AtomicInteger();
        CompletableFuture<Void> release = new CompletableFuture<>();
        int n = 16;
        CountDownLatch started = new CountDownLatch(n);
        Set<String> loopsBusy = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Application app = new Application();
        app.onCleanup(a -> {
            assertTrue(release.isDone(), "cleanup ran while requests were in flight");
            cleanups.incrementAndGet();
        });
        app.router().get("/probe", r -> Response.text("late"));
        app.router().get("/slow", r -> {
            loopsBusy.add(String.valueOf(System.identityHashCode(Asyncio.getRunningLoop())));
            started.countDown();
            Asyncio.getRunningLoop().wrapFuture(release).await();
            return Response.text("done");
        });
        HttpCluster c = HttpCluster.start(app, "127.0.0.1", 0, HttpServerOptions.DEFAULTS, 2);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return get(c.port(), "/slow");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        assertTrue(started.await(60, TimeUnit.SECONDS), "the handlers did not all start");
        assertEquals(2, loopsBusy.size(), "16 connections on 2 loops all went to one");
        c.stop(60);
        // Every loop stops accepting while its requests are still in flight.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean refused = false;
        while (!refused && System.nanoTime() < deadline) {
            try {
                get(c.port(), "/probe");
                Thread.sleep(10);
            } catch (ConnectException e) {
                refused = true;
            } catch (IOException e) {
                Thread.sleep(10); // a loop that still listened took it and then closed it
            }
        }
        assertTrue(refused, "the port was still accepting after stop");
        assertEquals(0, cleanups.get());
        release.complete(null);
        ShutdownReport report = c.awaitTermination(Duration.ofSeconds(60));
        for (CompletableFuture<String> a : answers) {
            String r = a.get(60, TimeUnit.SECONDS);
            assertTrue(r.startsWith("HTTP/1.1 200 "), r);
            assertEquals("done", body(r));
        }
        assertTrue(report.finished() >= n, report.toString()); // a probe may have been in flight too
        assertTrue(report.cancelled().isEmpty(), report.toString());
        assertEquals(1, cleanups.get());
    }

    @Test
    void aPortAlreadyTakenIsRefusedNotShared() throws Exception {
        Application other = new Application();
        try (HttpCluster first = HttpCluster.start(other, "127.0.0.1", 0, HttpServerOptions.DEFAULTS, 1)) {
            Application app = new Application();
            assertThrows(IOException.class, () -> HttpCluster.start(app, "127.0.0.1", first.port(), HttpServerOptions.DEFAULTS, 2));
        }
    }
}
