package io.jasyncio.channels;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.jasyncio.channels.ChannelTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Select: the first clause to win takes effect, and only it. */
class SelectTest {

    @Test
    void clausesReadyAtOnceAreTriedInOrderAndTheOthersKeepTheirItems() {
        run(() -> {
            Channel<String> a = new Channel<>(1);
            Channel<String> b = new Channel<>(1);
            a.send("a1");
            b.send("b1");
            String got = Select.select(b.onReceive(x -> "b:" + x), a.onReceive(x -> "a:" + x));
            assertEquals("b:b1", got);
            assertEquals(1, a.size(), "the clause that did not win took nothing");
            assertEquals("a1", a.receive());
        });
    }

    @Test
    void aWaitingSelectTakesOnlyFromTheChannelThatFired() {
        run(() -> {
            Channel<String> a = new Channel<>();
            Channel<String> b = new Channel<>();
            Task<String> selecting = Asyncio.createTask(() -> Select.select(
                    a.onReceive(x -> "a:" + x), b.onReceive(x -> "b:" + x)));
            Asyncio.sleep(1);
            assertTrue(b.trySend("hello"), "the select waits as a receiver on b");
            assertEquals("b:hello", selecting.await());
            assertFalse(a.trySend("nobody"), "the select no longer waits on a");
            assertTrue(a.toString().contains("receivers=0"), a.toString());
        });
    }

    @Test
    void aSendClauseSendsOnlyIfItWins() {
        run(() -> {
            Channel<Integer> full = new Channel<>(1);
            full.send(1);
            String r = Select.select(full.onSend(2, () -> "sent"), Select.onTimeout(3, () -> "timed out"));
            assertEquals("timed out", r);
            assertEquals(3.0, Asyncio.getRunningLoop().time());
            assertEquals(1, full.receive());
            assertNull(full.tryReceive(), "the losing send clause did not send 2");

            Channel<Integer> rendezvous = new Channel<>();
            Task<String> sending = Asyncio.createTask(() -> Select.select(
                    rendezvous.onSend(7, () -> "sent 7"), Select.onTimeout(10, () -> "timed out")));
            Asyncio.sleep(1);
            assertEquals(7, rendezvous.receive());
            assertEquals("sent 7", sending.await());
            assertTrue(rendezvous.toString().contains("senders=0"), rendezvous.toString());
        });
    }

    @Test
    void aFutureClauseWinsWhenTheFutureIsDoneWhateverItsOutcome() {
        run(() -> {
            Channel<Integer> idle = new Channel<>();
            Task<Integer> job = Asyncio.createTask(() -> {
                Asyncio.sleep(2);
                throw new IllegalStateException("job failed");
            });
            String r = Select.select(idle.onReceive(x -> "item"), Select.onDone(job, f -> "done: " + f.exception().getMessage()));
            assertEquals("done: job failed", r);
            AsyncFuture<String> ready = Asyncio.getRunningLoop().createFuture();
            ready.setResult("now");
            assertEquals("now", Select.select(Select.onTimeout(0, () -> "timeout"), Select.onDone(ready, AsyncFuture::result)),
                    "a ready clause beats even a zero timeout");
        });
    }

    @Test
    void twoSelectsCompetingForOneItemGetItOnce() {
        run(() -> {
            Channel<Integer> ch = new Channel<>();
            Channel<Integer> other = new Channel<>();
            List<String> got = new ArrayList<>();
            List<Task<Void>> selects = new ArrayList<>();
            for (String name : List.of("s1", "s2")) {
                selects.add(Asyncio.createTask(() -> {
                    got.add(Select.select(ch.onReceive(x -> name + " got " + x), other.onReceive(x -> name + " other " + x)));
                }));
            }
            Asyncio.sleep(1);
            // In one step: s1 wins item 1, its registration on ch is now dead, so item 2 goes to s2.
            assertTrue(ch.trySend(1));
            assertTrue(ch.trySend(2));
            assertFalse(ch.trySend(3), "both selects have won; nobody waits");
            for (Task<Void> t : selects) {
                t.await();
            }
            assertEquals(List.of("s1 got 1", "s2 got 2"), got);
            assertFalse(other.trySend(9), "the losing clauses were withdrawn");
        });
    }

    @Test
    void aSelectThatLosesLeavesNoWaiterBehindOnAnyChannel() {
        run(() -> {
            Channel<Integer> ch = new Channel<>();
            for (int i = 0; i < 1000; i++) { // a poll loop with a timeout must not pile up waiters
                Select.select(ch.onReceive(x -> x), Select.onTimeout(0.001, () -> -1));
            }
            assertTrue(ch.toString().contains("receivers=0, senders=0"), ch.toString());
        });
    }

    @Test
    void aCancelledSelectTakesNothingAndLeavesNothingRegistered() {
        run(() -> {
            Channel<Integer> in = new Channel<>();
            Channel<Integer> out = new Channel<>();
            Task<String> selecting = Asyncio.createTask(() -> Select.select(
                    in.onReceive(x -> "in"), out.onSend(5, () -> "out"), Select.onTimeout(100, () -> "timeout")));
            Asyncio.sleep(1);
            selecting.cancel();
            assertThrows(CancelledError.class, selecting::await);
            assertFalse(in.trySend(1));
            assertNull(out.tryReceive(), "the cancelled select did not send");
            assertTrue(in.toString().contains("receivers=0, senders=0") && out.toString().contains("receivers=0, senders=0"));
        });
    }

    @Test
    void anItemWonAsTheSelectIsCancelledGoesBackToItsChannel() {
        run(() -> {
            Channel<String> ch = new Channel<>();
            List<String> log = new ArrayList<>();
            Task<Void> selecting = Asyncio.createTask(() -> {
                log.add(Select.select(ch.onReceive(x -> "got " + x), Select.onTimeout(100, () -> "timeout")));
            });
            Asyncio.sleep(1);
            assertTrue(ch.trySend("item"));
            selecting.cancel();
            assertThrows(CancelledError.class, selecting::await);
            assertEquals(List.of(), log, "the handler did not run");
            assertEquals("item", ch.tryReceive(), "the item went back to the channel");
        });
    }

    @Test
    void aSendWonAsTheSelectIsCancelledStandsThenTheCancellationComes() {
        run(() -> {
            Channel<String> ch = new Channel<>();
            List<String> log = new ArrayList<>();
            Task<Void> selecting = Asyncio.createTask(() -> {
                log.add(Select.select(ch.onSend("item", () -> "sent"), Select.onTimeout(100, () -> "timeout")));
                Asyncio.sleep(1);
                log.add("not reached");
            });
            Asyncio.sleep(1);
            assertEquals("item", ch.tryReceive());
            selecting.cancel();
            assertThrows(CancelledError.class, selecting::await);
            assertEquals(List.of("sent"), log);
        });
    }

    @Test
    void closedChannelsEndTheSelectOrTellTheHandler() {
        run(() -> {
            Channel<Integer> a = new Channel<>();
            Channel<Integer> b = new Channel<>();
            a.close();
            assertThrows(ChannelClosedException.class, () -> Select.select(a.onReceive(x -> x), b.onReceive(x -> x)));
            assertEquals(-1, Select.select(a.onReceive(x -> x, () -> -1), b.onReceive(x -> x)));
            assertThrows(ChannelClosedException.class, () -> Select.select(a.onSend(1, () -> 1)));

            Task<String> waiting = Asyncio.createTask(() -> Select.select(b.onReceive(x -> "item", () -> "b closed")));
            Asyncio.sleep(1);
            b.close();
            assertEquals("b closed", waiting.await());
        });
    }

    @Test
    void fanInOverTwoChannelsUntilBothAreClosed() {
        run(() -> {
            Channel<Integer> odd = new Channel<>(2);
            Channel<Integer> even = new Channel<>();
            Asyncio.createTask(() -> {
                for (int i = 1; i < 100; i += 2) {
                    odd.send(i);
                }
                odd.close();
            });
            Asyncio.createTask(() -> {
                for (int i = 0; i < 100; i += 2) {
                    even.send(i);
                    Asyncio.sleep(0.01);
                }
                even.close();
            });
            Set<Integer> got = new HashSet<>();
            boolean oddOpen = true;
            boolean evenOpen = true;
            while (oddOpen || evenOpen) {
                List<SelectClause<Integer>> clauses = new ArrayList<>();
                if (oddOpen) {
                    clauses.add(odd.onReceive(x -> x, () -> -1));
                }
                if (evenOpen) {
                    clauses.add(even.onReceive(x -> x, () -> -2));
                }
                @SuppressWarnings("unchecked")
                SelectClause<Integer>[] array = clauses.toArray(new SelectClause[0]);
                int x = Select.select(array);
                if (x == -1) {
                    oddOpen = false;
                } else if (x == -2) {
                    evenOpen = false;
                } else {
                    assertTrue(got.add(x), "no item twice: " + x);
                }
            }
            assertEquals(100, got.size());
        });
    }

    @Test
    void oneClauseMayServeManySelectsAtOnce() {
        run(() -> {
            Channel<Integer> ch = new Channel<>();
            SelectClause<Integer> clause = ch.onReceive(x -> x * 10);
            List<Integer> got = new ArrayList<>();
            TaskGroup.run(g -> {
                for (int i = 0; i < 3; i++) {
                    g.createTask(() -> {
                        got.add(Select.select(clause, Select.onTimeout(50, () -> -1)));
                    });
                }
                g.createTask(() -> {
                    Asyncio.sleep(1);
                    for (int i = 1; i <= 3; i++) {
                        ch.send(i);
                    }
                });
            });
            assertEquals(List.of(10, 20, 30), got);
        });
    }

    @Test
    void aSelectMaySendAndReceiveOnTheSameChannel() {
        run(() -> {
            Channel<String> ch = new Channel<>();
            Task<String> both = Asyncio.createTask(() -> Select.select(ch.onReceive(x -> "received " + x), ch.onSend("mine", () -> "sent")));
            Asyncio.sleep(1);
            assertEquals("mine", ch.receive(), "a receiver takes the select's offer");
            assertEquals("sent", both.await());
            Task<String> again = Asyncio.createTask(() -> Select.select(ch.onReceive(x -> "received " + x), ch.onSend("mine", () -> "sent")));
            Asyncio.sleep(1);
            ch.send("theirs");
            assertEquals("received theirs", again.await());
        });
    }

    @Test
    void badUseIsRefused() {
        run(() -> {
            assertThrows(IllegalArgumentException.class, Select::select);
            assertThrows(IllegalArgumentException.class, () -> Select.onTimeout(-1, () -> 1));
            assertThrows(IllegalArgumentException.class, () -> Select.onTimeout(Double.NaN, () -> 1));
            assertThrows(NullPointerException.class, () -> Select.select((SelectClause<Object>) null));
            Channel<Integer> ch = new Channel<>();
            Asyncio.getRunningLoop().callSoon(() -> {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> Select.select(ch.onReceive(x -> x)));
                assertTrue(e.getMessage().contains("outside a task"));
            });
            Asyncio.sleep(0);
        });
    }
}
