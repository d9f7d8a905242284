package io.jasyncio.channels;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.CheckedRunnable;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import io.jasyncio.VirtualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The channel contract, run over a rendezvous, small and large buffers, and an unlimited one. */
class ChannelTest {

    static void run(CheckedRunnable body) {
        Asyncio.run(EventLoop.builder().clock(new VirtualClock()), () -> {
            body.run();
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {Channel.RENDEZVOUS, 1, 3, Channel.UNLIMITED})
    void itemsArriveInOrderAndIterationEndsWhenClosedAndDrained(int capacity) {
        run(() -> {
            Channel<Integer> ch = new Channel<>(capacity);
            Task<Void> producer = Asyncio.createTask(() -> {
                for (int i = 0; i < 100; i++) {
                    ch.send(i);
                }
                ch.close();
            });
            List<Integer> got = new ArrayList<>();
            for (int x : ch) {
                got.add(x);
                if (x % 7 == 0) {
                    Asyncio.sleep(0.01); // a slow consumer now and then
                }
            }
            producer.await();
            assertEquals(IntStream.range(0, 100).boxed().toList(), got);
            assertTrue(ch.isClosedForSend() && ch.isClosedForReceive());
            assertThrows(ChannelClosedException.class, ch::receive);
            assertThrows(ChannelClosedException.class, ch::tryReceive);
            ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> ch.send(1));
            assertTrue(e.getMessage().contains("closed"));
            assertThrows(ChannelClosedException.class, () -> ch.trySend(1));
            assertFalse(ch.close(), "a second close says it did nothing");
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {Channel.RENDEZVOUS, 1, 3, Channel.UNLIMITED})
    void manyProducersAndConsumersLoseAndDuplicateNothing(int capacity) {
        run(() -> {
            Channel<Integer> ch = new Channel<>(capacity);
            List<Integer> got = new ArrayList<>();
            TaskGroup.run(g -> {
                g.createTask(() -> {
                    TaskGroup.run(p -> {
                        for (int k = 0; k < 5; k++) {
                            int base = k * 1000;
                            p.createTask(() -> {
                                for (int i = 0; i < 200; i++) {
                                    ch.send(base + i);
                                    if (i % 13 == 0) {
                                        Asyncio.sleep(0);
                                    }
                                }
                            });
                        }
                    });
                    ch.close();
                });
                for (int k = 0; k < 4; k++) {
                    g.createTask(() -> {
                        for (int x : ch) {
                            got.add(x);
                            Asyncio.sleep(0);
                        }
                    });
                }
            });
            assertEquals(1000, got.size());
            assertEquals(1000, got.stream().distinct().count());
            // (Order across several consumers is the order they resume in, not the channel's.)
            assertEquals(IntStream.range(0, 5).flatMap(k -> IntStream.range(k * 1000, k * 1000 + 200)).boxed().toList(),
                    got.stream().sorted().toList());
        });
    }

    @Test
    void aRendezvousSendWaitsForTheReceiver() {
        run(() -> {
            Channel<String> ch = new Channel<>();
            assertEquals(0, ch.capacity());
            List<String> log = new ArrayList<>();
            Task<Void> sender = Asyncio.createTask(() -> {
                log.add("sending");
                ch.send("a");
                log.add("sent at " + Asyncio.getRunningLoop().time());
            });
            Asyncio.sleep(5);
            assertEquals(List.of("sending"), log);
            assertFalse(ch.trySend("b"), "no receiver waits, so trySend cannot hand over");
            assertEquals(0, ch.size());
            assertEquals("a", ch.receive());
            sender.await();
            assertEquals(List.of("sending", "sent at 5.0"), log);
            assertNull(ch.tryReceive());
        });
    }

    @Test
    void aBufferedSendWaitsOnlyWhenFull() {
        run(() -> {
            Channel<Integer> ch = new Channel<>(2);
            ch.send(1);
            assertTrue(ch.trySend(2));
            assertFalse(ch.trySend(3));
            assertEquals(2, ch.size());
            Task<Void> third = Asyncio.createTask(() -> ch.send(3));
            Asyncio.sleep(1);
            assertFalse(third.isDone());
            assertEquals(1, ch.receive());
            assertEquals(2, ch.size(), "the waiting sender's item moved into the buffer");
            Asyncio.sleep(0);
            assertTrue(third.isDone());
            assertEquals(2, ch.tryReceive());
            assertEquals(3, ch.receive());
            assertNull(ch.tryReceive());
        });
    }

    @Test
    void anUnlimitedChannelNeverMakesASenderWait() {
        run(() -> {
            Channel<Integer> ch = new Channel<>(Channel.UNLIMITED);
            for (int i = 0; i < 10_000; i++) {
                assertTrue(ch.trySend(i));
            }
            assertEquals(10_000, ch.size());
            assertEquals(0, ch.receive());
        });
    }

    @Test
    void closeLetsWaitingSendersDeliverAndFailsWaitingReceivers() {
        run(() -> {
            Channel<String> ch = new Channel<>(1);
            ch.send("buffered");
            Task<Void> late = Asyncio.createTask(() -> ch.send("waiting"));
            Asyncio.sleep(1);
            assertTrue(ch.close());
            assertTrue(ch.isClosedForSend());
            assertFalse(ch.isClosedForReceive(), "two items are still to come");
            assertEquals("buffered", ch.receive());
            assertEquals("waiting", ch.receive());
            late.await(); // its send completed normally: the item was sent before the close
            assertTrue(ch.isClosedForReceive());

            Channel<String> empty = new Channel<>();
            Task<String> receiver = Asyncio.createTask(empty::receive);
            Task<Boolean> iterating = Asyncio.createTask(() -> empty.iterator().hasNext());
            Asyncio.sleep(1);
            empty.close();
            assertThrows(ChannelClosedException.class, receiver::await);
            assertFalse(iterating.await());
        });
    }

    @Test
    void aCauseGivenToCloseReachesTheReceivers() {
        run(() -> {
            Channel<Integer> ch = new Channel<>(4);
            ch.send(1);
            IllegalStateException why = new IllegalStateException("upstream broke");
            ch.close(why);
            Iterator<Integer> it = ch.iterator();
            assertTrue(it.hasNext());
            assertEquals(1, it.next());
            ChannelClosedException e = assertThrows(ChannelClosedException.class, it::hasNext);
            assertSame(why, e.getCause(), "iteration over a channel closed with a cause throws");
            assertSame(why, assertThrows(ChannelClosedException.class, ch::receive).getCause());
            assertFalse(ch.close(new RuntimeException("second")));
            assertSame(why, assertThrows(ChannelClosedException.class, ch::receive).getCause());
        });
    }

    @Test
    void anIteratorPastTheEndThrowsNoSuchElement() {
        run(() -> {
            Channel<Integer> ch = new Channel<>(1);
            ch.close();
            assertThrows(NoSuchElementException.class, () -> ch.iterator().next());
        });
    }

    @Test
    void aCancelledSendDeliversNothingAndACancelledReceiveTakesNothing() {
        run(() -> {
            Channel<String> ch = new Channel<>();
            Task<Void> sender = Asyncio.createTask(() -> ch.send("lost?"));
            Asyncio.sleep(1);
            sender.cancel();
            assertThrows(CancelledError.class, sender::await);
            assertNull(ch.tryReceive(), "the cancelled sender's item is not in the channel");

            Task<String> receiver = Asyncio.createTask(ch::receive);
            Asyncio.sleep(1);
            receiver.cancel();
            assertThrows(CancelledError.class, receiver::await);
            assertFalse(ch.trySend("x"), "the cancelled receiver no longer waits");
            assertTrue(ch.toString().contains("receivers=0, senders=0"), ch.toString());
        });
    }

    @Test
    void anItemHandedOverAsTheReceiverIsCancelledGoesBackAndIsReceivedNext() {
        run(() -> {
            Channel<String> ch = new Channel<>();
            List<String> log = new ArrayList<>();
            Task<Void> receiver = Asyncio.createTask(() -> {
                log.add("got " + ch.receive());
            });
            Task<Void> next = Asyncio.createTask(() -> {
                log.add("next got " + ch.receive());
            });
            Asyncio.sleep(1);
            assertTrue(ch.trySend("item")); // hands the item to the waiting receiver...
            receiver.cancel();               // ...which is cancelled before it runs: it gives it back
            assertThrows(CancelledError.class, receiver::await);
            next.await();
            assertEquals(List.of("next got item"), log);
        });
    }

    @Test
    void anItemTakenAsTheSenderIsCancelledCountsAsSent() {
        run(() -> {
            Channel<String> ch = new Channel<>();
            List<String> log = new ArrayList<>();
            Task<Void> sender = Asyncio.createTask(() -> {
                ch.send("item");
                log.add("sent");
                Asyncio.sleep(1);
                log.add("not reached");
            });
            Asyncio.sleep(1);
            assertEquals("item", ch.tryReceive());
            sender.cancel();
            assertThrows(CancelledError.class, sender::await);
            assertEquals(List.of("sent"), log);
        });
    }

    /**
     * A receive, then a send, under a timeout whose deadline falls in the iteration of the
     * hand-off, either way round: the receive always times out (an item handed over goes back);
     * the send counts as sent exactly when the receiving side took its item.
     */
    @Test
    void timeoutsRacingAHandOffLoseNothing() {
        for (boolean handOffFirst : new boolean[] {true, false}) {
            run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                Channel<String> ch = new Channel<>();
                List<String> received = new ArrayList<>();
                boolean[] handedOver = new boolean[1];
                if (handOffFirst) {
                    loop.callLater(1, () -> handedOver[0] = ch.trySend("x"));
                }
                Task<Void> receiver = Asyncio.createTask(() -> {
                    Asyncio.moveOnAfter(1).run(() -> {
                        received.add(ch.receive());
                    });
                });
                if (!handOffFirst) {
                    Asyncio.sleep(0); // the receiver starts and sets its deadline first
                    loop.callLater(1, () -> handedOver[0] = ch.trySend("x"));
                }
                receiver.await();
                assertEquals(handOffFirst, handedOver[0]);
                // The deadline lands before the receiver resumes: an item handed over first goes
                // back and is the next one received.
                assertEquals(List.of(), received);
                assertEquals(handOffFirst ? "x" : null, ch.tryReceive());

                List<String> sent = new ArrayList<>();
                String[] taken = new String[1];
                if (handOffFirst) {
                    loop.callLater(1, () -> taken[0] = ch.tryReceive());
                }
                Task<Void> sender = Asyncio.createTask(() -> {
                    Asyncio.moveOnAfter(1).run(() -> {
                        ch.send("y");
                        sent.add("y");
                    });
                });
                if (!handOffFirst) {
                    Asyncio.sleep(0);
                    loop.callLater(1, () -> taken[0] = ch.tryReceive());
                }
                sender.await();
                assertEquals(handOffFirst ? List.of("y") : List.of(), sent);
                assertEquals(handOffFirst ? "y" : null, taken[0]);
                assertNull(ch.tryReceive());
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Channel.RENDEZVOUS, 2})
    void randomCancellationsNeverLoseOrDuplicateAnItem(int capacity) {
        run(() -> {
            Random random = new Random(42);
            Channel<Integer> ch = new Channel<>(capacity);
            List<Integer> sent = new ArrayList<>();
            List<Integer> received = new ArrayList<>();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                int item = i;
                tasks.add(Asyncio.createTask(() -> {
                    Asyncio.sleep(random.nextInt(20) * 0.01);
                    ch.send(item);
                    sent.add(item); // reached only if the send completed
                }));
                tasks.add(Asyncio.createTask(() -> {
                    Asyncio.sleep(random.nextInt(20) * 0.01);
                    received.add(ch.receive()); // added even if cancelled right after the hand-off
                }));
            }
            for (int round = 0; round < 40; round++) {
                Asyncio.sleep(0.005);
                tasks.get(random.nextInt(tasks.size())).cancel();
            }
            Asyncio.sleep(1);
            Integer rest;
            while ((rest = ch.tryReceive()) != null) {
                received.add(rest);
            }
            tasks.forEach(Task::cancel); // senders that still wait: their items were never sent
            Asyncio.sleep(0);
            assertEquals(sent.stream().sorted().toList(), received.stream().sorted().toList());
            assertTrue(sent.size() > 200, "most sends went through: " + sent.size());
        });
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Channel<>(-1));
        assertThrows(IllegalStateException.class, () -> new Channel<>().receive());
        run(() -> {
            Channel<String> ch = new Channel<>(1);
            assertThrows(NullPointerException.class, () -> ch.send(null));
            assertThrows(NullPointerException.class, () -> ch.trySend(null));
            assertThrows(NullPointerException.class, () -> ch.onSend(null, () -> 1));
            assertEquals(0, ch.size(), "nothing half-done");
        });
        Channel<Integer> bound = new Channel<>(1);
        run(() -> bound.send(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(bound::receive));
        assertTrue(e.getMessage().contains("bound to"));
    }

    @Test
    void aWaitingReceiveShowsInTheTaskDump() {
        run(() -> {
            Channel<Integer> ch = new Channel<>();
            Task<Integer> r = Asyncio.createTask("reader", () -> ch.receive());
            Asyncio.sleep(1);
            String dump = Asyncio.getRunningLoop().dumpTasks().toString();
            assertTrue(dump.contains("Channel.receive"), dump);
            r.cancel();
        });
    }
}
