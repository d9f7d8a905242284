package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.net.ConnectOptions;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.Streams;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Helpers of the mq tests: a broker on 127.0.0.1 with its log kept, clients, waits with a bound. */
final class MqTesting {
    /** The bound on every wait in these tests, in seconds of real time. */
    static final double WAIT = 15;

    private MqTesting() {
    }

    /** A broker on a free port of 127.0.0.1 whose log lines are kept. Call from a task. */
    static final class TestBroker implements AutoCloseable {
        final Broker broker;
        final List<String> log = new ArrayList<>();
        final int port;

        TestBroker(Broker.Config config) throws IOException {
            broker = new Broker(config, log::add);
            port = broker.start("127.0.0.1", 0).port();
        }

        TestBroker() throws IOException {
            this(Broker.Config.DEFAULTS);
        }

        MqClient client(String listenTo) throws IOException {
            return MqClient.connect("127.0.0.1", port, listenTo);
        }

        /** A client whose subscription the broker has taken in (so the round robin's order is the order of calls). */
        MqClient listener(String channel) throws IOException {
            int before = broker.listenerCount(channel);
            MqClient c = client(channel);
            Asyncio.waitFor(() -> {
                broker.awaitListeners(channel, before + 1);
                return null;
            }, WAIT);
            return c;
        }

        /**
         * A listener whose reader holds at most {@code limit} bytes and which never reads until the
         * test does: its reader pauses the transport, the kernel's buffers fill, and the broker's
         * transport buffer and send queue for it fill after them.
         */
        StreamConnection stalledListener(String channel, int limit) throws IOException {
            int before = broker.listenerCount(channel);
            StreamConnection c = Streams.openConnection("127.0.0.1", port, ConnectOptions.DEFAULTS, limit);
            Frames.write(c.writer(), Frames.encodeChannel(channel));
            c.writer().drain();
            Asyncio.waitFor(() -> {
                broker.awaitListeners(channel, before + 1);
                return null;
            }, WAIT);
            return c;
        }

        /** A raw connection, for speaking garbage. */
        StreamConnection raw() throws IOException {
            return Streams.openConnection("127.0.0.1", port);
        }

        /** Every log line that contains {@code text}. */
        List<String> logged(String text) {
            return log.stream().filter(l -> l.contains(text)).toList();
        }

        /** Shuts the broker down (briefly: the test is over) and prints its log, which surefire keeps. */
        @Override
        public void close() {
            try {
                broker.shutdown(0.5);
            } finally {
                System.out.println("--- broker log (" + broker.stats() + "):");
                log.forEach(l -> System.out.println("  " + l));
            }
        }
    }

    /** Waits (polling the loop every few milliseconds) until {@code condition} holds, or fails. */
    static void until(String what, BooleanSupplier condition) {
        double deadline = Asyncio.getRunningLoop().time() + WAIT;
        while (!condition.getAsBoolean()) {
            if (Asyncio.getRunningLoop().time() > deadline) {
                fail("timed out waiting until " + what);
            }
            Asyncio.sleep(0.005);
        }
    }

    /** Receives {@code n} messages as text, failing if the connection ends first. */
    static List<String> receive(MqClient c, int n) throws IOException {
        List<String> got = new ArrayList<>();
        Asyncio.waitFor(() -> {
            while (got.size() < n) {
                byte[] m = c.receive();
                if (m == null) {
                    fail("the broker closed the connection after " + got.size() + " of " + n + " messages: " + got);
                }
                got.add(text(m));
            }
            return null;
        }, WAIT);
        return got;
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A payload of {@code size} bytes that begins with its number, big-endian. */
    static byte[] numbered(int i, int size) {
        byte[] b = new byte[size];
        ByteBuffer.wrap(b).putInt(i);
        for (int k = 4; k < size; k++) {
            b[k] = (byte) (i + k);
        }
        return b;
    }

    /** The number a {@link #numbered} payload begins with. */
    static int number(byte[] b) {
        return ByteBuffer.wrap(b).getInt();
    }

    /** A frame: prefix and bytes. */
    static byte[] frame(byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    static byte[] frame(String text) {
        return frame(text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
