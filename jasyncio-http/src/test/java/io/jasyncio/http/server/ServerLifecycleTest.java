package io.jasyncio.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;
import io.jasyncio.sync.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Timeouts on the loop's virtual clock (slowloris, idle keep-alive, body reads), the connection
 * limit, client disconnects and cancellation, back-pressure on streamed responses, graceful
 * shutdown and the hooks.
 */
@AsyncioSettings(timeout = 60)
class ServerLifecycleTest {

    static Application app() {
        Application app = new Application();
        app.router().get("/", r -> Response.text("ok"));
        app.router().post("/echo", r -> Response.bytes(r.bytes(), null));
        return app;
    }

    @AsyncioTest
    void aSlowlorisIsClosedAtTheHeaderTimeoutWhileOthersAreServed(EventLoop loop) throws Exception {
        HttpServerOptions o = HttpServerOptions.builder().headerReadTimeout(5).keepAliveTimeout(60).build();
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0, o); RawClient slow = RawClient.open(srv.port());
             RawClient fast = RawClient.open(srv.port())) {
            double t0 = loop.time();
            slow.send("GET / HTTP/1.1\r\n");
            for (int i = 0; i < 3; i++) {
                Asyncio.sleep(1);
                slow.send("X-" + i + ": a\r\n");
                assertEquals("ok", fast.get("/").text());
            }
            RawClient.Resp r = slow.read("GET");
            assertEquals(408, r.status());
            assertTrue(slow.closedByServer());
            assertEquals(5.0, loop.time() - t0, 0.5);
            assertEquals("ok", fast.get("/").text()); // the other connection was not affected
        }
    }

    @AsyncioTest
    void aPartialHeadPipelinedBehindARequestGetsTheHeaderTimeoutNotTheIdleOne(EventLoop loop) throws Exception {
        HttpServerOptions o = HttpServerOptions.builder().headerReadTimeout(5).keepAliveTimeout(60).build();
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0, o); RawClient c = RawClient.open(srv.port())) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nX-Slow: y\r\n");
            assertEquals("ok", c.read("GET").text());
            double t0 = loop.time();
            assertEquals(408, c.read("GET").status());
            assertEquals(5.0, loop.time() - t0, 0.5);
        }
    }

    @AsyncioTest
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout(EventLoop loop) throws Exception {
        HttpServerOptions o = HttpServerOptions.builder().keepAliveTimeout(7).build();
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0, o); RawClient c = RawClient.open(srv.port())) {
            assertEquals("ok", c.get("/").text());
            double t0 = loop.time();
            assertTrue(c.closedByServer());
            assertEquals(7.0, loop.time() - t0, 0.5);
        }
    }

    @AsyncioTest
    void aBodyThatStopsArrivingFailsWith408(EventLoop loop) throws Exception {
        HttpServerOptions o = HttpServerOptions.builder().bodyReadTimeout(3).build();
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0, o); RawClient c = RawClient.open(srv.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
            RawClient.Resp r = c.read("POST");
            assertEquals(408, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @AsyncioTest
    @AsyncioSettings(virtualTime = false, timeout = 60)
    void connectionsOverTheLimitAreAnswered503() throws Exception {
        HttpServerOptions o = HttpServerOptions.builder().maxConnections(2).build();
        try (HttpServer srv = HttpServer.start(app(), "127.0.0.1", 0, o); RawClient a = RawClient.open(srv.port());
             RawClient b = RawClient.open(srv.port())) {
            assertEquals("ok", a.get("/").text());
            assertEquals("ok", b.get("/").text());
            try (RawClient c = RawClient.open(srv.port())) {
                assertEquals(503, c.read("GET").status());
                assertTrue(c.closedByServer());
            }
        }
    }

    @AsyncioTest
    @AsyncioSettings(virtualTime = false, timeout = 60)
    void aHandlerIsNotCancelledWhenItsClientLeavesUnlessAsked() throws Exception {
        for (boolean cancel : new boolean[] {false, true}) {
            Event started = new Event();
            Event release = new Event();
            List<String> outcome = new ArrayList<>();
            Application app = new Application();
            app.router().get("/work", r -> {
                started.set();
                try {
                    Asyncio.waitFor(() -> { release.await(); return null; }, 5.0);
                    outcome.add("finished");
                } catch (CancelledError e) {
                    outcome.add("cancelled");
                    throw e;
                }
                return Response.text("late");
            });
            HttpServerOptions o = HttpServerOptions.builder().cancelHandlerOnDisconnect(cancel).build();
            try (HttpServer srv = HttpServer.start(app, "127.0.0.1", 0, o)) {
                RawClient c = RawClient.open(srv.port());
                c.send("GET /work HTTP/1.1\r\nHost: t\r\n\r\n");
                started.await();
                c.conn.writer().transport().abort();
                for (int i = 0; i < 200 && srv.activeConnections() > 0; i++) {
                    Asyncio.sleep(0.01);
                }
                if (!cancel) {
                    release.set();
                }
                for (int i = 0; i < 200 && srv.inFlight() > 0; i++) {
                    Asyncio.sleep(0.01);
                }
                assertEquals(List.of(cancel ? "cancelled" : "finished"), outcome);
            }
        }
    }

    @AsyncioTest
    @AsyncioSettings(virtualTime = false, timeout = 60)
    void shutdownCancelsAHandlerWhoseClientHasGone() throws Exception {
        Event started = new Event();
        Application app = new Application();
        app.router().get("/work", r -> {
            started.set();
            Asyncio.sleep(3600);
            return Response.text("never");
        });
        HttpServer srv = HttpServer.start(app, "127.0.0.1", 0);
        RawClient c = RawClient.open(srv.port());
        c.send("GET /work HTTP/1.1\r\nHost: t\r\n\r\n");
        started.await();
        c.conn.writer().transport().abort();
        for (int i = 0; i < 200 && srv.activeConnections() > 0; i++) {
            Asyncio.sleep(0.01);
        }
        assertEquals(0, srv.activeConnections());
        assertEquals(1, srv.inFlight());
        ShutdownReport r = srv.shutdown(0.05);
        assertEquals(List.of("GET /work"), r.cancelled());
        assertEquals(0, srv.inFlight());
    }

    @AsyncioTest
    @AsyncioSettings(virtualTime = false, timeout = 60)
    void streamResponseWritesWaitForASlowClient() throws Exception {
        long[] written = {0};
        Application app = new Application();
        app.router().get("/big", r -> {
            StreamResponse s = new StreamResponse();
            s.prepare(r);
            byte[] block = new byte[16 * 1024];
            for (int i = 0; i < 1024; i++) { // 16 MiB
                s.write(block);
                written[0] += block.length;
            }
            return s;
        });
        try (HttpServer srv = HttpServer.start(app, "127.0.0.1", 0); RawClient c = RawClient.open(srv.port())) {
            c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n");
            Asyncio.sleep(0.3); // the client reads nothing for a while
            long stalled = written[0];
            assertTrue(stalled < 8L << 20, "the handler wrote " + stalled + " bytes to a client that read nothing");
            RawClient.Resp r = c.read("GET");
            assertEquals(16 << 20, r.body().length);
        }
    }

    @AsyncioTest
    void aFailingStartupExitsTheContextsEnteredAndListensNowhere() throws Exception {
        List<String> log = new ArrayList<>();
        Application app = app();
        app.cleanupContext(a -> {
            log.add("enter-1");
            return () -> log.add("exit-1");
        });
        app.cleanupContext(a -> {
            throw new IllegalStateException("no database");
        });
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> HttpServer.start(app, "127.0.0.1", 0));
        assertEquals("no database", e.getMessage());
        assertEquals(List.of("enter-1", "exit-1"), log);
    }

    @AsyncioTest
    void failingShutdownAndCleanupHooksAreReportedAndTheOthersStillRun() throws Exception {
        List<String> log = new ArrayList<>();
        Application app = app();
        app.onShutdown(a -> {
            throw new IllegalStateException("shutdown broke");
        });
        app.onShutdown(a -> log.add("shutdown-2"));
        app.onCleanup(a -> {
            throw new java.io.IOException("cleanup broke");
        });
        app.onCleanup(a -> log.add("cleanup-2"));
        HttpServer srv = HttpServer.start(app, "127.0.0.1", 0);
        ShutdownReport r = srv.shutdown(1);
        assertEquals(List.of("shutdown-2", "cleanup-2"), log);
        assertEquals(2, r.hookFailures().size(), r.hookFailures().toString());
        assertFalse(r.isClean());
        assertTrue(r == srv.shutdown(1)); // a second call returns the first report
    }

    @AsyncioTest
    @AsyncioSettings(virtualTime = false, timeout = 60)
    void gracefulShutdownFinishesCancelsSignalsAndRunsHooks() throws Exception {
        List<String> log = new ArrayList<>();
        Event inside = new Event();
        Application app = new Application();
        app.onStartup(a -> log.add("startup"));
        app.cleanupContext(a -> {
            log.add("ctx-enter");
            return () -> log.add("ctx-exit");
        });
        app.onShutdown(a -> log.add("shutdown"));
        app.onCleanup(a -> log.add("cleanup"));
        app.router().get("/", r -> Response.text("ok"));
        app.router().get("/quick", r -> {
            inside.set();
            Asyncio.sleep(0.2);
            return Response.text("quick done");
        });
        app.router().get("/forever", r -> {
            Asyncio.sleep(3600);
            return Response.text("never");
        });
        app.router().get("/feed", r -> {
            StreamResponse s = new StreamResponse();
            s.prepare(r);
            s.write("tick;");
            r.shutdownSignal().await();
            s.write("bye;");
            return s;
        });
        HttpServer srv = HttpServer.start(app, "127.0.0.1", 0);
        assertEquals(List.of("startup", "ctx-enter"), log);
        RawClient idle = RawClient.open(srv.port());
        assertEquals("ok", idle.get("/").text());
        RawClient q = RawClient.open(srv.port());
        q.send("GET /quick HTTP/1.1\r\nHost: t\r\n\r\n");
        RawClient f = RawClient.open(srv.port());
        f.send("GET /forever HTTP/1.1\r\nHost: t\r\n\r\n");
        RawClient feed = RawClient.open(srv.port());
        feed.send("GET /feed HTTP/1.1\r\nHost: t\r\n\r\n");
        inside.await();
        while (srv.inFlight() < 3) {
            Asyncio.sleep(0.01);
        }
        ShutdownReport rep = srv.shutdown(1.0);
        assertEquals(1, rep.idleClosed());
        assertEquals(2, rep.finished());
        assertEquals(List.of("GET /forever"), rep.cancelled());
        assertTrue(rep.hookFailures().isEmpty());
        assertEquals(List.of("startup", "ctx-enter", "shutdown", "ctx-exit", "cleanup"), log);
        assertTrue(idle.closedByServer());
        RawClient.Resp r = q.read("GET");
        assertEquals("quick done", r.text());
        assertEquals("close", r.header("Connection"));
        assertEquals("tick;bye;", feed.read("GET").text());
        assertFalse(srv.server().isServing());
        q.close();
        f.close();
        feed.close();
        idle.close();
    }
}
