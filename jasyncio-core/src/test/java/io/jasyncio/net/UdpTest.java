package io.jasyncio.net;

import static io.jasyncio.net.NetLoops.loop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** UDP endpoints (asyncio's create_datagram_endpoint) over loopback. */
@Timeout(10)
class UdpTest {
    static final class Collect implements DatagramProtocol {
        final List<String> got = new ArrayList<>();
        final List<SocketAddress> from = new ArrayList<>();
        final List<Exception> errors = new ArrayList<>();
        DatagramTransport t;
        AsyncFuture<Void> waiter;
        boolean lost;

        @Override
        public void connectionMade(DatagramTransport transport) {
            t = transport;
        }

        @Override
        public void datagramReceived(byte[] data, SocketAddress addr) {
            got.add(new String(data, StandardCharsets.UTF_8));
            from.add(addr);
            wake();
        }

        @Override
        public void errorReceived(Exception exc) {
            errors.add(exc);
            wake();
        }

        @Override
        public void connectionLost(Exception exc) {
            lost = true;
        }

        void wake() {
            if (waiter != null && !waiter.isDone()) {
                waiter.setResult(null);
            }
        }

        void awaitCount(int n) {
            while (got.size() + errors.size() < n) {
                waiter = Asyncio.getRunningLoop().createFuture();
                waiter.await();
            }
        }
    }

    /** Sends each datagram back, upper-cased. */
    static final class Upper implements DatagramProtocol {
        DatagramTransport t;

        @Override
        public void connectionMade(DatagramTransport transport) {
            t = transport;
        }

        @Override
        public void datagramReceived(byte[] data, SocketAddress addr) {
            t.sendto(new String(data, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8), addr);
        }
    }

    @Test
    void datagramsGoBothWaysAndKeepTheirBoundaries() {
        NetLoops.run(() -> {
            DatagramEndpoint<Upper> srv = loop().createDatagramEndpoint(Upper::new,
                    DatagramOptions.local(new InetSocketAddress("127.0.0.1", 0)));
            SocketAddress at = (SocketAddress) srv.transport().getExtraInfo(ExtraInfo.SOCKNAME);
            DatagramEndpoint<Collect> c = loop().createDatagramEndpoint(Collect::new, DatagramOptions.remote(at));
            assertEquals(at, c.transport().getExtraInfo(ExtraInfo.PEERNAME));
            c.transport().sendto("one".getBytes());
            c.transport().sendto("two".getBytes(), at);
            assertThrows(IllegalArgumentException.class, () -> c.transport().sendto(new byte[0]),
                    "the JDK would drop it silently on a connected channel");
            DatagramEndpoint<Collect> u = loop().createDatagramEndpoint(Collect::new,
                    DatagramOptions.local(new InetSocketAddress("127.0.0.1", 0)));
            u.transport().sendto(new byte[0], at);  // unconnected: empty datagrams go
            u.protocol().awaitCount(1);
            assertEquals(List.of(""), u.protocol().got);
            u.transport().close();
            c.protocol().awaitCount(2);
            assertEquals(List.of("ONE", "TWO"), c.protocol().got);
            assertTrue(c.protocol().from.stream().allMatch(at::equals));
            assertThrows(IllegalArgumentException.class,
                    () -> c.transport().sendto("x".getBytes(), new InetSocketAddress("127.0.0.1", 9)));
            assertThrows(IllegalArgumentException.class, () -> srv.transport().sendto("x".getBytes()),
                    "an unconnected endpoint needs an address");
            c.transport().close();
            srv.transport().close();
            Asyncio.sleep(0);
            assertTrue(c.protocol().lost);
        });
    }

    @Test
    void aConnectedEndpointHearsThatNobodyListens() {
        NetLoops.run(() -> {
            DatagramEndpoint<Collect> gone = loop().createDatagramEndpoint(Collect::new,
                    DatagramOptions.local(new InetSocketAddress("127.0.0.1", 0)));
            SocketAddress at = (SocketAddress) gone.transport().getExtraInfo(ExtraInfo.SOCKNAME);
            gone.transport().close();
            Asyncio.sleep(0);
            DatagramEndpoint<Collect> c = loop().createDatagramEndpoint(Collect::new, DatagramOptions.remote(at));
            c.transport().sendto("anyone?".getBytes());
            c.protocol().awaitCount(1);
            assertInstanceOf(java.net.PortUnreachableException.class, c.protocol().errors.get(0));
            c.transport().sendto("still open".getBytes());  // an error does not close the endpoint
            assertTrue(!c.transport().isClosing());
            c.transport().close();
        });
    }

    @Test
    void reusePortLetsTwoEndpointsBindOnePort() {
        NetLoops.run(() -> {
            DatagramEndpoint<Collect> a = loop().createDatagramEndpoint(Collect::new,
                    DatagramOptions.local(new InetSocketAddress("127.0.0.1", 0)).withReusePort());
            int port = ((InetSocketAddress) a.transport().getExtraInfo(ExtraInfo.SOCKNAME)).getPort();
            DatagramEndpoint<Collect> b = loop().createDatagramEndpoint(Collect::new,
                    DatagramOptions.local(new InetSocketAddress("127.0.0.1", port)).withReusePort());
            assertEquals(port, ((InetSocketAddress) b.transport().getExtraInfo(ExtraInfo.SOCKNAME)).getPort());
            a.transport().close();
            b.transport().close();
        });
    }
}
