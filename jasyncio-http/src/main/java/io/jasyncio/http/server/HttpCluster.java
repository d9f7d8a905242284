package io.jasyncio.http.server;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@link Application} served by {@code loops} event loops, each on its own platform thread
 * with its own listening socket on the same port ({@code SO_REUSEPORT} when there are several, so
 * the kernel spreads the connections among them; see docs/multicore.md). A connection stays on
 * the loop that accepted it, and so do its requests' handlers.
 *
 * <p>What is per loop and what is shared: each loop has its own {@link HttpServer} (connections,
 * counters, access-log thread, timers); the application, its routes, middlewares and
 * {@link Application#state() state} are shared, so a handler that touches shared mutable state
 * must make it thread-safe (the state map itself is synchronized). The application's hooks and
 * cleanup contexts run once, on loop 0: startup before any loop listens, shutdown hooks at step
 * 3 of loop 0's shutdown, and cleanup (step 7) once every loop has finished its requests.
 *
 * <p>All methods are for plain threads (they block), not for tasks; {@link #stop} is safe from
 * any thread, including a loop's task.
 */
public final class HttpCluster implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final List<CompletableFuture<Double>> stops = new ArrayList<>();
    private final List<CompletableFuture<Void>> drained = new ArrayList<>();
    private final List<CompletableFuture<ShutdownReport>> reports = new ArrayList<>();
    private final int loops;
    private int port;

    private HttpCluster(int loops) {
        this.loops = loops;
        for (int i = 0; i < loops; i++) {
            stops.add(new CompletableFuture<>());
            drained.add(new CompletableFuture<>());
            reports.add(new CompletableFuture<>());
        }
    }

    /**
     * Starts {@code loops} loops serving {@code app} on {@code host:port} and returns once every
     * one listens (port 0: any free port, the same for all, see {@link #port()}). Loop 0 runs the
     * startup hooks and binds first; the others then bind the same port. With more than one
     * loop, the port is first bound once without {@code SO_REUSEPORT}, so that a port another
     * program holds is refused rather than silently shared.
     *
     * @throws IOException if a loop cannot listen (the loops already started are shut down first)
     * @throws IllegalStateException if the application is already started, or a startup hook failed
     */
    public static HttpCluster start(Application app, String host, int port, HttpServerOptions options, int loops)
            throws IOException {
        if (loops < 1) {
            throw new IllegalArgumentException("loops must be at least 1, not " + loops);
        }
        if (app.isFrozen()) {
            throw new IllegalStateException("the application is already started by a server");
        }
        HttpServerOptions o = loops == 1 ? options
                : options.toBuilder().serverOptions(options.serverOptions().toBuilder().reusePort(true).build()).build();
        HttpCluster c = new HttpCluster(loops);
        try {
            int p = loops > 1 ? probe(host, port) : port;
            c.port = c.startLoop(0, app, host, p, o);
            for (int i = 1; i < loops; i++) {
                c.startLoop(i, app, host, c.port, o);
            }
        } catch (IOException | RuntimeException | Error e) {
            for (int j = c.threads.size(); j < loops; j++) {
                c.drained.get(j).complete(null); // never started: loop 0 must not wait for them
            }
            c.stop(0);
            c.awaitQuietly();
            throw e;
        }
        return c;
    }

    private static int probe(String host, int port) throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
    }

    private int startLoop(int i, Application app, String host, int onPort, HttpServerOptions o) throws IOException {
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("jasyncio-http-loop-" + i).daemon(true).unstarted(() -> {
            try {
                reports.get(i).complete(Asyncio.run(() -> serve(i, app, host, onPort, o, listening)));
            } catch (Throwable e) {
                listening.completeExceptionally(e);
                drained.get(i).complete(null);
                reports.get(i).completeExceptionally(e);
            }
        });
        threads.add(t);
        t.start();
        try {
            return listening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting loop " + i, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("loop " + i + " failed to start: " + cause, cause);
        }
    }

    /** The main task of loop {@code i}: listen, wait for the stop request, shut down. */
    private ShutdownReport serve(int i, Application app, String host, int onPort, HttpServerOptions o,
            CompletableFuture<Integer> listening) throws IOException {
        EventLoop loop = Asyncio.getRunningLoop();
        HttpServer s = HttpServer.start(app, host, onPort, o, i == 0);
        listening.complete(s.port());
        double timeout = loop.wrapFuture(stops.get(i)).await();
        try {
            s.drain(timeout);
        } finally {
            drained.get(i).complete(null);
        }
        if (i == 0) {
            loop.wrapFuture(CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new))).await();
        }
        return s.finish();
    }

    /** The port every loop listens on. */
    public int port() {
        return port;
    }

    /** How many loops serve. */
    public int loops() {
        return loops;
    }

    /**
     * Asks every loop to shut down gracefully (the seven steps of {@link HttpServer#shutdown},
     * each loop on its own connections, with {@code timeout} seconds for its requests in flight;
     * the hooks run once, on loop 0). Safe from any thread; does not wait (see
     * {@link #awaitTermination}). Only the first call's timeout counts.
     */
    public void stop(double timeout) {
        for (CompletableFuture<Double> f : stops) {
            f.complete(timeout);
        }
    }

    /**
     * Waits until every loop has finished its shutdown (blocks), and returns what the loops cut
     * short, summed over them.
     *
     * @throws TimeoutException if they have not all finished in {@code timeout}
     * @throws IllegalStateException if a loop failed (its failure is the cause)
     */
    public ShutdownReport awaitTermination(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int idle = 0;
        int finished = 0;
        List<String> cancelled = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (CompletableFuture<ShutdownReport> f : reports) {
            ShutdownReport r;
            try {
                r = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("an HTTP loop failed: " + e.getCause(), e.getCause());
            }
            idle += r.idleClosed();
            finished += r.finished();
            cancelled.addAll(r.cancelled());
            failures.addAll(r.hookFailures());
        }
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        return new ShutdownReport(idle, finished, cancelled, failures);
    }

    /** {@link #stop stop(timeout)}, then {@link #awaitTermination} with {@code timeout} plus 30 s. */
    public ShutdownReport shutdown(double timeout) throws InterruptedException, TimeoutException {
        stop(timeout);
        return awaitTermination(Duration.ofMillis((long) (timeout * 1000) + 30_000));
    }

    private void awaitQuietly() {
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** {@link #shutdown shutdown(0)}: in-flight requests are cancelled at once. */
    @Override
    public void close() {
        try {
            shutdown(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            throw new IllegalStateException("the HTTP loops did not finish in 30 s", e);
        }
    }

    @Override
    public String toString() {
        return "HttpCluster[port " + port + ", " + loops + " loops]";
    }
}
