package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import io.jasyncio.examples.mq.MqTesting.TestBroker;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.jasyncio.examples.mq.MqTesting.number;
import static io.jasyncio.examples.mq.MqTesting.numbered;
import static io.jasyncio.examples.mq.MqTesting.receive;
import static io.jasyncio.examples.mq.MqTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's routing over real sockets on 127.0.0.1: broadcast, the {@code /queue} round
 * robin, many senders, disconnects, and listeners that stop reading (each slow-listener policy,
 * backpressure on a full {@code /queue}, requeueing from a listener that vanished). Every test
 * runs as a task on a fresh loop with the system clock; every wait is bounded.
 */
@AsyncioSettings(virtualTime = false, timeout = 60)
class MqBrokerTest {
    /** Payload size of the slow-listener tests: large, so the kernel's socket buffers fill after few messages. */
    private static final int BIG = 16 * 1024;
    /** The transport's default high-water mark: what the broker's write buffer for a listener stays under, plus one frame. */
    private static final int HIGH_WATER = 64 * 1024;

    @AsyncioTest
    void broadcastReachesEveryListenerInOrder() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient x = b.listener("/topic/a"); MqClient y = b.listener("/topic/a");
                MqClient other = b.listener("/topic/b"); MqClient s = b.client(Broker.SINK)) {
            for (int i = 0; i < 5; i++) {
                s.publish("/topic/a", "m" + i);
            }
            s.publish("/topic/b", "for b");
            s.finish();
            List<String> want = List.of("m0", "m1", "m2", "m3", "m4");
            assertEquals(want, receive(x, 5));
            assertEquals(want, receive(y, 5));
            assertEquals(List.of("for b"), receive(other, 1));
            Broker.Stats st = b.broker.stats();
            assertEquals(6, st.published());
            assertEquals(11, st.delivered());
        }
    }

    @AsyncioTest
    void aListenerMayPublishAndHearsItsOwnChannel() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient both = b.listener("/chat")) {
            both.publish("/chat", "echo?");
            assertEquals(List.of("echo?"), receive(both, 1));
        }
    }

    @AsyncioTest
    void queueChannelsGoRoundRobinInSubscriptionOrder() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient l0 = b.listener("/queue/jobs"); MqClient l1 = b.listener("/queue/jobs");
                MqClient l2 = b.listener("/queue/jobs"); MqClient s = b.client(Broker.SINK)) {
            for (int i = 0; i < 9; i++) {
                s.publish("/queue/jobs", "job" + i);
            }
            s.finish();
            assertEquals(List.of("job0", "job3", "job6"), receive(l0, 3));
            assertEquals(List.of("job1", "job4", "job7"), receive(l1, 3));
            assertEquals(List.of("job2", "job5", "job8"), receive(l2, 3));
            assertEquals(9, b.broker.stats().delivered());
        }
    }

    @AsyncioTest
    void queuePrefixIsLiteralAndOtherChannelsBroadcast() throws IOException {
        // "/queue" itself and "/queuefoo" begin with /queue (the book's rule); "/topic/queue" does not.
        try (TestBroker b = new TestBroker(); MqClient q0 = b.listener("/queuefoo"); MqClient q1 = b.listener("/queuefoo");
                MqClient t0 = b.listener("/topic/queue"); MqClient t1 = b.listener("/topic/queue");
                MqClient s = b.client(Broker.SINK)) {
            s.publish("/queuefoo", "one");
            s.publish("/queuefoo", "two");
            s.publish("/topic/queue", "all");
            s.finish();
            assertEquals(List.of("one"), receive(q0, 1));
            assertEquals(List.of("two"), receive(q1, 1));
            assertEquals(List.of("all"), receive(t0, 1));
            assertEquals(List.of("all"), receive(t1, 1));
        }
    }

    @AsyncioTest
    void manySendersAtOnceLoseNothingAndKeepEachSendersOrder() throws IOException {
        int senders = 20;
        int each = 50;
        try (TestBroker b = new TestBroker(); MqClient x = b.listener("/topic/many"); MqClient y = b.listener("/topic/many");
                MqClient q0 = b.listener("/queue/many"); MqClient q1 = b.listener("/queue/many")) {
            List<List<String>> broadcast = new ArrayList<>();
            List<String> queued = new ArrayList<>();
            TaskGroup.run(g -> {
                for (MqClient l : List.of(x, y)) {
                    g.createTask(() -> broadcast.add(receive(l, senders * each)));
                }
                for (MqClient l : List.of(q0, q1)) {
                    g.createTask(() -> queued.addAll(receive(l, senders * each / 2)));
                }
                for (int s = 0; s < senders; s++) {
                    int id = s;
                    g.createTask("sender " + s, () -> {
                        try (MqClient c = b.client(Broker.SINK)) {
                            for (int i = 0; i < each; i++) {
                                c.publish("/topic/many", id + ":" + i);
                                c.publish("/queue/many", id + ":" + i);
                            }
                            c.finish();
                        }
                    });
                }
            });
            assertEquals(2, broadcast.size());
            for (List<String> l : broadcast) {
                assertEquals(senders * each, l.size());
                int[] next = new int[senders];
                for (String m : l) {
                    String[] p = m.split(":");
                    int sender = Integer.parseInt(p[0]);
                    assertEquals(next[sender]++, Integer.parseInt(p[1]), "sender " + sender + "'s order in " + l);
                }
            }
            assertEquals(senders * each, queued.size());
            assertEquals(senders * each, new HashSet<>(queued).size(), "each /queue message delivered once");
            assertEquals(2 * senders * each, b.broker.stats().published());
        }
    }

    @AsyncioTest
    void sinkAndUnroutedMessagesAreCountedNotDelivered() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient s = b.client(Broker.SINK)) {
            s.publish(Broker.SINK, "into the void");
            s.publish("/nobody/listens", "hello?");
            s.publish("/queue/nobody", "job?");
            s.finish();
            Broker.Stats st = b.broker.stats();
            assertEquals(3, st.published());
            assertEquals(1, st.sunk());
            assertEquals(2, st.unrouted());
            assertEquals(0, st.delivered());
            assertEquals(0, b.broker.listenerCount(Broker.SINK));
        }
    }

    @AsyncioTest
    void aListenerThatLeavesIsRemovedFromItsChannel() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient stays = b.listener("/topic/a"); MqClient s = b.client(Broker.SINK)) {
            MqClient goes = b.listener("/topic/a");
            assertEquals(2, b.broker.listenerCount("/topic/a"));
            goes.close();
            until("the broker removed the listener", () -> b.broker.listenerCount("/topic/a") == 1);
            s.publish("/topic/a", "after");
            s.finish();
            assertEquals(List.of("after"), receive(stays, 1));
            assertEquals(1, b.broker.stats().delivered());
            stays.close();
            until("the channel is gone", () -> b.broker.listenerCount("/topic/a") == 0 && b.broker.stats().open() == 0);
            assertEquals(1, b.logged("closed by the client; received 0").size(), b.log.toString());
        }
    }

    @AsyncioTest
    void theRoundRobinSkipsAListenerThatLeft() throws IOException {
        try (TestBroker b = new TestBroker(); MqClient l0 = b.listener("/queue/q"); MqClient l1 = b.listener("/queue/q");
                MqClient l2 = b.listener("/queue/q"); MqClient s = b.client(Broker.SINK)) {
            s.publish("/queue/q", "a");                    // to l0; l1 is next
            assertEquals(List.of("a"), receive(l0, 1));
            l1.close();
            until("l1 is gone", () -> b.broker.listenerCount("/queue/q") == 2);
            for (String m : List.of("b", "c", "d", "e")) {
                s.publish("/queue/q", m);
            }
            s.finish();
            assertEquals(List.of("b", "d"), receive(l2, 2));
            assertEquals(List.of("c", "e"), receive(l0, 2));
            assertEquals(0, b.broker.stats().lost());
        }
    }

    // ------------------------------------------------------------------ slow listeners

    /** Publishes {@code n} numbered big messages to {@code channel} while {@code fast} reads them all; returns what fast got. */
    private static List<Integer> publishPastAStalledListener(TestBroker b, String channel, MqClient fast, int n)
            throws IOException {
        List<Integer> got = new ArrayList<>();
        TaskGroup.run(g -> {
            g.createTask("fast listener", () -> {
                Asyncio.waitFor(() -> {
                    while (got.size() < n) {
                        byte[] m = fast.receive();
                        assertTrue(m != null, "fast listener cut off after " + got.size());
                        got.add(number(m));
                    }
                    return null;
                }, MqTesting.WAIT);
            });
            try (MqClient s = b.client(Broker.SINK)) {
                for (int i = 0; i < n; i++) {
                    s.publish(channel, numbered(i, BIG));
                }
                s.finish();
            }
        });
        return got;
    }

    /** Reads numbered messages into {@code into} until the connection ends or the task is cancelled. */
    private static Task<Void> collect(MqClient c, List<Integer> into) {
        return Asyncio.createTask("collect " + c.channel(), () -> {
            for (byte[] m; (m = c.receive()) != null; ) {
                into.add(number(m));
            }
        });
    }

    private static List<Integer> upTo(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    private static Broker.ListenerStats stats(TestBroker b, long id) {
        return b.broker.listeners().stream().filter(l -> l.id() == id).findFirst().orElse(null);
    }

    /** The broker's memory for a listener: the send queue, and the transport's buffer (high-water mark plus one frame). */
    private static void assertBounded(Broker.ListenerStats l, int queueSize) {
        assertTrue(l.maxQueued() <= queueSize, "send queue bounded: " + l);
        assertTrue(l.maxBuffered() <= HIGH_WATER + BIG + 4, "write buffer bounded: " + l);
    }

    @AsyncioTest
    void aSlowListenerIsDisconnectedAndDoesNotStallAFastOne() throws IOException {
        int n = 600;                                       // 9.6 MB: far more than the socket buffers hold
        Broker.Config config = new Broker.Config(Frames.DEFAULT_MAX_FRAME, 8, Broker.SlowPolicy.DISCONNECT);
        try (TestBroker b = new TestBroker(config); MqClient fast = b.listener("/topic/t");
                StreamConnection slow = b.stalledListener("/topic/t", 4096)) {
            long slowId = b.broker.listeners().get(1).id();
            List<Broker.ListenerStats> seen = new ArrayList<>();
            Task<Void> watch = Asyncio.createTask("watch the slow listener", () -> {
                for (;;) {
                    Broker.ListenerStats l = stats(b, slowId);
                    if (l != null) {
                        seen.add(l);
                    }
                    Asyncio.sleep(0.002);
                }
            });
            List<Integer> got;
            try {
                got = publishPastAStalledListener(b, "/topic/t", fast, n);
            } finally {
                watch.cancel();
            }
            assertEquals(upTo(n), got, "the fast listener got everything, in order");
            Broker.Stats st = b.broker.stats();
            assertEquals(1, st.slowDisconnects(), st.toString());
            assertEquals(1, b.broker.listenerCount("/topic/t"));
            assertEquals(1, b.logged("too slow, its send queue of 8 messages is full: disconnecting it").size(), b.log.toString());
            for (Broker.ListenerStats l : seen) {
                assertBounded(l, 8);
            }
            assertEquals(10, st.dropped(), "its queue of 8, the message its socket had not taken, and the one that did not"
                    + " fit: " + st);
            assertEquals(1, b.logged("disconnected: too slow; received ").size(), b.log.toString());
            // The slow listener finds its connection cut after what had reached it.
            int read = 0;
            try {
                for (;;) {
                    byte[] m = Frames.read(slow.reader(), Frames.DEFAULT_MAX_FRAME, "message");
                    if (m == null) {
                        break;
                    }
                    assertEquals(read++, number(m));
                }
            } catch (IOException reset) {
                // an abort may reach it as a reset
            }
            assertTrue(read < n, "cut off before the end: " + read);
        }
    }

    @AsyncioTest
    void dropOldestKeepsASlowListenerConnectedWithTheLatestMessages() throws IOException {
        int n = 600;
        int q = 8;
        Broker.Config config = new Broker.Config(Frames.DEFAULT_MAX_FRAME, q, Broker.SlowPolicy.DROP_OLDEST);
        try (TestBroker b = new TestBroker(config); MqClient fast = b.listener("/topic/t");
                StreamConnection slow = b.stalledListener("/topic/t", 4096)) {
            long slowId = b.broker.listeners().get(1).id();
            assertEquals(upTo(n), publishPastAStalledListener(b, "/topic/t", fast, n));
            Broker.ListenerStats l = stats(b, slowId);
            assertEquals(q, l.queued(), l.toString());
            assertBounded(l, q);
            assertTrue(l.dropped() > 0, l.toString());
            assertEquals(n, l.delivered() + l.writing() + l.dropped() + l.queued(), l.toString());
            assertEquals(1, b.logged("dropping the oldest messages until it catches up").size(), b.log.toString());
            // It reads again: a run from the start, then a gap, then the newest q messages.
            List<Integer> got = new ArrayList<>();
            long expect = l.delivered() + l.writing() + l.queued();
            while (got.size() < expect) {
                got.add(number(Frames.read(slow.reader(), Frames.DEFAULT_MAX_FRAME, "message")));
            }
            assertEquals(upTo(n).subList(n - q, n), got.subList(got.size() - q, got.size()));
            assertEquals(upTo(got.size() - q), got.subList(0, got.size() - q));
            until("it caught up", () -> !b.logged("caught up after").isEmpty());
        }
    }

    @AsyncioTest
    void dropNewestGivesASlowListenerAGaplessPrefix() throws IOException {
        int n = 600;
        int q = 8;
        Broker.Config config = new Broker.Config(Frames.DEFAULT_MAX_FRAME, q, Broker.SlowPolicy.DROP_NEWEST);
        try (TestBroker b = new TestBroker(config); MqClient fast = b.listener("/topic/t");
                StreamConnection slow = b.stalledListener("/topic/t", 4096)) {
            long slowId = b.broker.listeners().get(1).id();
            assertEquals(upTo(n), publishPastAStalledListener(b, "/topic/t", fast, n));
            Broker.ListenerStats l = stats(b, slowId);
            assertBounded(l, q);
            assertTrue(l.dropped() > 0, l.toString());
            assertEquals(n, l.delivered() + l.writing() + l.dropped() + l.queued(), l.toString());
            List<Integer> got = new ArrayList<>();
            long expect = l.delivered() + l.writing() + l.queued();
            while (got.size() < expect) {
                got.add(number(Frames.read(slow.reader(), Frames.DEFAULT_MAX_FRAME, "message")));
            }
            assertEquals(upTo((int) expect), got);
            assertEquals(l.dropped(), b.broker.stats().dropped());
        }
    }

    @AsyncioTest
    void aFullQueueChannelSkipsTheSlowListenerAndNeverDrops() throws IOException {
        int n = 600;
        Broker.Config config = new Broker.Config(Frames.DEFAULT_MAX_FRAME, 8, Broker.SlowPolicy.DISCONNECT);
        try (TestBroker b = new TestBroker(config); MqClient fast = b.listener("/queue/work");
                StreamConnection slow = b.stalledListener("/queue/work", 4096)) {
            long slowId = b.broker.listeners().get(1).id();
            List<Integer> fastGot = new ArrayList<>();
            Task<Void> reading = collect(fast, fastGot);
            try (MqClient s = b.client(Broker.SINK)) {
                for (int i = 0; i < n; i++) {
                    s.publish("/queue/work", numbered(i, BIG));
                }
                s.finish();
            }
            Broker.ListenerStats l = stats(b, slowId);
            int forFast = (int) (n - l.delivered() - l.writing() - l.queued());
            assertTrue(l.queued() == 8 && forFast > n / 2, "the stalled listener filled up, the rest went to the fast one: " + l);
            assertBounded(l, 8);
            until("the fast listener got the rest", () -> fastGot.size() >= forFast);
            reading.cancel();
            assertEquals(forFast, fastGot.size());
            assertEquals(forFast, new HashSet<>(fastGot).size(), "no duplicates");
            Broker.Stats st = b.broker.stats();
            assertEquals(0, st.dropped() + st.slowDisconnects() + st.lost(), st.toString());
        }
    }

    @AsyncioTest
    void aQueueWhoseListenersAreAllFullHoldsThePublisherBack() throws IOException {
        int n = 300;
        Broker.Config config = new Broker.Config(Frames.DEFAULT_MAX_FRAME, 4, Broker.SlowPolicy.DISCONNECT);
        try (TestBroker b = new TestBroker(config); StreamConnection only = b.stalledListener("/queue/w", 4096)) {
            Task<Void> sender = Asyncio.createTask("sender", () -> {
                try (MqClient s = b.client(Broker.SINK)) {
                    for (int i = 0; i < n; i++) {
                        s.publish("/queue/w", numbered(i, BIG));
                    }
                    s.finish();
                }
            });
            until("the listener's queue is full", () -> b.broker.listeners().get(0).queued() == 4);
            Asyncio.sleep(0.1);
            assertFalse(sender.isDone(), "the publisher waits: backpressure, not drops");
            assertEquals(0, b.broker.stats().dropped());
            List<Integer> got = new ArrayList<>();
            while (got.size() < n) {                       // the listener reads again: everything arrives
                got.add(number(Frames.read(only.reader(), Frames.DEFAULT_MAX_FRAME, "message")));
            }
            assertEquals(upTo(n), got);
            sender.await();
            assertEquals(n, b.broker.stats().delivered());
        }
    }

    @AsyncioTest
    void aVanishedQueueListenersUnsentMessagesGoToTheOthers() throws IOException {
        int n = 600;
        int q = 8;
        Broker.Config config = new Broker.Config(Frames.DEFAULT_MAX_FRAME, q, Broker.SlowPolicy.DISCONNECT);
        try (TestBroker b = new TestBroker(config); MqClient fast = b.listener("/queue/work")) {
            StreamConnection doomed = b.stalledListener("/queue/work", 4096);
            long doomedId = b.broker.listeners().get(1).id();
            List<Integer> fastGot = new ArrayList<>();
            Task<Void> reading = collect(fast, fastGot);
            try (MqClient s = b.client(Broker.SINK)) {
                for (int i = 0; i < n; i++) {
                    s.publish("/queue/work", numbered(i, BIG));
                }
                s.finish();
            }
            Broker.ListenerStats l = stats(b, doomedId);
            assertEquals(q, l.queued(), l.toString());
            assertEquals(1, l.writing(), "one more written to its transport, not taken by its socket: " + l);
            doomed.writer().transport().abort();          // it crashes with q messages queued for it, and one in flight
            int forFast = (int) (n - l.delivered());
            until("the fast listener got its share and the requeued messages", () -> fastGot.size() >= forFast);
            reading.cancel();
            assertEquals(forFast, fastGot.size());
            assertEquals(forFast, new HashSet<>(fastGot).size(), "no duplicates");
            Broker.Stats st = b.broker.stats();
            // The one in flight went to the fast listener too: it cannot have reached the doomed one whole.
            assertEquals(q + 1, st.requeued(), st.toString());
            assertEquals(0, st.lost(), st.toString());
            assertEquals(1, b.logged((q + 1) + " messages it had not been sent: " + (q + 1)
                            + " requeued to the other listeners of /queue/work").size(), b.log.toString());
            // Every message published is accounted for, exactly.
            assertEquals(n, st.published(), st.toString());
            assertEquals(n, st.queued(), st.toString());
            assertEquals(st.published(), st.delivered() + st.lost() + st.dropped(), st.toString());
            assertEquals(1, b.broker.listenerCount("/queue/work"));
        }
    }

    @AsyncioTest
    void theLastQueueListenerVanishingLosesItsQueueLoudly() throws IOException {
        Broker.Config config = new Broker.Config(Frames.DEFAULT_MAX_FRAME, 4, Broker.SlowPolicy.DISCONNECT);
        try (TestBroker b = new TestBroker(config)) {
            StreamConnection doomed = b.stalledListener("/queue/w", 4096);
            Task<Void> sender = Asyncio.createTask("sender", () -> {
                try (MqClient s = b.client(Broker.SINK)) {
                    for (int i = 0; i < 300; i++) {
                        s.publish("/queue/w", numbered(i, BIG));
                    }
                    s.finish();
                }
            });
            // Full, and its writer stuck with a message its socket has not taken: nothing moves now.
            until("its queue is full", () -> b.broker.listeners().get(0).queued() == 4
                    && b.broker.listeners().get(0).writing() == 1);
            doomed.writer().transport().abort();
            sender.await();                                 // no listener left: the rest is unrouted, the publisher goes on
            Broker.Stats st = b.broker.stats();
            // What was queued is lost, loudly, and so is the message its writer had written to the
            // transport but its socket had not taken (the abort drops it): 4 + 1, exactly.
            assertEquals(5, st.lost(), st.toString());
            assertEquals(300, st.delivered() + st.lost() + st.unrouted(), st.toString());
            assertEquals(st.queued(), st.delivered() + st.lost(), st.toString());
            assertEquals(1, b.logged(st.lost() + " lost (no listener left)").size(), b.log.toString());
        }
    }

    // ------------------------------------------------------------------ shutdown

    @AsyncioTest
    void shutdownSendsWhatIsQueuedThenClosesEveryConnection() throws IOException {
        TestBroker b = new TestBroker();
        try (MqClient l = b.listener("/topic/a"); MqClient s = b.client(Broker.SINK)) {
            for (int i = 0; i < 5; i++) {
                s.publish("/topic/a", "m" + i);
            }
            until("all five are routed", () -> b.broker.stats().published() == 5);
            Task<Void> down = Asyncio.createTask("shutdown", () -> b.broker.shutdown(5));
            assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), receive(l, 5));
            assertNull(l.receive(), "then the broker closes the connection");
            assertTrue(s.reader().read(100).length == 0, "and the sender's");
            down.await();
            Broker.Stats st = b.broker.stats();
            assertEquals(0, st.open());
            assertEquals(0, st.lost());
            assertFalse(b.broker.server().isServing());
        } finally {
            b.close();
        }
    }

    @AsyncioTest
    void shutdownAbortsAListenerThatDoesNotReadAtTheDeadline() throws IOException {
        Broker.Config config = new Broker.Config(Frames.DEFAULT_MAX_FRAME, 8, Broker.SlowPolicy.DISCONNECT);
        TestBroker b = new TestBroker(config);
        try (StreamConnection stuck = b.stalledListener("/queue/w", 4096); MqClient s = b.client(Broker.SINK)) {
            Task<Void> sender = Asyncio.createTask("sender", () -> {
                try {
                    for (int i = 0; i < 300; i++) {
                        s.publish("/queue/w", numbered(i, BIG));
                    }
                } catch (IOException cutByTheShutdown) {
                    // expected
                }
            });
            until("its queue is full", () -> b.broker.listeners().get(0).queued() == 8);
            b.broker.shutdown(0.2);
            Broker.Stats st = b.broker.stats();
            assertEquals(0, st.open(), st.toString());
            // Lost: what was still queued for the listener, and the message the publisher waited to place.
            assertTrue(st.lost() >= 2, st.toString());
            assertEquals(st.published(), st.delivered() + st.lost(), st.toString());
            assertEquals(1, b.logged("grace period over: aborting 1 connection").size(), b.log.toString());
            sender.cancel();
        } finally {
            b.close();
        }
    }
}
