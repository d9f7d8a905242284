package io.jasyncio.examples.echo;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The echo program's servers: {@code loops} event loops, each on its own thread with its own
 * listening socket on the same port ({@code SO_REUSEPORT} when there are several, so the kernel
 * spreads connections among them), and nothing shared between them but this object's stop
 * request. See {@code docs/multicore.md}.
 *
 * <p>{@link #stop()} and {@link #hurry()} are safe from any thread: they fan out to every loop
 * through {@link EventLoop#callSoonThreadsafe}. With {@code handleSignals}, loop 0 owns SIGINT and
 * SIGTERM (one loop owns a signal): the first signal calls {@link #stop()}, the next one
 * {@link #hurry()}; the handlers are given back once every loop has finished.
 */
public final class EchoCluster implements AutoCloseable {
    private final EchoConfig config;
    private final Consumer<String> log;
    private final boolean handleSignals;
    private final List<EchoServer> servers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<CompletableFuture<EchoServer.Shutdown>> finished = new ArrayList<>();
    private int port;

    private final Object lock = new Object();
    /** Servers that are listening, and may be sent a request. Guarded by {@link #lock}. */
    private final List<EchoServer> live = new ArrayList<>();
    /** 0: serving, 1: stop asked, 2: stop now. Guarded by {@link #lock}. */
    private int stopLevel;
    /** Signals received (loop 0 only). */
    private int signals;

    private EchoCluster(EchoConfig config, Consumer<String> log, boolean handleSignals) {
        this.config = config;
        this.log = log;
        this.handleSignals = handleSignals;
        for (int i = 0; i < config.loops(); i++) {
            servers.add(new EchoServer(i, config.loops(), config, log));
            finished.add(new CompletableFuture<>());
        }
    }

    /**
     * Starts the loops and returns once every one of them listens. Loop 0 binds first (and picks
     * the port if it is 0); the others then bind the same port.
     *
     * @param config what to serve
     * @param out where status lines go ({@code "echo: ..."})
     * @param handleSignals whether loop 0 takes SIGINT and SIGTERM (the program does; tests in a
     *     shared JVM do not)
     * @return the running servers
     * @throws IOException if a loop cannot listen (the loops already started are stopped first)
     */
    public static EchoCluster start(EchoConfig config, PrintWriter out, boolean handleSignals) throws IOException {
        Consumer<String> log = line -> {
            synchronized (out) {
                out.println("echo: " + line);
                out.flush();
            }
        };
        EchoCluster c = new EchoCluster(config, log, handleSignals);
        int port = config.loops() > 1 ? probe(config.host(), config.port()) : config.port();
        try {
            c.port = c.startLoop(0, port);
            for (int i = 1; i < config.loops(); i++) {
                c.startLoop(i, c.port);
            }
        } catch (IOException | RuntimeException e) {
            // The loops never started count as finished, or loop 0 would wait for them.
            for (int j = c.threads.size(); j < config.loops(); j++) {
                c.finished.get(j).complete(null);
            }
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Binds {@code host:port} once without SO_REUSEPORT and lets go, before the loops bind it with
     * SO_REUSEPORT: this fails if anything listens there already. Without it, a second copy of the
     * program (same user, also with SO_REUSEPORT) would silently share the port with the first,
     * and the kernel would hand it half of the first one's clients. For port 0 it picks the free
     * port the loops then share.
     *
     * @return the port
     * @throws IOException if the port is taken (or the host is not a local address)
     */
    static int probe(String host, int port) throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);      // as the servers: TIME_WAIT is no conflict
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
    }

    /** Starts loop {@code i} on its own thread and waits until it listens; returns the port. */
    private int startLoop(int i, int onPort) throws IOException {
        EchoServer s = servers.get(i);
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        boolean reusePort = config.loops() > 1;
        Thread t = Thread.ofPlatform().name("echo-loop-" + i).daemon(true).unstarted(() -> {
            try {
                EchoServer.Shutdown result = Asyncio.run(() -> serveLoop(i, s, onPort, reusePort, listening));
                finished.get(i).complete(result);
            } catch (Throwable e) {
                listening.completeExceptionally(e);
                finished.get(i).completeExceptionally(e);
                stop();
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
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("loop " + i + " failed to start: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The main task of loop {@code i}: listen, serve until asked to stop, shut down. Loop 0 of a
     * program owns the signals: its handlers are in place before it listens (so a signal sent
     * once the program says it listens is never the JVM's), and stay until every loop has
     * finished (so a second signal still reaches loops that wait for their clients).
     */
    private EchoServer.Shutdown serveLoop(int i, EchoServer s, int onPort, boolean reusePort,
            CompletableFuture<Integer> listening) {
        EventLoop loop = Asyncio.getRunningLoop();
        boolean signalsHere = i == 0 && handleSignals;
        if (signalsHere) {
            for (String sig : List.of("INT", "TERM")) {
                loop.addSignalHandler(sig, () -> onSignal(sig));
            }
        }
        try {
            try {
                listening.complete(s.listen(onPort, reusePort));
            } catch (IOException | RuntimeException e) {
                listening.completeExceptionally(e);
                return null;
            }
            joined(s);
            EchoServer.Shutdown mine = s.serveUntilStopped();
            if (signalsHere) {
                loop.wrapFuture(allFinishedButLoop0()).await();
            }
            return mine;
        } finally {
            if (signalsHere) {
                loop.removeSignalHandler("INT");
                loop.removeSignalHandler("TERM");
            }
        }
    }

    /** A signal handler: runs on loop 0; fans the request out to every loop. */
    private void onSignal(String sig) {
        if (signals++ == 0) {
            log.accept("SIG" + sig + ": stopping; clients get " + config.graceText()
                    + " to leave (a second signal drops them at once)");
            stop();
        } else {
            log.accept("SIG" + sig + ": closing the remaining clients now");
            hurry();
        }
    }

    private CompletableFuture<Void> allFinishedButLoop0() {
        List<CompletableFuture<EchoServer.Shutdown>> others = finished.subList(1, finished.size());
        // Handled: a loop that failed must not keep loop 0 from finishing.
        return CompletableFuture.allOf(others.stream().map(f -> f.handle((r, e) -> r)).toArray(CompletableFuture[]::new));
    }

    private void joined(EchoServer s) {
        synchronized (lock) {
            live.add(s);
            if (stopLevel > 0) {
                s.request(stopLevel);
            }
        }
    }

    /** The port every loop listens on. */
    public int port() {
        return port;
    }

    /** How many loops serve. */
    public int loops() {
        return servers.size();
    }

    /** Connections accepted so far by each loop, in loop order (any thread). */
    public List<Long> acceptedPerLoop() {
        return servers.stream().map(EchoServer::accepted).toList();
    }

    /** Connections open now, over every loop (any thread). */
    public int openConnections() {
        return servers.stream().mapToInt(EchoServer::open).sum();
    }

    /**
     * Asks every loop to stop gracefully, as the first SIGINT or SIGTERM does: stop accepting,
     * tell the clients, wait for them up to the grace period, then drop the rest. Safe from any
     * thread; does not wait (see {@link #awaitTermination}). Idempotent.
     */
    public void stop() {
        escalate(1);
    }

    /**
     * Asks every loop to stop now, as a second signal does: the grace period ends at once.
     * Safe from any thread; does not wait.
     */
    public void hurry() {
        escalate(2);
    }

    private void escalate(int level) {
        synchronized (lock) {
            if (level <= stopLevel) {
                return;
            }
            stopLevel = level;
            for (EchoServer s : live) {
                s.request(level);
            }
        }
    }

    /**
     * Waits until every loop has finished its shutdown and closed (blocks: call from a plain
     * thread, not from a task).
     *
     * @param timeout how long to wait at most
     * @return true if every loop finished in time
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    /** Waits without a bound until every loop has finished. */
    public void awaitTermination() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    /**
     * What the shutdown of every loop found: how many clients were told and how many were dropped
     * at the deadline, summed. Call after {@link #awaitTermination}.
     *
     * @return told, dropped
     * @throws IllegalStateException if a loop failed (its failure is the cause)
     */
    public int[] shutdownCounts() {
        int told = 0;
        int dropped = 0;
        for (CompletableFuture<EchoServer.Shutdown> f : finished) {
            EchoServer.Shutdown r;
            try {
                r = f.getNow(null);
            } catch (RuntimeException e) {
                throw new IllegalStateException("an echo loop failed: " + e.getCause(), e.getCause());
            }
            if (r != null) {
                told += r.told();
                dropped += r.dropped();
            }
        }
        return new int[] {told, dropped};
    }

    /** Stops at once (the grace period is skipped) and waits up to 30 s for the loops to finish. */
    @Override
    public void close() {
        stop();
        hurry();
        try {
            awaitTermination(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
