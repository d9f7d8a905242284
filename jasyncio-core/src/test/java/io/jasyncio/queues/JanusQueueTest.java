package io.jasyncio.queues;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Janus queue: threads on one side, tasks on the other, either direction, real threads. */
class JanusQueueTest {

    @Test
    void threadsProduceTasksConsume() {
        List<Integer> got = Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            JanusQueue<Integer> q = new JanusQueue<>(loop, 5);
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                int base = p * 1000;
                producers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 200; i++) {
                            q.sync().put(base + i); // blocks while 5 are queued
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                out.add(q.async().get());
                q.async().taskDone();
            }
            q.async().join();
            for (Thread t : producers) {
                Asyncio.toThread(() -> t.join());
            }
            return out;
        });
        List<Integer> sorted = new ArrayList<>(got);
        Collections.sort(sorted);
        assertEquals(600, sorted.size());
        for (int p = 0; p < 3; p++) {
            for (int i = 0; i < 200; i++) {
                assertTrue(sorted.contains(p * 1000 + i));
            }
        }
    }

    @Test
    void tasksProduceThreadsConsume() {
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            JanusQueue<String> q = new JanusQueue<>(loop, 2);
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    for (;;) {
                        String s = q.sync().take();
                        got.add(s);
                        q.sync().taskDone();
                    }
                } catch (QueueShutDownException done) {
                    // finished
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < 100; i++) {
                q.async().put("item-" + i); // waits while 2 are queued
            }
            q.async().join();
            q.shutdown(false);
            Asyncio.toThread(() -> consumer.join());
            return null;
        });
        assertEquals(100, got.size());
        assertEquals("item-0", got.get(0));
        assertEquals("item-99", got.get(99));
    }

    @Test
    void shutdownWakesBothSides() throws Exception {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            JanusQueue<Integer> q = new JanusQueue<>(loop, 1);
            Task<Integer> asyncGetter = Asyncio.createTask(q.async()::get);
            Throwable[] threadSaw = new Throwable[1];
            Thread syncGetter = Thread.ofPlatform().start(() -> {
                try {
                    q.sync().take();
                } catch (Throwable e) {
                    threadSaw[0] = e;
                }
            });
            Asyncio.sleep(0.05);
            q.shutdown(true);
            assertThrows(QueueShutDownException.class, asyncGetter::await);
            Asyncio.toThread(() -> syncGetter.join());
            assertTrue(threadSaw[0] instanceof QueueShutDownException, String.valueOf(threadSaw[0]));
            assertTrue(q.isShutDown());
            return null;
        });
    }

    @Test
    void cancellingAnAsyncGetLosesNoItemWhileThreadsPut() {
        int n = 2000;
        List<Integer> got = Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            JanusQueue<Integer> q = new JanusQueue<>(loop, 0);
            Thread producer = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        q.sync().put(i);
                        if (i % 50 == 0) {
                            Thread.sleep(1);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Integer> out = Collections.synchronizedList(new ArrayList<>());
            List<Task<Void>> getters = new ArrayList<>();
            for (int g = 0; g < 4; g++) {
                getters.add(Asyncio.createTask(() -> {
                    for (;;) {
                        out.add(q.async().get());
                    }
                }));
            }
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(9);
            while (out.size() < n) {
                Asyncio.sleep(0.001);
                int v = rnd.nextInt(getters.size());
                getters.get(v).cancel();
                getters.set(v, Asyncio.createTask(() -> {
                    for (;;) {
                        out.add(q.async().get());
                    }
                }));
                if (!producer.isAlive() && q.qsize() == 0 && out.size() < n) {
                    Asyncio.sleep(0.01);
                }
            }
            getters.forEach(Task::cancel);
            Asyncio.gather(true, getters).await();
            Asyncio.toThread(() -> producer.join());
            return new ArrayList<>(out);
        });
        List<Integer> sorted = new ArrayList<>(got);
        Collections.sort(sorted);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(i);
        }
        assertEquals(expected, sorted, "every item taken exactly once");
    }

    @Test
    void eachSideStaysOnItsSide() {
        Asyncio.run(() -> {
            JanusQueue<Integer> q = new JanusQueue<>(Asyncio.getRunningLoop(), 1);
            IllegalStateException blocking = assertThrows(IllegalStateException.class, () -> q.sync().put(1));
            assertTrue(blocking.getMessage().contains("would block the loop"));
            q.async().putNowait(1);
            assertThrows(QueueFullException.class, () -> q.async().putNowait(2));
            Integer fromThread = Asyncio.toThread(() -> q.sync().poll(1, TimeUnit.SECONDS));
            assertEquals(1, fromThread);
            assertNull(Asyncio.toThread(() -> q.sync().poll(10, TimeUnit.MILLISECONDS)));
            Boolean offered = Asyncio.toThread(() -> q.sync().offer(5, 1, TimeUnit.SECONDS));
            assertTrue(offered);
            assertEquals(5, q.async().getNowait());
            assertThrows(QueueEmptyException.class, q.async()::getNowait);
            Task<Void> cancelled = Asyncio.createTask(() -> {
                q.async().get();
            });
            Asyncio.sleep(0.01);
            cancelled.cancel();
            assertThrows(CancelledError.class, cancelled::await);
            return null;
        });
        assertThrows(IllegalStateException.class, () -> {
            try (EventLoop other = EventLoop.newEventLoop()) {
                new JanusQueue<Integer>(other, 1).async().getNowait();
            }
        });
    }
}
