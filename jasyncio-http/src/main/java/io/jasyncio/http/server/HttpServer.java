package io.jasyncio.http.server;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.ReturnWhen;
import io.jasyncio.Task;
import io.jasyncio.http.internal.h1.H1Options;
import io.jasyncio.net.Server;
import io.jasyncio.sync.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An HTTP/1.1 server running an {@link Application} on the current loop (aiohttp's
 * {@code AppRunner} + {@code TCPSite}): {@link #start} runs the startup hooks and listens;
 * {@link #shutdown} stops it gracefully. Each request's handler runs as its own task; idle
 * connections hold no task. All methods are for the loop's tasks.
 */
public final class HttpServer implements AutoCloseable {
    static final Logger LOG = Logger.getLogger("io.jasyncio.http.server");

    /** Counts the server keeps, for tests and metrics. */
    static final class Counters {
        long requests;
        long headerTimeouts;
        long bodyTimeouts;
    }

    final EventLoop loop;
    final Application app;
    final HttpServerOptions options;
    final H1Options parserOptions;
    final Resolver resolver;
    final HeadWriter head;
    final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    final Set<Connection> connections = new LinkedHashSet<>();
    /** Requests being answered; their exchanges are found through {@link #connections} (no per-request set). */
    int inFlightCount;
    /** Exchanges still running after their client disconnected (rare: kept so shutdown finds them). */
    final Set<Exchange> orphans = new LinkedHashSet<>();
    final Event shutdownSignal = new Event();
    final Counters counters = new Counters();
    final AccessLog accessLog;
    private final List<CleanupContext.Exit> exits = new ArrayList<>();
    private Server server;
    /** Whether this server runs the application's hooks (false on an {@link HttpCluster}'s other loops). */
    private boolean hooks = true;
    boolean shuttingDown;
    private int idleClosed;
    private int finishedCount;
    private List<String> cancelledList = List.of();
    private final List<String> failures = new ArrayList<>();
    private ShutdownReport report;

    private HttpServer(EventLoop loop, Application app, HttpServerOptions options) {
        this.loop = loop;
        this.app = app;
        this.options = options;
        this.parserOptions = H1Options.builder().maxStartLineLength(options.maxStartLineLength())
                .maxHeaderLineLength(options.maxHeaderLineLength()).maxHeaderCount(options.maxHeaderCount())
                .maxHeadSize(options.maxHeadSize()).build();
        app.freeze();
        this.resolver = new Resolver(app, options.maxBodySize());
        this.head = new HeadWriter(loop);
        this.accessLog = options.accessLog() ? new AccessLog() : null;
    }

    /** {@link #start(Application, String, int, HttpServerOptions)} with the defaults. */
    public static HttpServer start(Application app, String host, int port) throws IOException {
        return start(app, host, port, HttpServerOptions.DEFAULTS);
    }

    /**
     * Freezes {@code app}, runs its startup hooks and enters its cleanup contexts (parents before
     * sub-applications), then listens on {@code host:port} (port 0: any free one, see
     * {@link #port()}). A cancellation point (the hooks may wait): if cancelled or if a hook
     * fails, the contexts entered so far are exited and nothing listens.
     *
     * @throws IOException if the address cannot be bound
     */
    public static HttpServer start(Application app, String host, int port, HttpServerOptions options) throws IOException {
        return start(app, host, port, options, true);
    }

    /**
     * {@link #start(Application, String, int, HttpServerOptions)}; with {@code hooks} false (the
     * loops of an {@link HttpCluster} but its first), the application's hooks and contexts are
     * left to another server, and it may already be frozen.
     */
    static HttpServer start(Application app, String host, int port, HttpServerOptions options, boolean hooks)
            throws IOException {
        if (hooks && app.isFrozen()) {
            throw new IllegalStateException("the application is already started by a server");
        }
        HttpServer s = new HttpServer(Asyncio.getRunningLoop(), app, options);
        s.hooks = hooks;
        boolean ok = false;
        try {
            for (Application a : hooks ? app.tree() : List.<Application>of()) {
                for (Hook h : a.startupHooks()) {
                    h.run(a);
                }
                for (CleanupContext c : a.cleanupContexts()) {
                    s.exits.add(c.enter(a));
                }
            }
            s.server = s.loop.createServer(() -> new Connection(s), host, port, options.serverOptions());
            ok = true;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("startup hook failed: " + e, e);
        } finally {
            if (!ok) {
                s.runExits(new ArrayList<>());
            }
        }
        return s;
    }

    /** The port it listens on. */
    public int port() {
        return server.port();
    }

    /** The listening server of the protocol layer. */
    public Server server() {
        return server;
    }

    /** The application it runs. */
    public Application app() {
        return app;
    }

    /** How many connections are open. */
    public int activeConnections() {
        return connections.size();
    }

    /** How many requests are being answered. */
    public int inFlight() {
        return inFlightCount;
    }

    /** Whether a shutdown has begun. */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /**
     * Stops gracefully, in seven steps: (1) stop accepting; (2) close idle keep-alive connections
     * (the busy ones close after their response, which says {@code Connection: close}); (3) set
     * every request's {@link Request#shutdownSignal()} and run the shutdown hooks, so long-lived
     * responses can finish; (4) wait up to {@code timeout} seconds for the requests in flight;
     * (5) cancel those still running and wait for them to end; (6) close the remaining
     * connections; (7) exit the cleanup contexts (in reverse) and run the cleanup hooks
     * (sub-applications first). Returns what was cut short. A second call returns the first's
     * report. A cancellation point: if cancelled, the steps not reached are skipped.
     */
    public ShutdownReport shutdown(double timeout) {
        if (report != null || shuttingDown) {
            return report;
        }
        drain(timeout);
        return finish();
    }

    /**
     * Steps 1 to 6 of {@link #shutdown}: afterwards no request of this server runs and no
     * connection is open. A cancellation point.
     */
    void drain(double timeout) {
        shuttingDown = true;
        server.close();
        int idle = 0;
        for (Connection c : List.copyOf(connections)) {
            if (c.isIdle()) {
                c.close();
                idle++;
            }
        }
        idleClosed = idle;
        shutdownSignal.set();
        for (Application a : hooks ? app.tree() : List.<Application>of()) {
            for (Hook h : a.shutdownHooks()) {
                runHook(h, a, "shutdown", failures);
            }
        }
        List<Task<Void>> tasks = new ArrayList<>();
        List<Exchange> exchanges = new ArrayList<>(orphans);
        for (Connection c : connections) {
            Exchange e = c.current;
            if (e != null && e.task != null && !e.task.isDone()) {
                exchanges.add(e);
            }
        }
        for (Exchange e : exchanges) {
            if (e.task != null) {
                tasks.add(e.task);
            }
        }
        int finished = 0;
        List<String> cancelled = new ArrayList<>();
        if (!tasks.isEmpty()) {
            Asyncio.wait(tasks, ReturnWhen.ALL_COMPLETED, Math.max(timeout, 0.0));
            for (int i = 0; i < tasks.size(); i++) {
                Task<Void> t = tasks.get(i);
                if (t.isDone()) {
                    finished++;
                } else {
                    cancelled.add(exchanges.get(i).toString());
                    t.cancel("the server's shutdown deadline passed");
                }
            }
            Asyncio.gather(true, new ArrayList<>(tasks)).await();
        }
        for (Connection c : List.copyOf(connections)) {
            c.close();
        }
        finishedCount = finished;
        cancelledList = cancelled;
        if (!cancelled.isEmpty()) {
            LOG.log(Level.WARNING, "shutdown cancelled " + cancelled.size() + " request(s): " + cancelled);
        }
    }

    /** Step 7 of {@link #shutdown} (when this server runs the hooks), then the report. A cancellation point. */
    ShutdownReport finish() {
        runExits(failures);
        List<Application> tree = hooks ? app.tree() : List.<Application>of();
        for (int i = tree.size() - 1; i >= 0; i--) {
            for (Hook h : tree.get(i).cleanupHooks()) {
                runHook(h, tree.get(i), "cleanup", failures);
            }
        }
        try {
            server.waitClosed();
        } catch (CancelledError e) {
            throw e;
        } catch (RuntimeException e) {
            failures.add("waitClosed: " + e);
        }
        if (accessLog != null) {
            accessLog.close();
        }
        report = new ShutdownReport(idleClosed, finishedCount, cancelledList, failures);
        return report;
    }

    private void runExits(List<String> failures) {
        for (int i = exits.size() - 1; i >= 0; i--) {
            try {
                exits.get(i).exit();
            } catch (CancelledError e) {
                throw e;
            } catch (Exception e) {
                LOG.log(Level.SEVERE, "cleanup context failed", e);
                failures.add("cleanup context: " + e);
            }
        }
        exits.clear();
    }

    private static void runHook(Hook h, Application a, String what, List<String> failures) {
        try {
            h.run(a);
        } catch (CancelledError e) {
            throw e;
        } catch (Exception e) {
            LOG.log(Level.SEVERE, what + " hook failed", e);
            failures.add(what + " hook: " + e);
        }
    }

    /** {@link #shutdown(double) shutdown(0)}: in-flight requests are cancelled at once. A cancellation point. */
    @Override
    public void close() {
        shutdown(0);
    }

    @Override
    public String toString() {
        return "HttpServer[" + (server == null ? "-" : server.sockets()) + ", " + connections.size() + " connections]";
    }
}
