package io.jasyncio.sync;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What is particular to each primitive, beyond the mutual-exclusion contract. */
class PrimitivesTest {

    @Nested
    class Lock {
        @Test
        void ownershipIsChecked() {
            SyncLoops.run(() -> {
                AsyncLock lock = new AsyncLock();
                assertThrows(IllegalStateException.class, lock::release);
                lock.acquire();
                assertSame(Asyncio.currentTask(), lock.owner());
                IllegalStateException reentrant = assertThrows(IllegalStateException.class, lock::acquire);
                assertTrue(reentrant.getMessage().contains("not reentrant"));
                Task<Void> other = Asyncio.createTask(lock::release);
                IllegalStateException notMine = assertThrows(IllegalStateException.class, other::await);
                assertTrue(notMine.getMessage().contains("only the task that acquired it"));
                assertTrue(lock.isLocked() && lock.isHeldByCurrentTask());
                lock.release();
                assertFalse(lock.isLocked());
                try (Held h = lock.hold()) {
                    assertTrue(lock.isHeldByCurrentTask());
                }
                assertFalse(lock.isLocked());
            });
        }

        @Test
        void outsideATaskItIsAnError() {
            assertThrows(IllegalStateException.class, () -> new AsyncLock().acquire());
        }

        @Test
        void aLockBelongsToOneLoop() {
            AsyncLock lock = new AsyncLock();
            SyncLoops.run(() -> lock.hold().close());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> SyncLoops.run(lock::acquire));
            assertTrue(e.getMessage().contains("bound to"));
        }
    }

    @Nested
    class EventTests {
        @Test
        void setWakesEveryWaiterAndClearRearms() {
            SyncLoops.run(() -> {
                Event e = new Event();
                List<String> seen = new ArrayList<>();
                List<Task<Void>> ts = new ArrayList<>();
                for (String n : List.of("a", "b", "c")) {
                    ts.add(Asyncio.createTask(() -> {
                        e.await();
                        seen.add(n);
                    }));
                }
                Asyncio.sleep(1);
                assertEquals(List.of(), seen);
                e.set();
                Asyncio.gather(ts).await();
                assertEquals(List.of("a", "b", "c"), seen);
                assertTrue(e.isSet());
                e.await(); // set: returns at once
                e.clear();
                assertFalse(e.isSet());
                Task<Void> later = Asyncio.createTask(e::await);
                Asyncio.sleep(1);
                assertFalse(later.isDone());
                later.cancel();
                assertThrows(CancelledError.class, later::await);
            });
        }
    }

    @Nested
    class Condition {
        @Test
        void waitReleasesTheLockAndNotifyWakesInOrder() {
            SyncLoops.run(() -> {
                AsyncCondition c = new AsyncCondition();
                List<String> seen = new ArrayList<>();
                List<Task<Void>> ts = new ArrayList<>();
                for (String n : List.of("a", "b", "c")) {
                    ts.add(Asyncio.createTask(() -> {
                        try (Held h = c.hold()) {
                            c.await();
                            assertTrue(c.lock().isHeldByCurrentTask(), "the lock is back before await returns");
                            seen.add(n);
                        }
                    }));
                }
                Asyncio.sleep(1);
                try (Held h = c.hold()) {
                    c.notifyOne();
                }
                Asyncio.sleep(1);
                assertEquals(List.of("a"), seen);
                try (Held h = c.hold()) {
                    c.notifyAllWaiters();
                }
                Asyncio.gather(ts).await();
                assertEquals(List.of("a", "b", "c"), seen);
            });
        }

        @Test
        void awaitForAPredicate() {
            SyncLoops.run(() -> {
                AsyncCondition c = new AsyncCondition();
                int[] items = {0};
                Task<Boolean> consumer = Asyncio.createTask(() -> {
                    try (Held h = c.hold()) {
                        return c.awaitFor(() -> items[0] >= 3);
                    }
                });
                for (int i = 0; i < 3; i++) {
                    Asyncio.sleep(1);
                    try (Held h = c.hold()) {
                        items[0]++;
                        c.notifyAllWaiters();
                    }
                }
                assertTrue(consumer.await());
                assertEquals(3.0, Asyncio.getRunningLoop().time());
            });
        }

        @Test
        void theLockMustBeHeld() {
            SyncLoops.run(() -> {
                AsyncCondition c = new AsyncCondition();
                assertThrows(IllegalStateException.class, c::await);
                assertThrows(IllegalStateException.class, c::notifyOne);
            });
        }

        @Test
        void cancelledWhileWaitingItStillRetakesTheLock() {
            SyncLoops.run(() -> {
                AsyncCondition c = new AsyncCondition();
                boolean[] heldInFinally = {false};
                Task<Void> t = Asyncio.createTask(() -> {
                    try (Held h = c.hold()) {
                        try {
                            c.await();
                        } finally {
                            heldInFinally[0] = c.lock().isHeldByCurrentTask();
                        }
                    }
                });
                Asyncio.sleep(1);
                t.cancel();
                assertThrows(CancelledError.class, t::await);
                assertTrue(heldInFinally[0]);
                assertFalse(c.lock().isLocked());
            });
        }

        @Test
        void aNotificationIsNotLostWhenItsReceiverIsCancelled() {
            SyncLoops.run(() -> {
                AsyncCondition c = new AsyncCondition();
                List<String> woke = new ArrayList<>();
                Task<Void> a = Asyncio.createTask(() -> {
                    try (Held h = c.hold()) {
                        c.await();
                        woke.add("a");
                    }
                });
                Task<Void> b = Asyncio.createTask(() -> {
                    try (Held h = c.hold()) {
                        c.await();
                        woke.add("b");
                    }
                });
                Asyncio.sleep(1);
                try (Held h = c.hold()) {
                    c.notifyOne();    // notifies a...
                    a.cancel();       // ...which is cancelled before it runs: it passes it on
                }
                assertThrows(CancelledError.class, a::await);
                b.await();             // no second notification needed
                assertEquals(List.of("b"), woke, "a's notification went to b");
                assertFalse(c.lock().isLocked(), "a took the lock back and released it");
            });
        }
    }

    @Nested
    class Semaphore {
        @Test
        void fiftySitesTenInFlight() {
            SyncLoops.run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(10);
                int[] inFlight = {0};
                int[] most = {0};
                int[] finished = {0};
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(50);
                TaskGroup.run(g -> {
                    for (int i = 0; i < 50; i++) {
                        double fetchTime = 0.5 + rnd.nextInt(20) / 10.0;
                        g.createTask("site " + i, () -> {
                            try (Held h = sem.hold()) {
                                inFlight[0]++;
                                most[0] = Math.max(most[0], inFlight[0]);
                                Asyncio.sleep(fetchTime);
                                inFlight[0]--;
                                finished[0]++;
                            }
                        });
                    }
                });
                assertEquals(50, finished[0]);
                assertEquals(10, most[0], "the cap was reached and never exceeded");
                assertEquals(10, sem.availablePermits());
            });
        }

        @Test
        void aBoundedSemaphoreRefusesAnExtraRelease() {
            SyncLoops.run(() -> {
                AsyncBoundedSemaphore s = new AsyncBoundedSemaphore(2);
                s.acquire();
                s.release();
                IllegalStateException e = assertThrows(IllegalStateException.class, s::release);
                assertTrue(e.getMessage().contains("released too many times"));
                assertEquals(2, s.availablePermits());
                AsyncSemaphore plain = new AsyncSemaphore(0);
                plain.release();
                assertEquals(1, plain.availablePermits(), "a plain semaphore may grow");
                assertThrows(IllegalArgumentException.class, () -> new AsyncSemaphore(-1));
            });
        }

        @Test
        void permitsFreedWhileSomeoneIsAheadGoToTheWaitersInOrder() {
            SyncLoops.run(() -> {
                AsyncSemaphore s = new AsyncSemaphore(0);
                List<String> order = new ArrayList<>();
                List<Task<Void>> ts = new ArrayList<>();
                for (String n : List.of("a", "b", "c")) {
                    ts.add(Asyncio.createTask(() -> {
                        s.acquire();
                        order.add(n);
                    }));
                }
                Asyncio.sleep(1);
                assertTrue(s.isLocked());
                s.release();
                s.release();
                s.release();
                Asyncio.gather(ts).await();
                assertEquals(List.of("a", "b", "c"), order);
            });
        }
    }

    @Nested
    class BarrierTests {
        @Test
        void partiesMeetAndTheBarrierCanBeReused() {
            SyncLoops.run(() -> {
                Barrier b = new Barrier(3);
                List<Integer> indexes = new ArrayList<>();
                for (int round = 0; round < 2; round++) {
                    List<Task<Integer>> ts = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        double arrive = i;
                        ts.add(Asyncio.createTask(() -> {
                            Asyncio.sleep(arrive);
                            return b.await();
                        }));
                    }
                    indexes.addAll(Asyncio.gather(ts).await());
                }
                assertEquals(List.of(0, 1, 2, 0, 1, 2), indexes);
                assertEquals(3, b.parties());
                assertEquals(0, b.waiting());
            });
        }

        @Test
        void abortBreaksItForWaitersAndLaterArrivalsUntilReset() {
            SyncLoops.run(() -> {
                Barrier b = new Barrier(3);
                Task<Integer> w = Asyncio.createTask(b::await);
                Asyncio.sleep(1);
                assertEquals(1, b.waiting());
                b.abort();
                assertThrows(BrokenBarrierException.class, w::await);
                assertTrue(b.isBroken());
                assertThrows(BrokenBarrierException.class, b::await);
                b.reset();
                assertFalse(b.isBroken());
                List<Task<Integer>> ts = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    ts.add(Asyncio.createTask(b::await));
                }
                assertEquals(3, Asyncio.gather(ts).await().size());
                assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
            });
        }

        @Test
        void resetWhileTasksWaitBreaksThem() {
            SyncLoops.run(() -> {
                Barrier b = new Barrier(3);
                Task<Integer> w1 = Asyncio.createTask(b::await);
                Task<Integer> w2 = Asyncio.createTask(b::await);
                Asyncio.sleep(1);
                b.reset();
                assertThrows(BrokenBarrierException.class, w1::await);
                assertThrows(BrokenBarrierException.class, w2::await);
                assertEquals(0, b.waiting());
            });
        }

        @Test
        void aCancelledWaiterLeavesAndTheOthersWaitForAFullParty() {
            SyncLoops.run(() -> {
                Barrier b = new Barrier(2);
                Task<Integer> gone = Asyncio.createTask(b::await);
                Asyncio.sleep(1);
                gone.cancel();
                assertThrows(CancelledError.class, gone::await);
                assertEquals(0, b.waiting());
                Task<Integer> x = Asyncio.createTask(b::await);
                Task<Integer> y = Asyncio.createTask(b::await);
                assertEquals(List.of(0, 1), Asyncio.gather(x, y).await());
            });
        }
    }

    @Nested
    class Limiter {
        @Test
        void borrowersAreKnownAndChecked() {
            SyncLoops.run(() -> {
                CapacityLimiter lim = new CapacityLimiter(2);
                Object job = "job-1";
                lim.acquireOnBehalfOf(job);
                lim.acquire();
                assertEquals(2, lim.borrowedTokens());
                assertEquals(0, lim.availableTokens());
                assertTrue(lim.borrowers().contains(job) && lim.borrowers().contains(Asyncio.currentTask()));
                assertThrows(IllegalStateException.class, () -> lim.acquireOnBehalfOf(job));
                assertThrows(IllegalStateException.class, () -> lim.releaseOnBehalfOf("someone else"));
                Task<Void> waiter = Asyncio.createTask(lim::acquire);
                Asyncio.sleep(1);
                assertEquals(1, lim.waiting());
                lim.setTotalTokens(3); // more tokens wake the waiter
                waiter.await();
                assertEquals(3, lim.borrowedTokens());
                lim.releaseOnBehalfOf(job);
                lim.release();
                assertThrows(IllegalArgumentException.class, () -> lim.setTotalTokens(0));
                EventLoop loop = Asyncio.getRunningLoop();
                assertTrue(lim.toString().contains("1/3"), lim + " on " + loop);
            });
        }
    }
}
