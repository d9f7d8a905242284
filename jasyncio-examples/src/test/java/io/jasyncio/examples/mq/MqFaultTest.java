package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.examples.mq.MqTesting.TestBroker;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static io.jasyncio.examples.mq.MqTesting.concat;
import static io.jasyncio.examples.mq.MqTesting.frame;
import static io.jasyncio.examples.mq.MqTesting.receive;
import static io.jasyncio.examples.mq.MqTesting.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to the broker, over real sockets: oversized length prefixes, streams that end inside
 * a frame, empty and non-UTF-8 channel names, garbage. Each is logged with a clear reason and
 * its connection closed; nothing else is disturbed, and the broker goes on serving.
 */
@AsyncioSettings(virtualTime = false, timeout = 60)
class MqFaultTest {
    private static final byte[] SUBSCRIBE_SINK = frame(Broker.SINK);

    /**
     * Sends {@code bytes} (then, if {@code eof}, a half-close) and waits until the broker closes
     * the connection; an abort, or a close with our bytes unread, reaches us as a reset.
     */
    private static void sendAndExpectClose(TestBroker b, byte[] bytes, boolean eof) throws IOException {
        int before = b.broker.stats().open();
        try (StreamConnection c = b.raw()) {
            c.writer().write(bytes);
            if (eof) {
                c.writer().writeEof();
            }
            c.writer().drain();
            Asyncio.waitFor(() -> {
                try {
                    return c.reader().read(-1);               // to the end: the broker closed it
                } catch (IOException reset) {
                    return null;
                }
            }, MqTesting.WAIT);
        }
        until("the broker let go of the connection", () -> b.broker.stats().open() == before);
    }

    /** The broker still works: a listener gets a message. */
    private static void stillServes(TestBroker b) throws IOException {
        try (MqClient l = b.listener("/health"); MqClient s = b.client(Broker.SINK)) {
            s.publish("/health", "ok");
            assertEquals(List.of("ok"), receive(l, 1));
        }
    }

    @AsyncioTest
    void anOversizedSubscriptionIsRefusedBeforeItsBodyArrives() throws IOException {
        try (TestBroker b = new TestBroker()) {
            // Only the prefix is sent: had the broker tried to read (or allocate) 2 GiB, it would
            // still be waiting for them and the connection would stay open.
            sendAndExpectClose(b, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, false);
            assertEquals(1, b.logged("subscription (the first frame: a channel name) frame of 2,147,483,647 bytes refused:"
                    + " the limit is 1,024 bytes (length prefix 7f ff ff ff); closing the connection").size(), b.log.toString());
            assertEquals(1, b.broker.stats().refused());
            stillServes(b);
        }
    }

    @AsyncioTest
    void aLengthAbove2GiBIsReadUnsignedAndRefused() throws IOException {
        try (TestBroker b = new TestBroker()) {
            byte[] channel = frame("/topic/x");
            sendAndExpectClose(b, concat(SUBSCRIBE_SINK, channel, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}),
                    false);
            assertEquals(1, b.logged("payload frame of 4,294,967,295 bytes refused: the limit is 1,048,576 bytes").size(),
                    b.log.toString());
        }
    }

    @AsyncioTest
    void maxFrameIsInclusive() throws IOException {
        Broker.Config config = new Broker.Config(1000, 10, Broker.SlowPolicy.DISCONNECT);
        try (TestBroker b = new TestBroker(config); MqClient l = b.listener("/t")) {
            try (MqClient s = b.client(Broker.SINK)) {
                s.publish("/t", new byte[1000]);
                s.finish();
            }
            assertArrayEquals(new byte[1000], l.receive());
            sendAndExpectClose(b, concat(SUBSCRIBE_SINK, frame("/t"), Frames.prefix(1001), new byte[1001]), false);
            assertEquals(1, b.logged("payload frame of 1,001 bytes refused: the limit is 1,000 bytes").size(), b.log.toString());
            assertEquals(1, b.broker.stats().delivered(), "the refused message reached nobody");
        }
    }

    @AsyncioTest
    void aChannelNameLongerThan1KiBIsRefused() throws IOException {
        try (TestBroker b = new TestBroker()) {
            byte[] name = ("/" + "x".repeat(1024)).getBytes(StandardCharsets.UTF_8);
            sendAndExpectClose(b, concat(SUBSCRIBE_SINK, frame(name), frame("payload")), false);
            assertEquals(1, b.logged("channel name frame of 1,025 bytes refused: the limit is 1,024 bytes").size(), b.log.toString());
        }
    }

    @AsyncioTest
    void aStreamEndingInsideALengthPrefix() throws IOException {
        try (TestBroker b = new TestBroker()) {
            sendAndExpectClose(b, concat(SUBSCRIBE_SINK, new byte[] {0, 0}), true);
            assertEquals(1, b.logged("the connection ended inside the length prefix of a channel name (2 of 4 bytes)").size(),
                    b.log.toString());
            assertEquals(1, b.broker.stats().truncated());
        }
    }

    @AsyncioTest
    void aStreamEndingInsideAFrame() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient l = b.listener("/t")) {
            sendAndExpectClose(b, concat(SUBSCRIBE_SINK, frame("/t"), Frames.prefix(10), "abc".getBytes(StandardCharsets.UTF_8)), true);
            assertEquals(1, b.logged("the connection ended inside a payload frame (3 of 10 bytes)").size(), b.log.toString());
            assertEquals(0, b.broker.stats().published(), "half a message is no message");
            sendAndExpectClose(b, concat(Frames.prefix(8), "/to".getBytes(StandardCharsets.UTF_8)), true);
            assertEquals(1, b.logged("the connection ended inside a subscription (the first frame: a channel name) frame (3 of 8 bytes)")
                    .size(), b.log.toString());
            assertEquals(2, b.broker.stats().truncated());
        }
    }

    @AsyncioTest
    void aStreamEndingBetweenAChannelFrameAndItsPayload() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient l = b.listener("/t")) {
            sendAndExpectClose(b, concat(SUBSCRIBE_SINK, frame("/t"), frame("whole"), frame("/t")), true);
            assertEquals(1, b.logged("the connection ended between the channel frame of a message to /t and its payload frame;"
                    + " that message is dropped").size(), b.log.toString());
            assertEquals(List.of("whole"), receive(l, 1));
            assertEquals(1, b.broker.stats().published());
        }
    }

    @AsyncioTest
    void aResetInsideAFrame() throws IOException {
        try (TestBroker b = new TestBroker()) {
            StreamConnection c = b.raw();
            c.writer().write(concat(SUBSCRIBE_SINK, frame("/t"), Frames.prefix(100), new byte[10]));
            c.writer().drain();
            until("the broker read the sender's subscription", () -> !b.logged("a sender").isEmpty());
            c.writer().transport().abort();
            until("the broker let go of it", () -> b.broker.stats().open() == 0);
            assertEquals(1, b.logged("connection lost: Connection reset").size(), b.log.toString());
        }
    }

    @AsyncioTest
    void emptyChannelNamesAreRefused() throws IOException {
        try (TestBroker b = new TestBroker()) {
            sendAndExpectClose(b, Frames.prefix(0), false);
            assertEquals(1, b.logged("empty subscription (the first frame: a channel name): a channel name has at least one byte")
                    .size(), b.log.toString());
            sendAndExpectClose(b, concat(SUBSCRIBE_SINK, Frames.prefix(0), frame("payload")), false);
            assertEquals(1, b.logged("empty channel name: a channel name has at least one byte").size(), b.log.toString());
            assertEquals(2, b.broker.stats().refused());
        }
    }

    @AsyncioTest
    void anEmptyPayloadIsAMessage() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient l = b.listener("/t"); MqClient s = b.client(Broker.SINK)) {
            s.publish("/t", new byte[0]);
            s.publish("/t", "after");
            assertArrayEquals(new byte[0], l.receive());
            assertEquals(List.of("after"), receive(l, 1));
        }
    }

    @AsyncioTest
    void channelNamesThatAreNotUtf8AreRefused() throws IOException {
        try (TestBroker b = new TestBroker()) {
            byte[][] bad = {
                {(byte) 0xff, (byte) 0xfe},                           // never UTF-8
                {'/', (byte) 0xc0, (byte) 0xaf},                      // an overlong '/'
                {'/', (byte) 0xed, (byte) 0xa0, (byte) 0x80},         // a surrogate, CESU-8 style
                {'/', 'a', (byte) 0xe2, (byte) 0x82},                 // cut off inside a character
            };
            for (byte[] name : bad) {
                sendAndExpectClose(b, frame(name), false);
                assertEquals(1, b.logged("subscription (the first frame: a channel name) is not UTF-8: " + Frames.hex(name)).size(),
                        b.log.toString());
            }
            sendAndExpectClose(b, concat(SUBSCRIBE_SINK, frame(bad[0]), frame("x")), false);
            assertEquals(1, b.logged("channel name is not UTF-8: ff fe").size(), b.log.toString());
            assertEquals(bad.length + 1, b.broker.stats().refused());
            // Well-formed UTF-8 beyond ASCII is fine.
            try (MqClient l = b.listener("/thé/☕/𝄞"); MqClient s = b.client(Broker.SINK)) {
                s.publish("/thé/☕/𝄞", "ünïcödé");
                assertEquals(List.of("ünïcödé"), receive(l, 1));
            }
        }
    }

    @AsyncioTest
    void anHttpRequestIsGarbage() throws IOException {
        try (TestBroker b = new TestBroker()) {
            sendAndExpectClose(b, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false);
            assertEquals(1, b.logged("frame of 1,195,725,856 bytes refused: the limit is 1,024 bytes (length prefix 47 45 54 20)")
                    .size(), b.log.toString());
            stillServes(b);
        }
    }

    @AsyncioTest
    void randomGarbageNeverHurtsTheBroker() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient l = b.listener("/t")) {
            Random r = new Random(20261121);
            for (int i = 0; i < 30; i++) {
                byte[] junk = new byte[1 + r.nextInt(300)];
                r.nextBytes(junk);
                if (i % 3 == 0) {
                    junk[0] = 0;                                     // a small length now and then
                    junk[1] = 0;
                    junk[2] = 0;
                }
                sendAndExpectClose(b, junk, true);                  // the listener /t stays
            }
            Broker.Stats st = b.broker.stats();
            assertEquals(31, st.connections());
            assertEquals(1, st.open());
            assertEquals(30, st.refused() + st.truncated(), "every junk connection refused or cut short: " + st);
            try (MqClient s = b.client(Broker.SINK)) {
                s.publish("/t", "still here");
                s.finish();
            }
            assertEquals(List.of("still here"), receive(l, 1));
        }
    }
}
