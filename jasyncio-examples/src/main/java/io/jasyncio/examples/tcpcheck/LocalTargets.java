package io.jasyncio.examples.tcpcheck;

import io.jasyncio.EventLoop;
import io.jasyncio.net.Protocol;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Something to probe without a network: a block of ports on 127.0.0.1 in which some are served
 * by a jasyncio server (open), one is a listener whose queue of pending connections is full
 * (probes time out), and the rest have nothing listening (closed).
 *
 * <p>The full queue is how a timeout is made on loopback, deterministically: a listener that
 * never accepts holds at most backlog + 1 finished handshakes on Linux; once they are there, the
 * kernel drops further SYNs, and a connect waits until its timeout. {@link #saturate} fills it.
 */
public final class LocalTargets implements AutoCloseable {
    /** The probed block: ports {@code first} to {@code first + width - 1}. */
    public final int first;
    public final int width;
    /** The ports a server accepts on. */
    public final List<Integer> open = new ArrayList<>();
    /** The port whose listen queue is full, or -1 if it could not be filled. */
    public final int saturated;

    private final List<ServerSocketChannel> toServe = new ArrayList<>();
    private final List<Server> servers = new ArrayList<>();
    private final Saturated jam;

    private LocalTargets(int first, int width, List<ServerSocketChannel> toServe, Saturated jam) {
        this.first = first;
        this.width = width;
        this.toServe.addAll(toServe);
        for (ServerSocketChannel c : toServe) {
            open.add(port(c));
        }
        this.jam = jam;
        this.saturated = jam == null ? -1 : jam.port;
    }

    /**
     * Reserves a block of {@code width} free ports on 127.0.0.1 and binds those at
     * {@code openOffsets} (to be served by {@link #serve}) and at {@code saturatedOffset} (filled
     * at once; -1 for none). The other ports of the block are free when this returns.
     *
     * @throws IOException if no free block was found
     */
    public static LocalTargets reserve(int width, List<Integer> openOffsets, int saturatedOffset) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000 - width);
            List<ServerSocketChannel> bound = new ArrayList<>();
            try {
                for (int i = 0; i < width; i++) {
                    ServerSocketChannel c = ServerSocketChannel.open();
                    bound.add(c);
                    c.bind(new InetSocketAddress("127.0.0.1", base + i), i == saturatedOffset ? 1 : 0);
                }
            } catch (IOException e) {
                last = e;
                closeAll(bound);
                continue;
            }
            List<ServerSocketChannel> keep = new ArrayList<>();
            Saturated jam = null;
            for (int i = 0; i < width; i++) {
                if (openOffsets.contains(i)) {
                    keep.add(bound.get(i));
                } else if (i == saturatedOffset) {
                    jam = Saturated.fill(bound.get(i));
                } else {
                    bound.get(i).close();
                }
            }
            return new LocalTargets(base, width, keep, jam);
        }
        throw new IOException("no block of " + width + " free ports found on 127.0.0.1", last);
    }

    /** Starts a server that accepts (and ignores) connections on every open port. Call on the loop. */
    public void serve(EventLoop loop) throws IOException {
        for (ServerSocketChannel c : toServe) {
            servers.add(loop.createServer(() -> new Protocol() { }, c, ServerOptions.DEFAULTS));
        }
        toServe.clear();
    }

    /** Closes the servers (call on their loop) and the saturated listener. */
    @Override
    public void close() {
        for (Server s : servers) {
            s.close();
        }
        servers.clear();
        closeAll(toServe);
        if (jam != null) {
            jam.close();
        }
    }

    private static int port(ServerSocketChannel c) {
        try {
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeAll(List<? extends AutoCloseable> cs) {
        for (AutoCloseable c : cs) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** A listener that never accepts, with its queue full of connections that are kept open. */
    public static final class Saturated implements AutoCloseable {
        public final int port;
        private final ServerSocketChannel listener;
        private final List<Socket> queued;

        private Saturated(ServerSocketChannel listener, List<Socket> queued) {
            this.listener = listener;
            this.port = port(listener);
            this.queued = queued;
        }

        /** A new listener on 127.0.0.1 with a full queue. */
        public static Saturated open() throws IOException {
            ServerSocketChannel c = ServerSocketChannel.open();
            c.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            Saturated s = fill(c);
            if (s == null) {
                throw new IOException("could not fill the listen queue of 127.0.0.1:" + port(c));
            }
            return s;
        }

        /**
         * Connects to {@code listener} until a connect times out: its queue is then full. Blocking
         * (about 200 ms); call before the loop runs or through toThread.
         *
         * @return the saturated listener, or null (and {@code listener} closed) if the queue never filled
         */
        static Saturated fill(ServerSocketChannel listener) throws IOException {
            List<Socket> queued = new ArrayList<>();
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", port(listener));
            for (int i = 0; i < 64; i++) {
                Socket s = new Socket();
                try {
                    s.connect(to, 200);
                    queued.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return new Saturated(listener, queued);
                }
            }
            closeAll(queued);
            listener.close();
            return null;
        }

        @Override
        public void close() {
            closeAll(queued);
            try {
                listener.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
