package io.jasyncio.queues;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import io.jasyncio.VirtualClock;
import io.jasyncio.CheckedRunnable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio.Queue's contract, run over every queue kind; then what each kind orders differently. */
class QueueContractTest {

    record Kind(String name, IntFunction<AsyncQueue<Integer>> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Kind> kinds() {
        return Stream.of(new Kind("AsyncQueue", AsyncQueue::new),
                new Kind("AsyncLifoQueue", AsyncLifoQueue::new),
                new Kind("AsyncPriorityQueue", AsyncPriorityQueue::new));
    }

    static void run(CheckedRunnable body) {
        Asyncio.run(EventLoop.builder().clock(new VirtualClock()), () -> {
            body.run();
            return null;
        });
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void sizesAndNowaitForms(Kind k) {
        run(() -> {
            AsyncQueue<Integer> q = k.make().apply(2);
            assertEquals(2, q.maxsize());
            assertTrue(q.isEmpty() && !q.isFull());
            assertThrows(QueueEmptyException.class, q::getNowait);
            q.putNowait(1);
            q.putNowait(2);
            assertTrue(q.isFull());
            assertEquals(2, q.qsize());
            assertThrows(QueueFullException.class, () -> q.putNowait(3));
            assertThrows(NullPointerException.class, () -> q.putNowait(null));
            assertEquals(3, q.getNowait() + q.getNowait());
            assertEquals(0, k.make().apply(0).maxsize());
            assertFalse(k.make().apply(-5).isFull());
        });
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void putWaitsWhileFullAndGetWhileEmpty(Kind k) {
        run(() -> {
            AsyncQueue<Integer> q = k.make().apply(1);
            List<String> log = new ArrayList<>();
            Task<Void> producer = Asyncio.createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    q.put(i);
                    log.add("put " + i);
                }
            });
            Asyncio.sleep(1);
            assertEquals(List.of("put 0"), log, "the second put waits for room");
            for (int i = 0; i < 3; i++) {
                q.get();
                Asyncio.sleep(1);
            }
            producer.await();
            assertEquals(3, log.size());
            Task<Integer> getter = Asyncio.createTask(q::get);
            Asyncio.sleep(1);
            assertFalse(getter.isDone());
            q.put(42);
            assertEquals(42, getter.await());
        });
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aCancelledGetTakesNothingAndACancelledPutAddsNothing(Kind k) {
        run(() -> {
            AsyncQueue<Integer> q = k.make().apply(1);
            Task<Integer> g = Asyncio.createTask(q::get);
            Asyncio.sleep(1);
            g.cancel();
            assertThrows(CancelledError.class, g::await);
            q.put(7);
            assertEquals(1, q.qsize(), "the cancelled getter took nothing");
            Task<Void> p = Asyncio.createTask(() -> q.put(8));
            Asyncio.sleep(1);
            p.cancel();
            assertThrows(CancelledError.class, p::await);
            assertEquals(7, q.get());
            assertTrue(q.isEmpty(), "the cancelled putter added nothing");
        });
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aGetterCancelledAsItIsWokenTakesNothingAndTheItemGoesToTheNextGetter(Kind k) {
        run(() -> {
            AsyncQueue<Integer> q = k.make().apply(0);
            List<Integer> got = new ArrayList<>();
            Task<Void> a = Asyncio.createTask(() -> {
                got.add(q.get());
            });
            Task<Void> b = Asyncio.createTask(() -> {
                got.add(q.get());
            });
            Asyncio.sleep(1);
            q.putNowait(1);  // wakes a...
            a.cancel();      // ...cancelled before it runs: it hands the item back
            q.putNowait(2);
            assertThrows(CancelledError.class, a::await);
            b.await();
            assertEquals(1, got.size(), "only b took an item: " + got);
            assertEquals(1, q.qsize(), "the other item is still queued");
            assertEquals(java.util.Set.of(1, 2), java.util.Set.of(got.get(0), q.getNowait()), "nothing lost");
        });
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aPutterCancelledAsItIsWokenDoesNotPutAndTheNextPutterGetsItsTurn(Kind k) {
        run(() -> {
            AsyncQueue<Integer> q = k.make().apply(1);
            q.putNowait(0);
            List<String> log = new ArrayList<>();
            Task<Void> a = Asyncio.createTask(() -> {
                q.put(1);
                log.add("a put");
            });
            Task<Void> b = Asyncio.createTask(() -> {
                q.put(2);
                log.add("b put");
            });
            Asyncio.sleep(1);
            assertEquals(0, q.getNowait()); // room for a...
            a.cancel();                     // ...cancelled before it runs
            assertThrows(CancelledError.class, a::await);
            b.await();
            assertEquals(List.of("b put"), log, "a did not put; b got the room");
            assertEquals(2, q.get());
            assertTrue(q.isEmpty());
        });
    }

    /** A get under a timeout whose deadline falls in the iteration an item arrives, either way round. */
    @ParameterizedTest
    @MethodSource("kinds")
    void aTimeoutRacingAnItemLosesNothing(Kind k) {
        for (boolean itemFirst : new boolean[] {true, false}) {
            run(() -> {
                AsyncQueue<Integer> q = k.make().apply(0);
                EventLoop loop = Asyncio.getRunningLoop();
                if (itemFirst) {
                    loop.callLater(1, () -> q.putNowait(7));
                }
                Task<Integer> getter = Asyncio.createTask(() -> Asyncio.timeout(1).run(() -> q.get()));
                if (!itemFirst) {
                    Asyncio.sleep(0); // the getter starts and sets its deadline first
                    loop.callLater(1, () -> q.putNowait(7));
                }
                Integer got;
                try {
                    got = getter.await();
                } catch (io.jasyncio.AsyncTimeoutException e) {
                    got = null;
                }
                assertEquals(1.0, loop.time());
                // Either way round the deadline lands before the getter resumes: the get times out
                // and the item stays queued (an item that arrived first is handed back).
                assertNull(got);
                assertEquals(7, q.getNowait(), "the timed-out get left the item in the queue");
            });
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void taskDoneAndJoin(Kind k) {
        run(() -> {
            AsyncQueue<Integer> q = k.make().apply(0);
            q.join(); // nothing unfinished: at once
            for (int i = 0; i < 3; i++) {
                q.putNowait(i);
            }
            List<String> log = new ArrayList<>();
            Task<Void> joiner = Asyncio.createTask(() -> {
                q.join();
                log.add("joined at " + Asyncio.getRunningLoop().time());
            });
            for (int i = 0; i < 3; i++) {
                q.get();
                Asyncio.sleep(1);
                q.taskDone();
            }
            joiner.await();
            assertEquals(List.of("joined at 3.0"), log);
            assertThrows(IllegalStateException.class, q::taskDone);
        });
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void shutdownWakesEveryoneAndEndsTheQueue(Kind k) {
        run(() -> {
            AsyncQueue<Integer> q = k.make().apply(1);
            Task<Integer> getter = Asyncio.createTask(q::get);
            Asyncio.sleep(1);
            q.shutdown();
            assertThrows(QueueShutDownException.class, getter::await);
            assertThrows(QueueShutDownException.class, () -> q.putNowait(1));
            assertTrue(q.isShutDown());

            AsyncQueue<Integer> r = k.make().apply(1);
            r.putNowait(5);
            Task<Void> putter = Asyncio.createTask(() -> r.put(6));
            Asyncio.sleep(1);
            r.shutdown();
            assertThrows(QueueShutDownException.class, putter::await);
            assertEquals(5, r.get(), "a graceful shutdown keeps the items");
            assertThrows(QueueShutDownException.class, r::get);

            AsyncQueue<Integer> s = k.make().apply(0);
            s.putNowait(1);
            s.putNowait(2);
            Task<Void> joiner = Asyncio.createTask(s::join);
            Asyncio.sleep(1);
            s.shutdown(true);
            joiner.await(); // the dropped items count as done
            assertTrue(s.isEmpty());
            assertThrows(QueueShutDownException.class, s::get);
        });
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void producersAndConsumersLoseNothingUnderCancellation(Kind k) {
        run(() -> {
            AsyncQueue<Integer> q = k.make().apply(3);
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(Long.getLong("jasyncio.stress.seed", 4));
            List<Integer> consumed = new ArrayList<>();
            int[] produced = {0};
            List<Task<Void>> consumers = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                consumers.add(Asyncio.createTask(() -> {
                    for (;;) {
                        Integer item = q.get();
                        consumed.add(item);
                        q.taskDone();
                        Asyncio.sleep(rnd.nextInt(3) / 10.0);
                    }
                }));
            }
            List<Task<Void>> producers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                int base = p * 1000;
                producers.add(Asyncio.createTask(() -> {
                    for (int i = 0; i < 50; i++) {
                        q.put(base + i);
                        produced[0]++;
                        Asyncio.sleep(rnd.nextInt(2) / 10.0);
                    }
                }));
            }
            for (int i = 0; i < 20; i++) {          // cancel consumers at random and replace them
                Asyncio.sleep(rnd.nextInt(5) / 10.0);
                int victim = rnd.nextInt(consumers.size());
                consumers.get(victim).cancel();
                consumers.set(victim, Asyncio.createTask(() -> {
                    for (;;) {
                        Integer item = q.get();
                        consumed.add(item);
                        q.taskDone();
                    }
                }));
            }
            Asyncio.gather(producers).await();
            q.join();
            assertEquals(150, produced[0]);
            List<Integer> sorted = new ArrayList<>(consumed);
            sorted.sort(null);
            List<Integer> expected = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < 50; i++) {
                    expected.add(p * 1000 + i);
                }
            }
            assertEquals(expected, sorted, "every item consumed exactly once");
            consumers.forEach(Task::cancel);
            Asyncio.gather(true, consumers).await();
        });
    }

    // ------------------------------------------------------------------ order

    @Test
    void fifoLifoAndPriorityOrders() {
        run(() -> {
            List<Integer> in = List.of(3, 1, 2);
            assertEquals(List.of(3, 1, 2), drain(new AsyncQueue<>(), in));
            assertEquals(List.of(2, 1, 3), drain(new AsyncLifoQueue<>(), in));
            assertEquals(List.of(1, 2, 3), drain(new AsyncPriorityQueue<>(), in));
            assertEquals(List.of(3, 2, 1), drain(new AsyncPriorityQueue<>(0, Comparator.reverseOrder()), in));
        });
    }

    private static List<Integer> drain(AsyncQueue<Integer> q, List<Integer> in) {
        in.forEach(q::putNowait);
        List<Integer> out = new ArrayList<>();
        while (!q.isEmpty()) {
            out.add(q.get());
        }
        return out;
    }

    @Test
    void theBooksProducerConsumer() {
        // "Using Asyncio in Python": a producer hands out work; consumers process it; join waits for all.
        run(() -> {
            AsyncQueue<String> q = new AsyncQueue<>(10);
            List<String> done = new ArrayList<>();
            TaskGroup.run(g -> {
                List<Task<Void>> workers = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    String me = "worker-" + w;
                    workers.add(g.createTask(me, () -> {
                        try {
                            for (;;) {
                                String job = q.get();
                                Asyncio.sleep(job.length() / 10.0);
                                done.add(job + " by " + me);
                                q.taskDone();
                            }
                        } catch (QueueShutDownException finished) {
                            // the producer is done and the queue is empty
                        }
                    }));
                }
                for (int i = 0; i < 30; i++) {
                    q.put("job-" + i);
                }
                q.join();
                q.shutdown();
            });
            assertEquals(30, done.size());
        });
    }

    @Test
    void aQueueBelongsToOneLoop() {
        AsyncQueue<Integer> q = new AsyncQueue<>();
        run(() -> q.putNowait(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(() -> q.get()));
        assertTrue(e.getMessage().contains("bound to"));
    }
}
