package io.jasyncio.conformance;

import static io.jasyncio.conformance.NetRun.loop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.net.ConnectOptions;
import io.jasyncio.net.DatagramEndpoint;
import io.jasyncio.net.DatagramOptions;
import io.jasyncio.net.DatagramProtocol;
import io.jasyncio.net.ServerOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Argument checking and socket set-up of the loop's networking calls, as CPython's
 * {@code test_base_events} pins them; each case is named after the CPython test it mirrors.
 */
@Timeout(60)
class BaseEventsConformanceTest {

    @Test
    void test_create_connection_ssl_server_hostname_errors() {
        NetRun.run(() -> {
            SSLContext ssl = SSLContext.getDefault();
            ConnectOptions tls = ConnectOptions.builder().ssl(ssl).build();
            // With TLS but no host, there is no name to check the certificate against.
            for (String host : new String[] {"", null}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> loop().createConnection(EventsConformanceTest.Idle::new, host, 9, tls), "host " + host);
                assertTrue(e.getMessage().contains("serverHostname"), e.getMessage());
            }
            // Without TLS, a server hostname means nothing.
            assertThrows(IllegalArgumentException.class,
                    () -> ConnectOptions.builder().serverHostname("").build());
        });
    }

    @Test
    void test_create_connection_ssl_timeout_for_plain_socket() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.builder().sslHandshakeTimeout(1).build());
        assertTrue(e.getMessage().contains("sslHandshakeTimeout"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConnectOptions.builder().sslShutdownTimeout(1).build());
        // Deliberate difference (docs/differences.md): a timeout is a number, never "unset", so
        // the default value given explicitly without TLS cannot be told from no value at all.
        ConnectOptions.builder().sslHandshakeTimeout(60).sslShutdownTimeout(30).build();
    }

    @Test
    void test_create_server_ssl_timeout_for_plain_socket() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().sslHandshakeTimeout(1).build());
        assertTrue(e.getMessage().contains("sslHandshakeTimeout"), e.getMessage());
    }

    /** Completes {@code got} with the first datagram's sender. */
    static final class FirstSender implements DatagramProtocol {
        final AsyncFuture<SocketAddress> got = Asyncio.getRunningLoop().createFuture();

        @Override
        public void datagramReceived(byte[] data, SocketAddress address) {
            if (!got.isDone()) {
                got.setResult(address);
            }
        }
    }

    @Test
    void test_create_datagram_endpoint_allow_broadcast() {
        // A broadcast endpoint is not connected to its remote address: a datagram from another
        // host (a reply to a broadcast comes from whoever answers) still arrives.
        NetRun.run(() -> {
            try (DatagramChannel remote = DatagramChannel.open(); DatagramChannel other = DatagramChannel.open()) {
                remote.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramOptions o = new DatagramOptions(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        remote.getLocalAddress(), null, false, true);
                DatagramEndpoint<FirstSender> ep = loop().createDatagramEndpoint(FirstSender::new, o);
                SocketAddress me = (SocketAddress) ep.transport().getExtraInfo(io.jasyncio.net.ExtraInfo.SOCKNAME);
                other.send(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)), me);
                assertEquals(other.getLocalAddress(), Asyncio.waitFor(ep.protocol().got, 10));
                ep.transport().sendto("to the remote".getBytes(StandardCharsets.US_ASCII));  // the default destination
                ByteBuffer b = ByteBuffer.allocate(64);
                assertEquals(me, Asyncio.toThread(() -> remote.receive(b)));
                ep.transport().close();
            }
        });
    }

    @Test
    void test_create_datagram_endpoint_no_matching_family() {
        NetRun.run(() -> {
            DatagramOptions o = new DatagramOptions(new InetSocketAddress(InetAddress.getByName("::1"), 0),
                    new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9), null, false, false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop().createDatagramEndpoint(() -> new DatagramProtocol() { }, o));
            assertTrue(e.getMessage().contains("famil"), e.getMessage());
        });
    }
}
