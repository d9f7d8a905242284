package io.jasyncio.internal.net;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.net.DatagramEndpoint;
import io.jasyncio.net.DatagramOptions;
import io.jasyncio.net.DatagramProtocol;
import io.jasyncio.net.DatagramTransport;
import io.jasyncio.net.ExtraInfo;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * UDP endpoints: {@link EventLoop#createDatagramEndpoint}, asyncio's
 * {@code _SelectorDatagramTransport}.
 */
public final class Udp {
    private Udp() {}

    public static <P extends DatagramProtocol> DatagramEndpoint<P> open(EventLoop loop, Supplier<? extends P> factory,
            DatagramOptions o) throws IOException {
        SocketAddress remote = o.remoteAddress();
        if (remote instanceof InetSocketAddress r && r.isUnresolved()) {
            remote = loop.getaddrinfo(r.getHostString(), r.getPort(), o.family()).get(0);
        }
        SocketAddress local = o.localAddress();
        if (local instanceof InetSocketAddress l && l.isUnresolved()) {
            local = loop.getaddrinfo(l.getHostString(), l.getPort(), o.family()).get(0);
        }
        if (local instanceof InetSocketAddress l && remote instanceof InetSocketAddress r
                && (l.getAddress() instanceof Inet6Address) != (r.getAddress() instanceof Inet6Address)) {
            throw new IllegalArgumentException("the local address " + local + " and the remote address " + remote
                    + " are of different families");
        }
        ProtocolFamily fam = o.family();
        if (fam == null) {
            SocketAddress any = local != null ? local : remote;
            fam = any instanceof InetSocketAddress i && i.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        }
        DatagramChannel ch = DatagramChannel.open(fam);
        boolean ok = false;
        try {
            ch.configureBlocking(false);
            if (o.reusePort()) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (o.allowBroadcast()) {
                ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
            }
            if (local != null) {
                ch.bind(local);
            }
            if (remote != null && !o.allowBroadcast()) {
                // A broadcast socket stays unconnected, as in asyncio: the remote address is only
                // the default destination, and replies come from hosts other than the one sent to.
                ch.connect(remote);
            }
            P p = factory.get();
            UdpTransport t = new UdpTransport(loop, ch, p, remote);
            AsyncFuture<Void> waiter = loop.createFuture();
            waiter.describedAs("connectionMade");
            t.start(waiter);
            try {
                waiter.await();
            } catch (Throwable e) {
                t.abort();
                throw e;
            }
            ok = true;
            return new DatagramEndpoint<>(t, p);
        } finally {
            if (!ok) {
                Tcp.closeQuietly(ch);
            }
        }
    }

    private record Datagram(ByteBuffer data, SocketAddress to) {}

    static final class UdpTransport implements DatagramTransport, NetState.Resource {
        private final EventLoop loop;
        private final NetState net;
        private final DatagramChannel channel;
        private final DatagramProtocol protocol;
        private final SocketAddress peer;
        private final Throwable site;
        private final ArrayDeque<Datagram> pending = new ArrayDeque<>();
        private int pendingBytes;
        private boolean protocolPaused;
        private boolean writing;
        private boolean closing;
        private boolean lost;
        private boolean started;

        UdpTransport(EventLoop loop, DatagramChannel channel, DatagramProtocol protocol, SocketAddress peer) {
            this.loop = loop;
            this.net = NetState.of(loop);
            this.channel = channel;
            this.protocol = protocol;
            this.peer = peer;
            this.site = io.jasyncio.internal.LoopAccess.ops().creationSite(loop, "datagram transport created");
            net.add(this);
        }

        void start(AsyncFuture<Void> waiter) {
            loop.callSoon(() -> {
                if (lost || closing) {
                    if (!waiter.isDone()) {
                        waiter.setException(new java.nio.channels.ClosedChannelException());
                    }
                    return;
                }
                try {
                    protocol.connectionMade(this);
                } catch (RuntimeException e) {
                    if (!waiter.isDone()) {
                        waiter.setException(e);
                    }
                    return;
                }
                started = true;
                if (!closing) {
                    loop.addReader(channel, this::readReady);
                }
                if (!waiter.isDone()) {
                    waiter.setResult(null);
                }
            });
        }

        private void readReady() {
            if (closing) {
                return;
            }
            ByteBuffer b = net.readBuffer;
            b.clear();
            SocketAddress from;
            try {
                from = channel.receive(b);
            } catch (PortUnreachableException e) {
                protocol.errorReceived(e);  // ICMP port unreachable on a connected endpoint
                return;
            } catch (IOException e) {
                if (channel.isOpen()) {
                    protocol.errorReceived(e);
                } else {
                    fatal(e);
                }
                return;
            }
            if (from == null) {
                return;
            }
            b.flip();
            byte[] data = new byte[b.remaining()];
            b.get(data);
            protocol.datagramReceived(data, from);
        }

        @Override
        public void sendto(byte[] data, SocketAddress address) {
            Objects.requireNonNull(data, "data");
            io.jasyncio.internal.LoopAccess.ops().checkThread(loop, "send on a datagram transport");
            if (address != null && peer != null && !address.equals(peer)) {
                throw new IllegalArgumentException("Invalid address: must be null or " + peer);
            }
            if (address == null && peer == null) {
                throw new IllegalArgumentException("an address is required: the endpoint is not connected");
            }
            if (data.length == 0 && peer != null) {
                // The JDK skips zero-length writes on a connected DatagramChannel (IOUtil.write),
                // so the datagram would vanish. Refuse it rather than lose it.
                throw new IllegalArgumentException("an empty datagram cannot be sent on a connected endpoint"
                        + " (a JDK limitation); connect without remoteAddress and pass the address");
            }
            if (lost || closing) {
                return;
            }
            ByteBuffer buf = ByteBuffer.wrap(data);
            if (pending.isEmpty()) {
                try {
                    // send, not write, even when connected: write skips an empty datagram.
                    int n = channel.send(buf, address != null ? address : peer);
                    if (n == data.length && (n > 0 || !buf.hasRemaining())) {
                        return;  // sent (an empty datagram too); 0 of a non-empty one means full
                    }
                } catch (PortUnreachableException e) {
                    protocol.errorReceived(e);
                    return;
                } catch (IOException e) {
                    protocol.errorReceived(e);
                    return;
                }
            }
            pending.addLast(new Datagram(ByteBuffer.wrap(data.clone()), address));
            pendingBytes += data.length;
            if (!writing) {
                writing = true;
                loop.addWriter(channel, this::writeReady);
            }
            if (!protocolPaused && pendingBytes > io.jasyncio.net.WriteTransport.DEFAULT_HIGH_WATER) {
                protocolPaused = true;
                protocol.pauseWriting();
            }
        }

        private void writeReady() {
            while (!pending.isEmpty()) {
                Datagram d = pending.peekFirst();
                int len = d.data.remaining();
                try {
                    int n = channel.send(d.data, d.to != null ? d.to : peer);
                    if (n == 0 && len > 0) {
                        return;  // still full
                    }
                } catch (IOException e) {
                    protocol.errorReceived(e);
                }
                pending.pollFirst();
                pendingBytes -= len;
            }
            if (protocolPaused && pendingBytes <= io.jasyncio.net.WriteTransport.DEFAULT_HIGH_WATER / 4) {
                protocolPaused = false;
                protocol.resumeWriting();
            }
            writing = false;
            loop.removeWriter(channel);
            if (closing) {
                connectionLost(null);
            }
        }

        @Override
        public void close() {
            io.jasyncio.internal.LoopAccess.ops().checkThread(loop, "close a datagram transport");
            if (closing) {
                return;
            }
            closing = true;
            loop.removeReader(channel);
            if (pending.isEmpty()) {
                loop.callSoon(() -> connectionLost(null));
            }
        }

        @Override
        public void abort() {
            pending.clear();
            pendingBytes = 0;
            if (writing) {
                writing = false;
                loop.removeWriter(channel);
            }
            closing = true;
            loop.removeReader(channel);
            loop.callSoon(() -> connectionLost(null));
        }

        private void fatal(IOException e) {
            abort();
            loop.callSoon(() -> connectionLost(e));
        }

        private void connectionLost(Exception exc) {
            if (lost) {
                return;
            }
            lost = true;
            if (writing) {
                writing = false;
                loop.removeWriter(channel);
            }
            try {
                if (started) {
                    protocol.connectionLost(exc);
                }
            } catch (RuntimeException e) {
                loop.callExceptionHandler(ExceptionContext.builder("protocol.connectionLost() failed")
                        .exception(e).build());
            } finally {
                Tcp.closeQuietly(channel);
                net.remove(this);
            }
        }

        @Override
        public boolean isClosing() {
            return closing;
        }

        @Override
        public int getWriteBufferSize() {
            return pendingBytes;
        }

        @Override
        public Object getExtraInfo(String name) {
            try {
                return switch (name) {
                    case ExtraInfo.PEERNAME -> peer;
                    case ExtraInfo.SOCKNAME -> channel.isOpen() ? channel.getLocalAddress() : null;
                    case ExtraInfo.SOCKET -> channel;
                    default -> null;
                };
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public void forceRelease() {
            lost = true;
            Tcp.closeQuietly(channel);
        }

        @Override
        public Throwable creationSite() {
            return site;
        }

        @Override
        public String toString() {
            String local;
            try {
                local = channel.isOpen() ? String.valueOf(channel.getLocalAddress()) : "closed";
            } catch (IOException e) {
                local = "?";
            }
            return "DatagramTransport[" + local + (peer != null ? " -> " + peer : "") + "]";
        }
    }
}
