package io.jasyncio.http.internal.client;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import io.jasyncio.TimerHandle;
import io.jasyncio.http.client.ConnectorOptions;
import io.jasyncio.net.ConnectOptions;
import io.jasyncio.net.Endpoint;
import io.jasyncio.net.TlsContexts;
import io.jasyncio.net.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * A session's connections: idle ones by host (reused most-recent first, expired oldest first on
 * one loop timer), a total and a per-host limit on open connections, and the queue of requests
 * waiting for a connection or a slot. A freed connection goes straight to the first waiter for its
 * host; a freed slot to the first waiter that may use it. Runs on its loop only.
 */
public final class Pool {
    final EventLoop loop;
    final ConnectorOptions options;
    /** The read buffer every connection of this pool reads into; each read is parsed at once. */
    final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final Map<String, Host> hosts = new HashMap<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int open;
    private TimerHandle sweep;
    private boolean closed;
    private SSLContext ssl;

    /** The connections of one scheme, host and port. */
    static final class Host {
        final String key;
        final ArrayDeque<Connection> idle = new ArrayDeque<>(4);
        int open;

        Host(String key) {
            this.key = key;
        }
    }

    /** A request waiting for a connection: completed with an idle connection, or null for a reserved slot. */
    static final class Waiter {
        final Host host;
        final AsyncFuture<Connection> future;

        Waiter(Host host, AsyncFuture<Connection> future) {
            this.host = host;
            this.future = future;
        }
    }

    /**
     * A pool for the running loop.
     *
     * @param loop its loop
     * @param options limits, idle expiry and TLS
     */
    public Pool(EventLoop loop, ConnectorOptions options) {
        this.loop = loop;
        this.options = options;
        this.ssl = options.ssl();
    }

    Host host(String key) {
        Host h = hosts.get(key);
        if (h == null) {
            h = new Host(key);
            hosts.put(key, h);
        }
        return h;
    }

    /** An idle connection of {@code h} ready for a request, or null. */
    Connection takeIdle(Host h) {
        Connection c;
        while ((c = h.idle.pollLast()) != null) {
            if (c.usable()) {
                return c;
            }
            discard(c);
        }
        return null;
    }

    /** Reserves a slot for a new connection to {@code h} if the limits allow (closing another host's idle connection if that is all that stands in the way). */
    boolean tryReserve(Host h) {
        checkOpen();
        if (options.limitPerHost() > 0 && h.open >= options.limitPerHost()) {
            return false;
        }
        if (open >= options.limit() && !closeOneIdleElsewhere(h)) {
            return false;
        }
        open++;
        h.open++;
        return true;
    }

    private boolean closeOneIdleElsewhere(Host except) {
        Connection oldest = null;
        for (Host o : hosts.values()) {
            if (o != except && !o.idle.isEmpty()) {
                Connection c = o.idle.peekFirst();
                if (oldest == null || c.idleSince < oldest.idleSince) {
                    oldest = c;
                }
            }
        }
        if (oldest == null) {
            return false;
        }
        oldest.host.idle.remove(oldest);
        oldest.abort();
        freeSlot(oldest, false);
        return true;
    }

    /** Queues a waiter for {@code h}. */
    Waiter enqueue(Host h) {
        checkOpen();
        Waiter w = new Waiter(h, loop.<Connection>createFuture().describedAs("ClientSession: waiting for a connection to " + h.key));
        waiters.addLast(w);
        return w;
    }

    /** Removes a waiter that gave up (or was served). */
    void dequeue(Waiter w) {
        waiters.remove(w);
    }

    /** A connection holding a freshly reserved slot of {@code h}, not yet connected. */
    Connection newConnection(Host h) {
        Connection c = new Connection(this, h);
        c.holdsSlot = true;
        return c;
    }

    /**
     * Opens {@code c}: TCP within {@code sockConnect} seconds (raising the core's
     * {@link io.jasyncio.AsyncTimeoutException}), then TLS for https. A cancellation point: if
     * cancelled, nothing stays open (the caller discards {@code c}).
     */
    void open(Connection c, Target t, double sockConnect, double handshake) throws IOException {
        ConnectOptions co = ConnectOptions.builder()
                .connectTimeout(sockConnect)
                .happyEyeballsDelay(options.happyEyeballsDelay())
                .localAddress(options.localAddress())
                .build();
        Endpoint<Connection> ep = loop.createConnection(() -> c, t.host(), t.port(), co);
        c.transport = ep.transport();
        if (t.https()) {
            Transport tls = loop.startTls(c.transport, c, sslContext(), false,
                    options.verifyHostname() ? t.host() : "", handshake);
            c.transport = tls;
        }
    }

    private SSLContext sslContext() throws SSLException {
        if (ssl == null) {
            try {
                ssl = TlsContexts.client();
            } catch (GeneralSecurityException e) {
                throw new SSLException("the JDK's default TLS context is unavailable: " + e.getMessage(), e);
            }
        }
        return ssl;
    }

    /** Takes back a connection whose response was read in full and may carry another request. */
    void release(Connection c) {
        c.exchange = null;
        if (closed || !c.usable() || options.keepAliveTimeout() == 0) {
            discard(c);
            return;
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.host == c.host && !w.future.isDone()) {
                it.remove();
                w.future.setResult(c);
                return;
            }
        }
        c.idleSince = loop.time();
        c.host.idle.addLast(c);
        if (sweep == null) {
            sweep = loop.callLater(options.keepAliveTimeout(), this::sweep);
        }
        dispatch();  // a waiter for another host may take this connection's slot
    }

    /** Closes a connection (if still open) and frees its slot. Idempotent. */
    void discard(Connection c) {
        c.exchange = null;
        if (!c.closed) {
            c.abort();
        }
        freeSlot(c, true);
    }

    /** An idle connection's transport was lost (the server closed it). */
    void lost(Connection c) {
        c.host.idle.remove(c);
        freeSlot(c, true);
    }

    private void freeSlot(Connection c, boolean dispatch) {
        if (!c.holdsSlot) {
            return;
        }
        c.holdsSlot = false;
        open--;
        c.host.open--;
        if (dispatch) {
            dispatch();
        }
    }

    /** Frees the slot reserved for a connection that was never made. */
    void unreserve(Host h) {
        open--;
        h.open--;
        dispatch();
    }

    /** Gives free slots to the first waiters that may use them. */
    private void dispatch() {
        if (waiters.isEmpty() || closed) {
            return;
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.future.isDone()) {
                it.remove();
                continue;
            }
            Connection idle = takeIdle(w.host);
            if (idle != null) {
                it.remove();
                w.future.setResult(idle);
                continue;
            }
            if ((options.limitPerHost() == 0 || w.host.open < options.limitPerHost())
                    && (open < options.limit() || closeOneIdleElsewhere(w.host))) {
                it.remove();
                open++;
                w.host.open++;
                w.future.setResult(null);
            }
        }
    }

    private void sweep() {
        sweep = null;
        double now = loop.time();
        double ttl = options.keepAliveTimeout();
        double next = Double.POSITIVE_INFINITY;
        for (Host h : hosts.values()) {
            Connection c;
            while ((c = h.idle.peekFirst()) != null && now - c.idleSince >= ttl) {
                h.idle.pollFirst();
                c.abort();
                freeSlot(c, false);
            }
            if (c != null) {
                next = Math.min(next, c.idleSince + ttl);
            }
        }
        hosts.values().removeIf(h -> h.open == 0 && h.idle.isEmpty());
        dispatch();
        if (next != Double.POSITIVE_INFINITY) {
            sweep = loop.callAt(next, this::sweep);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the ClientSession is closed");
        }
    }

    /** Connections open or being opened, all hosts. */
    public int openCount() {
        return open;
    }

    /** Idle connections, all hosts. */
    public int idleCount() {
        int n = 0;
        for (Host h : hosts.values()) {
            n += h.idle.size();
        }
        return n;
    }

    /** Closes every idle connection and refuses new requests; connections in use close when released. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sweep != null) {
            sweep.cancel();
            sweep = null;
        }
        for (Host h : hosts.values()) {
            Connection c;
            while ((c = h.idle.pollFirst()) != null) {
                c.transport.close();
                c.closed = true;
                freeSlot(c, false);
            }
        }
        for (Waiter w : waiters) {
            if (!w.future.isDone()) {
                w.future.setException(new IllegalStateException("the ClientSession was closed while waiting for a connection to " + w.host.key));
            }
        }
        waiters.clear();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }
}
