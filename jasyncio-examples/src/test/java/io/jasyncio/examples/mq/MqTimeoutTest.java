package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.examples.mq.MqTesting.TestBroker;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.test.AsyncioTest;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker against slowloris clients, on the test kit's virtual time over real loopback
 * sockets: a client must name its channel within the subscribe timeout (10 s by default), and a
 * listener of a quiet channel is never closed for being quiet.
 */
class MqTimeoutTest {
    @AsyncioTest
    void aClientThatSendsNothingIsClosedAtTheSubscribeTimeout(EventLoop loop) throws IOException {
        try (TestBroker b = new TestBroker(); StreamConnection silent = b.raw()) {
            double t0 = loop.time();
            assertEquals(0, silent.reader().read(-1).length, "closed, nothing said");
            double took = loop.time() - t0;
            assertTrue(took >= 10 && took < 10.1, "closed after " + took + " s");
            MqTesting.until("the broker logged it", () -> b.logged(
                    "no subscription (a first frame naming a channel) within 10 s; closing the connection").size() == 1);
        }
    }

    @AsyncioTest
    void aClientTricklingItsSubscriptionIsClosedAtTheSubscribeTimeout(EventLoop loop) throws IOException {
        try (TestBroker b = new TestBroker(); StreamConnection slow = b.raw()) {
            double t0 = loop.time();
            double[] closedAt = {0};
            Task<Integer> reply = Asyncio.createTask(() -> {
                int n;
                try {
                    n = slow.reader().read(-1).length;
                } catch (IOException reset) {
                    n = 0;                                // a reset is a close too (we were still writing)
                }
                closedAt[0] = loop.time();
                return n;
            });
            // A length prefix of 5, then one byte of the name every 3 s: never silent for long.
            slow.writer().write(Frames.prefix(5));
            for (int i = 0; i < 5 && !reply.isDone(); i++) {
                Asyncio.sleep(3);
                if (!slow.writer().isClosing()) {
                    slow.writer().write(new byte[] {'/'});
                }
            }
            assertEquals(0, reply.await());
            double took = closedAt[0] - t0;
            assertTrue(took >= 10 && took < 10.1, "closed after " + took + " s");
            assertEquals(1, b.logged("no subscription (a first frame naming a channel) within 10 s; closing the connection")
                    .size(), b.log.toString());
            assertEquals(0, b.broker.listenerCount("/////"));
        }
    }

    @AsyncioTest
    void aListenerOfAQuietChannelStaysAndNormalClientsAreUnaffected(EventLoop loop) throws IOException {
        try (TestBroker b = new TestBroker(); MqClient quiet = b.listener("/topic/quiet")) {
            Asyncio.sleep(3600);                          // an hour without a byte either way
            try (MqClient s = b.client(Broker.SINK)) {
                s.publish("/topic/quiet", "at last");
                s.finish();
            }
            assertEquals(List.of("at last"), MqTesting.receive(quiet, 1));
            assertTrue(loop.time() >= 3600);
        }
    }
}
