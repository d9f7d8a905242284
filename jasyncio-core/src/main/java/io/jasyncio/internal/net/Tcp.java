package io.jasyncio.internal.net;

import io.jasyncio.AsyncFuture;
import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.Timeout;
import io.jasyncio.net.ConnectOptions;
import io.jasyncio.net.Endpoint;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.net.StreamProtocol;
import io.jasyncio.net.Transport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * TCP and Unix-socket connections and servers: asyncio's {@code create_connection},
 * {@code create_server} and their Unix variants, with RFC 8305 happy eyeballs.
 */
public final class Tcp {
    private Tcp() {}

    public static <P extends StreamProtocol> Endpoint<P> connect(EventLoop loop, Supplier<? extends P> factory,
            String host, int port, ConnectOptions o) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (o.ssl() != null && o.serverHostname() == null && (host == null || host.isEmpty())) {
            // asyncio refuses this too: the name to check the certificate against would be missing,
            // so hostname checking would be skipped without anyone having asked for that.
            throw new IllegalArgumentException("serverHostname must be given with ssl when there is no host"
                    + " (an empty serverHostname turns hostname checking off explicitly)");
        }
        String sni = o.ssl() == null ? null : o.serverHostname() != null ? o.serverHostname() : host;
        return withTimeout(loop, o, "connect to " + host + ":" + port, () -> {
            List<InetSocketAddress> addrs = loop.getaddrinfo(host, port, o.family());
            SocketChannel ch = connectAny(loop, addrs, o, localAddresses(loop, o));
            return establish(loop, factory, ch, o, sni);
        });
    }

    public static <P extends StreamProtocol> Endpoint<P> wrapConnected(EventLoop loop, Supplier<? extends P> factory,
            SocketChannel ch, ConnectOptions o) throws IOException {
        if (!ch.isConnected()) {
            throw new IllegalArgumentException("the socket is not connected: " + ch);
        }
        ch.configureBlocking(false);
        String sni = o.ssl() == null ? null : o.serverHostname();
        if (o.ssl() != null && sni == null) {
            throw new IllegalArgumentException("serverHostname is required with ssl when a socket is given");
        }
        return withTimeout(loop, o, "TLS handshake", () -> establish(loop, factory, ch, o, sni));
    }

    public static <P extends StreamProtocol> Endpoint<P> connectUnix(EventLoop loop, Supplier<? extends P> factory,
            Path path, ConnectOptions o) throws IOException {
        String sni = o.ssl() == null ? null : o.serverHostname();
        if (o.ssl() != null && sni == null) {
            throw new IllegalArgumentException("serverHostname is required with ssl over a Unix socket");
        }
        return withTimeout(loop, o, "connect to " + path, () -> {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.configureBlocking(false);
            loop.sockConnect(ch, UnixDomainSocketAddress.of(path));
            return establish(loop, factory, ch, o, sni);
        });
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private static <T> T withTimeout(EventLoop loop, ConnectOptions o, String what, IoCall<T> body) throws IOException {
        if (Double.isInfinite(o.connectTimeout())) {
            return body.call();
        }
        Timeout t = Asyncio.timeout(o.connectTimeout());
        try {
            return t.run(body::call);
        } catch (AsyncTimeoutException e) {
            if (e.timeout() == t) {
                throw new AsyncTimeoutException(what + " timed out after " + o.connectTimeout() + " s", t, e.getCause());
            }
            throw e;
        }
    }

    /** Gives a connected channel its transport and protocol, doing the TLS handshake if asked. */
    private static <P extends StreamProtocol> Endpoint<P> establish(EventLoop loop, Supplier<? extends P> factory,
            SocketChannel ch, ConnectOptions o, String sni) throws IOException {
        boolean ok = false;
        try {
            if (!(ch.getRemoteAddress() instanceof UnixDomainSocketAddress)) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, o.noDelay());
            }
            P app = factory.get();
            Transport result;
            if (o.ssl() != null) {
                AsyncFuture<Transport> waiter = loop.createFuture();
                waiter.describedAs("TLS handshake");
                SslLayer layer = Tls.layer(loop, app, o.ssl(), false, sni, o.sslHandshakeTimeout(),
                        o.sslShutdownTimeout(), waiter);
                SocketTransport raw = new SocketTransport(loop, ch, layer, null);
                raw.start(null);
                try {
                    result = waiter.await();
                } catch (Throwable e) {
                    layer.abandonHandshake(raw);  // cancelled or timed out: a clean close, not a reset
                    throw e;
                }
            } else {
                AsyncFuture<Void> waiter = loop.createFuture();
                waiter.describedAs("connectionMade");
                SocketTransport t = new SocketTransport(loop, ch, app, null);
                t.start(waiter);
                try {
                    waiter.await();
                } catch (Throwable e) {
                    t.abort();
                    throw e;
                }
                result = t;
            }
            ok = true;
            return new Endpoint<>(result, app);
        } finally {
            if (!ok) {
                closeQuietly(ch);
            }
        }
    }

    // ------------------------------------------------------------------ connecting

    /** The local addresses to bind to (a name resolved, as asyncio's {@code local_addr}), or null. */
    private static List<SocketAddress> localAddresses(EventLoop loop, ConnectOptions o) throws IOException {
        SocketAddress local = o.localAddress();
        if (local == null) {
            return null;
        }
        if (local instanceof InetSocketAddress l && l.isUnresolved()) {
            return List.copyOf(loop.getaddrinfo(l.getHostString(), l.getPort(), o.family()));
        }
        return List.of(local);
    }

    static SocketChannel connectAny(EventLoop loop, List<InetSocketAddress> addrs, ConnectOptions o)
            throws IOException {
        return connectAny(loop, addrs, o, o.localAddress() == null ? null : List.of(o.localAddress()));
    }

    static SocketChannel connectAny(EventLoop loop, List<InetSocketAddress> addrs, ConnectOptions o,
            List<SocketAddress> locals) throws IOException {
        int interleave = o.interleave();
        if (interleave == 0 && !Double.isNaN(o.happyEyeballsDelay())) {
            interleave = 1;
        }
        if (interleave > 0) {
            addrs = interleave(addrs, interleave);
        }
        if (Double.isNaN(o.happyEyeballsDelay()) || addrs.size() == 1) {
            List<IOException> errors = new ArrayList<>();
            for (InetSocketAddress a : addrs) {
                try {
                    return connectOne(loop, a, locals);
                } catch (IOException e) {
                    errors.add(e);
                }
            }
            throw combine(addrs, errors);
        }
        return race(loop, addrs, o, locals);
    }

    /** RFC 8305 section 4: alternate families, {@code first} of the first family leading. */
    static List<InetSocketAddress> interleave(List<InetSocketAddress> addrs, int first) {
        List<InetSocketAddress> v6 = new ArrayList<>();
        List<InetSocketAddress> v4 = new ArrayList<>();
        boolean v6First = !addrs.isEmpty() && addrs.get(0).getAddress() instanceof Inet6Address;
        for (InetSocketAddress a : addrs) {
            (a.getAddress() instanceof Inet6Address ? v6 : v4).add(a);
        }
        List<InetSocketAddress> a = v6First ? v6 : v4;
        List<InetSocketAddress> b = v6First ? v4 : v6;
        List<InetSocketAddress> out = new ArrayList<>(addrs.size());
        int i = 0;
        int j = 0;
        for (int k = 0; k < first - 1 && i < a.size(); k++) {
            out.add(a.get(i++));
        }
        while (i < a.size() || j < b.size()) {
            if (i < a.size()) {
                out.add(a.get(i++));
            }
            if (j < b.size()) {
                out.add(b.get(j++));
            }
        }
        return out;
    }

    private static SocketChannel connectOne(EventLoop loop, InetSocketAddress a, List<SocketAddress> locals)
            throws IOException {
        boolean v6 = a.getAddress() instanceof Inet6Address;
        List<SocketAddress> binds = null;
        if (locals != null) {
            // Only a local address of the remote's family can be bound (asyncio, bpo-42392): an
            // attempt with none is an error of its own, and the next remote address is tried.
            binds = new ArrayList<>();
            for (SocketAddress l : locals) {
                if (l instanceof InetSocketAddress i && (i.getAddress() instanceof Inet6Address) == v6) {
                    binds.add(l);
                }
            }
            if (binds.isEmpty()) {
                throw new java.net.SocketException("no local address of the family of " + a + " among "
                        + locals + " to bind to");
            }
        }
        SocketChannel ch = SocketChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.configureBlocking(false);
            if (binds != null) {
                bindLocal(ch, binds);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
        loop.sockConnect(ch, a);  // closes the channel if it fails or is cancelled
        return ch;
    }

    /** Binds to the first of {@code binds} that is free; the error names the address. */
    private static void bindLocal(SocketChannel ch, List<SocketAddress> binds) throws IOException {
        IOException last = null;
        for (SocketAddress l : binds) {
            try {
                ch.bind(l);
                return;
            } catch (IOException e) {
                IOException named = e instanceof java.net.BindException
                        ? new java.net.BindException("error while attempting to bind on address " + l + ": "
                                + e.getMessage())
                        : new IOException("error while attempting to bind on address " + l + ": " + e.getMessage());
                named.initCause(e);
                last = named;
            }
        }
        throw last;
    }

    /** Staggered race: a new attempt each delay or as soon as one fails; the first to connect wins. */
    private static SocketChannel race(EventLoop loop, List<InetSocketAddress> addrs, ConnectOptions o,
            List<SocketAddress> locals) throws IOException {
        int n = addrs.size();
        AsyncFuture<SocketChannel> winner = loop.createFuture();
        winner.describedAs("happy eyeballs");
        IOException[] errors = new IOException[n];
        List<Task<SocketChannel>> attempts = new ArrayList<>();
        int[] launched = {0};
        int[] running = {0};
        io.jasyncio.TimerHandle[] timer = {null};
        Runnable[] launchNext = {null};
        launchNext[0] = () -> {
            if (winner.isDone() || launched[0] >= n) {
                return;
            }
            int i = launched[0]++;
            InetSocketAddress a = addrs.get(i);
            running[0]++;
            Task<SocketChannel> t = loop.createTask("connect " + a, () -> connectOne(loop, a, locals));
            attempts.add(t);
            t.addDoneCallback(done -> {
                running[0]--;
                if (!done.isCancelled() && done.exception() == null) {
                    SocketChannel ch = done.result();
                    if (winner.isDone()) {
                        closeQuietly(ch);
                    } else {
                        winner.setResult(ch);
                    }
                    return;
                }
                if (!done.isCancelled()) {
                    Throwable e = done.exception();
                    errors[i] = e instanceof IOException io ? io : new IOException(e);
                }
                if (winner.isDone()) {
                    return;
                }
                if (launched[0] < n) {
                    if (timer[0] != null) {
                        timer[0].cancel();
                    }
                    launchNext[0].run();
                } else if (running[0] == 0) {
                    List<IOException> errs = new ArrayList<>();
                    for (IOException x : errors) {
                        if (x != null) {
                            errs.add(x);
                        }
                    }
                    winner.setException(combine(addrs, errs));
                }
            });
            if (launched[0] < n) {
                timer[0] = loop.callLater(o.happyEyeballsDelay(), launchNext[0]);
            }
        };
        launchNext[0].run();
        boolean returned = false;
        try {
            SocketChannel ch = winner.await();
            returned = true;
            return ch;
        } finally {
            if (timer[0] != null) {
                timer[0].cancel();
            }
            List<Task<SocketChannel>> left = new ArrayList<>();
            for (Task<SocketChannel> t : attempts) {
                if (!t.isDone()) {
                    t.cancel();  // a channel that connects anyway is closed by its done callback
                    left.add(t);
                }
            }
            Throwable waitFailed = null;
            if (!left.isEmpty()) {
                try {
                    Asyncio.wait(left);  // no attempt outlives the connect
                } catch (RuntimeException | Error e) {
                    waitFailed = e;  // cancelled (a timeout) while the losers wind down
                }
            }
            if ((waitFailed != null || !returned) && winner.isDone() && !winner.isCancelled()
                    && winner.exception() == null) {
                // A channel won but will not be handed out (cancelled as it won, or while the
                // losers wound down): nobody else can close it.
                closeQuietly(winner.result());
            }
            if (waitFailed instanceof RuntimeException r) {
                throw r;
            }
            if (waitFailed instanceof Error e) {
                throw e;
            }
        }
    }

    private static IOException combine(List<InetSocketAddress> addrs, List<IOException> errors) {
        if (errors.size() == 1) {
            return errors.get(0);
        }
        StringBuilder sb = new StringBuilder("Multiple exceptions: ");
        for (int i = 0; i < errors.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(errors.get(i).getMessage());
        }
        boolean allRefused = !errors.isEmpty() && errors.stream().allMatch(e -> e instanceof ConnectException);
        IOException e = allRefused ? new ConnectException(sb.toString()) : new IOException(sb.toString());
        for (IOException x : errors) {
            e.addSuppressed(x);
        }
        if (errors.isEmpty()) {
            return new IOException("no address to connect to: " + addrs);
        }
        return e;
    }

    // ------------------------------------------------------------------ listening

    public static Server listen(EventLoop loop, Supplier<? extends StreamProtocol> factory, String host, int port,
            ServerOptions o) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        List<InetSocketAddress> addrs;
        boolean everywhere = host == null || host.isEmpty();
        if (everywhere) {
            addrs = List.of(new InetSocketAddress(port));  // the wildcard: both families on a dual-stack host
        } else {
            addrs = loop.getaddrinfo(host, port, o.family());
        }
        List<ServerSocketChannel> socks = new ArrayList<>();
        boolean ok = false;
        try {
            int chosen = port;
            for (InetSocketAddress a : addrs) {
                InetSocketAddress at = chosen == a.getPort() ? a : new InetSocketAddress(a.getAddress(), chosen);
                ServerSocketChannel s = openServer(at.getAddress(), everywhere, o);
                socks.add(s);
                try {
                    s.bind(at, o.backlog());
                } catch (java.net.BindException e) {
                    java.net.BindException b = new java.net.BindException(
                            "error while attempting to bind on address " + at + ": " + e.getMessage());
                    b.initCause(e);
                    throw b;
                }
                // Port 0 on several addresses: asyncio binds each to a different free port; here
                // they all share the first one's, so the server has one port.
                chosen = ((InetSocketAddress) s.getLocalAddress()).getPort();
            }
            Server srv = serve(loop, factory, socks, o);
            ok = true;
            return srv;
        } finally {
            if (!ok) {
                for (ServerSocketChannel s : socks) {
                    closeQuietly(s);
                }
            }
        }
    }

    private static ServerSocketChannel openServer(InetAddress bindTo, boolean everywhere, ServerOptions o)
            throws IOException {
        ServerSocketChannel s;
        if (o.family() != null) {
            s = ServerSocketChannel.open(o.family());
        } else if (bindTo instanceof Inet6Address || everywhere) {
            // "0.0.0.0" is IPv4's wildcard only, as in asyncio: a dual-stack socket bound to it
            // would accept IPv6 too. Only no host at all means both families.
            s = ServerSocketChannel.open();
        } else {
            s = ServerSocketChannel.open(StandardProtocolFamily.INET);
        }
        s.setOption(StandardSocketOptions.SO_REUSEADDR, o.reuseAddress());
        if (o.reusePort()) {
            s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        return s;
    }

    public static Server listenUnix(EventLoop loop, Supplier<? extends StreamProtocol> factory, Path path,
            ServerOptions o) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (isSocket(path)) {
                Files.delete(path);  // a stale socket left by an earlier run, as asyncio removes it
            } else {
                throw new java.nio.file.FileAlreadyExistsException(path.toString(), null,
                        "exists and is not a socket; refusing to remove it");
            }
        }
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        boolean ok = false;
        try {
            s.bind(UnixDomainSocketAddress.of(path), o.backlog());
            ServerImpl srv = new ServerImpl(loop, factory, List.of(s), o, path);
            if (o.startServing()) {
                srv.startServing();
            }
            ok = true;
            return srv;
        } finally {
            if (!ok) {
                closeQuietly(s);
            }
        }
    }

    private static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    public static Server serve(EventLoop loop, Supplier<? extends StreamProtocol> factory,
            List<ServerSocketChannel> sockets, ServerOptions o) throws IOException {
        for (ServerSocketChannel s : sockets) {
            if (s.getLocalAddress() == null) {
                throw new IllegalArgumentException("the server socket is not bound: " + s);
            }
        }
        Path unixPath = null;
        if (sockets.size() == 1 && sockets.get(0).getLocalAddress() instanceof UnixDomainSocketAddress u
                && !u.getPath().toString().isEmpty()) {
            unixPath = u.getPath();  // removed on close, as a server that bound it itself does
        }
        ServerImpl srv = new ServerImpl(loop, factory, sockets, o, unixPath);
        if (o.startServing()) {
            srv.startServing();
        }
        return srv;
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing after a failure: the first error is the one that matters
        }
    }
}
