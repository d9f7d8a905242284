package io.jasyncio.internal.net;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.net.StreamProtocol;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** asyncio's {@code Server} over one or more listening channels. */
final class ServerImpl implements Server, NetState.Resource {
    private static final double ACCEPT_RETRY_DELAY = 1.0;

    private final EventLoop loop;
    private final NetState net;
    private final Supplier<? extends StreamProtocol> factory;
    private final ServerOptions options;
    private final List<ServerSocketChannel> sockets;
    private final List<SocketAddress> addresses;
    private final Path unixPath;
    /** The identity of the socket file this server bound at {@code unixPath}, or null. */
    private final Object unixFileKey;
    private final Throwable site;
    private final Set<SocketTransport> clients = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<AsyncFuture<Void>> closeWaiters = new ArrayList<>();
    private boolean serving;
    private boolean closed;
    private AsyncFuture<Void> servingForever;

    ServerImpl(EventLoop loop, Supplier<? extends StreamProtocol> factory, List<ServerSocketChannel> sockets,
            ServerOptions options, Path unixPath) throws IOException {
        this.loop = loop;
        this.net = NetState.of(loop);
        this.factory = factory;
        this.options = options;
        this.sockets = List.copyOf(sockets);
        List<SocketAddress> a = new ArrayList<>();
        for (ServerSocketChannel s : sockets) {
            s.configureBlocking(false);
            a.add(s.getLocalAddress());
        }
        this.addresses = List.copyOf(a);
        this.unixPath = unixPath;
        this.unixFileKey = unixPath == null ? null : fileKey(unixPath);
        this.site = io.jasyncio.internal.LoopAccess.ops().creationSite(loop, "server created");
        net.add(this);
    }

    @Override
    public void startServing() {
        if (serving || closed) {
            return;
        }
        serving = true;
        for (ServerSocketChannel s : sockets) {
            loop.addReader(s, () -> acceptReady(s));
        }
    }

    private void acceptReady(ServerSocketChannel s) {
        // Take up to a backlog's worth per wake-up, as asyncio: a burst of connections is accepted
        // in one go without starving the established ones.
        int max = Math.max(1, options.backlog());
        for (int i = 0; i < max && serving; i++) {
            SocketChannel c;
            try {
                c = s.accept();
            } catch (IOException e) {
                // Out of file descriptors, typically: say so, stop accepting for a second (the
                // kernel keeps queueing), then try again, as asyncio does.
                loop.callExceptionHandler(ExceptionContext.builder("socket.accept() out of system resource")
                        .exception(e).extra("socket", s).build());
                for (ServerSocketChannel x : sockets) {
                    loop.removeReader(x);
                }
                loop.callLater(ACCEPT_RETRY_DELAY, () -> {
                    if (serving) {
                        for (ServerSocketChannel x : sockets) {
                            loop.addReader(x, () -> acceptReady(x));
                        }
                    }
                });
                return;
            }
            if (c == null) {
                return;
            }
            accepted(c);
        }
    }

    private void accepted(SocketChannel c) {
        StreamProtocol app;
        try {
            c.configureBlocking(false);
            if (unixPath == null) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, options.noDelay());
                if (options.keepAlive()) {
                    c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                }
            }
            app = factory.get();
        } catch (Throwable e) {
            // Errors too (a protocol class that cannot load when descriptors run out): the
            // accepted socket is closed, never leaked; what the loop cannot survive goes on up.
            Tcp.closeQuietly(c);
            if (io.jasyncio.internal.Failures.isFatal(e)) {
                throw (VirtualMachineError) e;
            }
            loop.callExceptionHandler(ExceptionContext.builder("Error on transport creation for incoming connection")
                    .exception(e).build());
            return;
        }
        StreamProtocol p = app;
        if (options.ssl() != null) {
            p = Tls.layer(loop, app, options.ssl(), true, null, options.sslHandshakeTimeout(),
                    options.sslShutdownTimeout(), null);
        }
        SocketTransport t = new SocketTransport(loop, c, p, this);
        t.start(null);
    }

    /** How this server listens, and the timeouts its connections get. */
    ServerOptions options() {
        return options;
    }

    /** The identity (device and inode) of the file at {@code p}, or null if there is none. */
    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    void attach(SocketTransport t) {
        clients.add(t);
    }

    void detach(SocketTransport t) {
        clients.remove(t);
        wakeupIfDone();
    }

    private void wakeupIfDone() {
        if (closed && clients.isEmpty() && !closeWaiters.isEmpty()) {
            List<AsyncFuture<Void>> w = new ArrayList<>(closeWaiters);
            closeWaiters.clear();
            for (AsyncFuture<Void> f : w) {
                if (!f.isDone()) {
                    f.setResult(null);
                }
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        serving = false;
        for (ServerSocketChannel s : sockets) {
            io.jasyncio.internal.LoopAccess.ops().closeChannel(loop, s);  // refuses connections at once
        }
        if (unixPath != null && unixFileKey != null && unixFileKey.equals(fileKey(unixPath))) {
            // Only the file this server bound: another server may have bound a new one at the path
            // since (asyncio compares the inode too).
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException ignored) {
                // someone else's now, or gone
            }
        }
        net.remove(this);
        AsyncFuture<Void> f = servingForever;
        if (f != null && !f.isDone()) {
            // asyncio cancels serve_forever's future here, so a server closed by a signal handler
            // makes serve_forever raise CancelledError in a task nobody cancelled. Here it returns.
            f.setResult(null);
        }
        // Let callbacks already scheduled see the server closed before waiters wake.
        loop.callSoon(this::wakeupIfDone);
    }

    @Override
    public void waitClosed() {
        if (closed && clients.isEmpty()) {
            return;
        }
        AsyncFuture<Void> f = loop.createFuture();
        f.describedAs("server waitClosed");
        closeWaiters.add(f);
        try {
            f.await();
        } finally {
            closeWaiters.remove(f);
        }
    }

    @Override
    public void serveForever() {
        if (closed) {
            throw new IllegalStateException("the server is closed: " + this);
        }
        if (servingForever != null) {
            throw new IllegalStateException("the server is already being served forever: " + this);
        }
        startServing();
        AsyncFuture<Void> f = loop.createFuture();
        f.describedAs("serveForever");
        servingForever = f;
        try {
            f.await();
        } finally {
            servingForever = null;
            close();
            waitClosed();
        }
    }

    @Override
    public boolean isServing() {
        return serving;
    }

    @Override
    public List<SocketAddress> sockets() {
        return closed ? List.of() : addresses;
    }

    @Override
    public void closeClients() {
        for (SocketTransport t : new ArrayList<>(clients)) {
            if (t.getProtocol() instanceof SslLayer l) {
                l.appTransport().close();  // a TLS close: close_notify first
            } else {
                t.close();
            }
        }
    }

    @Override
    public void abortClients() {
        for (SocketTransport t : new ArrayList<>(clients)) {
            t.abort();
        }
    }

    @Override
    public int activeConnections() {
        return clients.size();
    }

    @Override
    public void forceRelease() {
        for (ServerSocketChannel s : sockets) {
            Tcp.closeQuietly(s);
        }
    }

    @Override
    public Throwable creationSite() {
        return site;
    }

    @Override
    public String toString() {
        return "Server" + addresses + (closed ? "[closed]" : serving ? "[serving]" : "[not serving]");
    }
}
