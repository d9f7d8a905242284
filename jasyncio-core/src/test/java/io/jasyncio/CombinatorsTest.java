package io.jasyncio;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio's sleep, gather, wait, wait_for, shield and as_completed. */
class CombinatorsTest {

    static Task<String> after(double seconds, String value) {
        return Asyncio.createTask(() -> Asyncio.sleep(seconds, value));
    }

    static Task<String> failAfter(double seconds, Exception e) {
        return Asyncio.createTask(() -> {
            Asyncio.sleep(seconds);
            throw e;
        });
    }

    @Nested
    class Sleep {
        @Test
        void sleepZeroYieldsToEveryReadyTaskInTurn() {
            Loops.run(() -> {
                List<String> seen = new ArrayList<>();
                List<Task<Void>> ts = new ArrayList<>();
                for (String name : List.of("a", "b", "c")) {
                    ts.add(Asyncio.createTask(() -> {
                        for (int i = 0; i < 3; i++) {
                            seen.add(name + i);
                            Asyncio.sleep(0);
                        }
                    }));
                }
                Asyncio.gather(ts).await();
                assertEquals(List.of("a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"), seen);
            });
        }

        @Test
        void sleepersWakeInDeadlineOrder() {
            Loops.run(() -> {
                List<String> seen = new ArrayList<>();
                List<Task<Void>> ts = new ArrayList<>();
                double[] delays = {0.03, 0.01, 0.02};
                for (int i = 0; i < 3; i++) {
                    double d = delays[i];
                    ts.add(Asyncio.createTask(() -> {
                        Asyncio.sleep(d);
                        seen.add(String.valueOf(d));
                    }));
                }
                Asyncio.gather(ts).await();
                assertEquals(List.of("0.01", "0.02", "0.03"), seen);
            });
        }

        @Test
        void sleepDoesNotReturnEarlyAndReturnsItsResult() {
            Loops.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                double start = loop.time();
                assertEquals("r", Asyncio.sleep(0.02, "r"));
                assertTrue(loop.time() - start >= 0.02 - 1e-6);
                Asyncio.sleep(Duration.ofMillis(5));
                Asyncio.sleep(Duration.ZERO);
            });
        }

        @Test
        void badDurationsAreRejected() {
            Loops.run(() -> {
                assertThrows(IllegalArgumentException.class, () -> Asyncio.sleep(-1));
                assertThrows(IllegalArgumentException.class, () -> Asyncio.sleep(Double.NaN));
                assertThrows(IllegalArgumentException.class, () -> Asyncio.sleep(Duration.ofSeconds(-1)));
            });
        }

        @Test
        void infiniteSleepEndsOnlyByCancellation() {
            Loops.run(() -> {
                Task<Void> t = Asyncio.createTask(() -> Asyncio.sleep(Double.POSITIVE_INFINITY));
                Asyncio.sleep(0.01);
                assertFalse(t.isDone());
                t.cancel();
                assertThrows(CancelledError.class, t::await);
            });
        }
    }

    @Nested
    class Gather {
        @Test
        void resultsComeInArgumentOrder() {
            Loops.run(() -> {
                List<String> r = Asyncio.gather(after(0.02, "slow"), after(0.0, "fast"), after(0.01, "mid")).await();
                assertEquals(List.of("slow", "fast", "mid"), r);
            });
        }

        @Test
        void gatherOfBodiesAndOfNothing() {
            Loops.run(() -> {
                List<Integer> r = Asyncio.gather(() -> 1, () -> 2).await();
                assertEquals(List.of(1, 2), r);
                assertEquals(List.of(), Asyncio.gather(List.<AsyncFuture<Integer>>of()).await());
            });
        }

        @Test
        void theSameFutureTwiceGivesItsResultTwice() {
            Loops.run(() -> {
                Task<String> t = after(0, "x");
                assertEquals(List.of("x", "x"), Asyncio.gather(t, t).await());
            });
        }

        @Test
        void theFirstExceptionFailsTheGatherAndTheOthersGoOn() {
            Loops.run(() -> {
                IOException io = new IOException("first");
                Task<String> slow = after(0.03, "slow");
                AsyncFuture<List<String>> g = Asyncio.gather(failAfter(0.01, io), slow);
                try {
                    g.await();
                    throw new AssertionError();
                } catch (Exception e) {
                    assertSame(io, e);
                }
                assertFalse(slow.isDone());
                assertEquals("slow", slow.await());
                assertFalse(g.cancel()); // already done: cancelling it no longer reaches the children
            });
        }

        @Test
        void returnExceptionsPutsFailuresInTheList() {
            Loops.run(() -> {
                IOException io = new IOException("e");
                Task<String> cancelled = after(10, "never");
                Asyncio.getRunningLoop().callSoon(() -> cancelled.cancel("c"));
                List<Object> r = Asyncio.gather(true, after(0, "ok"), failAfter(0, io), cancelled).await();
                assertEquals("ok", r.get(0));
                assertSame(io, r.get(1));
                assertInstanceOf(CancelledError.class, r.get(2));
                assertEquals("c", ((CancelledError) r.get(2)).getMessage());
            });
        }

        @Test
        void aCancelledChildCancelsTheGather() {
            Loops.run(() -> {
                Task<String> a = after(10, "a");
                Task<String> b = after(0.01, "b");
                AsyncFuture<List<String>> g = Asyncio.gather(a, b);
                Asyncio.sleep(0);
                a.cancel("child");
                assertThrows(CancelledError.class, g::await);
                assertTrue(g.isCancelled());
                assertEquals("b", b.await()); // the other child is not cancelled
            });
        }

        @Test
        void cancellingTheGatherCancelsTheChildrenEvenWithReturnExceptions() {
            Loops.run(() -> {
                Task<String> a = after(10, "a");
                Task<String> b = after(10, "b");
                AsyncFuture<List<Object>> g = Asyncio.gather(true, a, b);
                Asyncio.sleep(0);
                assertTrue(g.cancel("all"));
                assertThrows(CancelledError.class, g::await);
                assertTrue(a.isCancelled() && b.isCancelled());
            });
        }

        @Test
        void cancellingTheAwaitingTaskCancelsTheGatherAndChildren() {
            Loops.run(() -> {
                Task<String> a = after(10, "a");
                Task<List<String>> waiter = Asyncio.createTask(() -> Asyncio.gather(a).await());
                Asyncio.sleep(0);
                waiter.cancel();
                assertThrows(CancelledError.class, waiter::await);
                assertTrue(a.isCancelled());
            });
        }

        @Test
        void futuresOfDifferentLoopsAreRejected() {
            try (EventLoop other = EventLoop.newEventLoop()) {
                AsyncFuture<String> foreign = other.createFuture();
                Loops.run(() -> {
                    AsyncFuture<String> mine = Asyncio.getRunningLoop().createFuture();
                    assertThrows(IllegalArgumentException.class, () -> Asyncio.gather(mine, foreign));
                });
            }
        }
    }

    @Nested
    class Wait {
        @Test
        void firstCompletedReturnsAsSoonAsOneIsDoneAndCancelsNothing() {
            Loops.run(() -> {
                Task<String> fast = after(0.01, "fast");
                Task<String> slow = after(10, "slow");
                WaitResult<Task<String>> r = Asyncio.wait(List.of(slow, fast), ReturnWhen.FIRST_COMPLETED);
                assertEquals(List.of(fast), List.copyOf(r.done()));
                assertEquals(List.of(slow), List.copyOf(r.pending()));
                assertFalse(slow.isCancelled());
                slow.cancel();
            });
        }

        @Test
        void firstExceptionReturnsOnAFailure() {
            Loops.run(() -> {
                Task<String> ok = after(0.0, "ok");
                Task<String> bad = failAfter(0.01, new IOException("x"));
                Task<String> slow = after(10, "slow");
                WaitResult<Task<String>> r = Asyncio.wait(List.of(ok, bad, slow), ReturnWhen.FIRST_EXCEPTION);
                assertEquals(List.of(ok, bad), List.copyOf(r.done()));
                assertEquals(List.of(slow), List.copyOf(r.pending()));
                slow.cancel();
            });
        }

        @Test
        void firstExceptionWithoutFailuresWaitsForAll() {
            Loops.run(() -> {
                WaitResult<Task<String>> r = Asyncio.wait(List.of(after(0.01, "a"), after(0.0, "b")), ReturnWhen.FIRST_EXCEPTION);
                assertEquals(2, r.done().size());
                assertTrue(r.pending().isEmpty());
            });
        }

        @Test
        void allCompletedAndTimeoutLeavesThePendingRunning() {
            Loops.run(() -> {
                Task<String> a = after(0.0, "a");
                Task<String> slow = after(10, "slow");
                WaitResult<Task<String>> r = Asyncio.wait(List.of(a, slow), ReturnWhen.ALL_COMPLETED, 0.02);
                assertEquals(List.of(a), List.copyOf(r.done()));
                assertEquals(List.of(slow), List.copyOf(r.pending()));
                assertFalse(slow.isDone());
                slow.cancel();
                assertEquals(2, Asyncio.wait(List.of(a, slow)).done().size());
            });
        }

        @Test
        void badArguments() {
            Loops.run(() -> {
                assertThrows(IllegalArgumentException.class, () -> Asyncio.wait(List.<Task<String>>of()));
                Task<String> a = after(0, "a");
                assertThrows(IllegalArgumentException.class, () -> Asyncio.wait(List.of(a), ReturnWhen.ALL_COMPLETED, -1));
                a.await();
            });
        }

        @Test
        void cancellingTheWaiterDoesNotCancelTheFutures() {
            Loops.run(() -> {
                Task<String> slow = after(10, "slow");
                Task<WaitResult<Task<String>>> w = Asyncio.createTask(() -> Asyncio.wait(List.of(slow)));
                Asyncio.sleep(0);
                w.cancel();
                assertThrows(CancelledError.class, w::await);
                assertFalse(slow.isDone());
                slow.cancel();
            });
        }
    }

    @Nested
    class WaitFor {
        @Test
        void returnsTheResultInTime() {
            Loops.run(() -> {
                assertEquals("a", Asyncio.waitFor(after(0.01, "a"), 5));
                assertEquals(3, Asyncio.<Integer>waitFor(() -> 3, 5));
                assertEquals("b", Asyncio.waitFor(after(0, "b"), Duration.ofSeconds(5)));
                assertEquals("c", Asyncio.waitFor(after(0, "c"), Double.POSITIVE_INFINITY));
            });
        }

        @Test
        void onTimeoutTheInnerIsCancelledAndFinishedBeforeTheError() {
            Loops.run(() -> {
                Order o = new Order();
                Task<String> inner = Asyncio.createTask(() -> {
                    try {
                        Asyncio.sleep(10);
                        return "late";
                    } catch (CancelledError e) {
                        Asyncio.sleep(0.01); // cleanup that takes time
                        o.expect(1);
                        throw e;
                    }
                });
                assertThrows(AsyncTimeoutException.class, () -> Asyncio.waitFor(inner, 0.01));
                o.expect(2);
                assertTrue(inner.isCancelled());
            });
        }

        @Test
        void timeoutZero() {
            Loops.run(() -> {
                Task<String> done = after(0, "d");
                done.await();
                assertEquals("d", Asyncio.waitFor(done, 0));
                Task<String> pending = after(10, "p");
                assertThrows(AsyncTimeoutException.class, () -> Asyncio.waitFor(pending, 0));
                assertTrue(pending.isCancelled());
            });
        }

        @Test
        void cancellingTheCallerCancelsTheInner() {
            Loops.run(() -> {
                Task<String> inner = after(10, "x");
                Task<String> outer = Asyncio.createTask(() -> Asyncio.waitFor(inner, 5));
                Asyncio.sleep(0);
                outer.cancel();
                assertThrows(CancelledError.class, outer::await);
                assertTrue(inner.isCancelled());
            });
        }

        @Test
        void anInnerThatSwallowsTheCancellationReturnsItsResult() {
            Loops.run(() -> {
                Task<String> inner = Asyncio.createTask(() -> {
                    try {
                        Asyncio.sleep(10);
                        return "slept";
                    } catch (CancelledError e) {
                        return "refused";
                    }
                });
                assertEquals("refused", Asyncio.waitFor(inner, 0.01));
            });
        }

        @Test
        void completionRacingTheDeadlineKeepsTheResult() {
            // The inner future completes in the same iteration as the deadline fires: the result wins.
            Loops.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                AsyncFuture<String> f = loop.createFuture();
                double deadline = loop.time() + 0.02;
                loop.callAt(deadline, () -> f.setResult("just in time"));
                // waitFor's own timer is scheduled after ours for the same instant.
                assertEquals("just in time", Asyncio.timeoutAt(deadline).run(f::await));
            });
        }

        @Test
        void badTimeouts() {
            Loops.run(() -> {
                Task<String> t = after(0, "x");
                assertThrows(IllegalArgumentException.class, () -> Asyncio.waitFor(t, -0.5));
                assertThrows(IllegalArgumentException.class, () -> Asyncio.waitFor(t, Double.NaN));
                t.await();
            });
        }
    }

    @Nested
    class Shield {
        @Test
        void cancellingTheCallerDoesNotCancelTheShieldedTask() {
            Loops.run(() -> {
                Task<String> inner = after(0.02, "inner");
                Task<String> outer = Asyncio.createTask(() -> Asyncio.shield(inner).await());
                Asyncio.sleep(0);
                outer.cancel();
                assertThrows(CancelledError.class, outer::await);
                assertFalse(inner.isCancelled());
                assertEquals("inner", inner.await());
            });
        }

        @Test
        void shieldPassesResultsAndExceptionsThrough() {
            Loops.run(() -> {
                assertEquals("v", Asyncio.shield(after(0.001, "v")).await());
                IOException io = new IOException("e");
                try {
                    Asyncio.shield(failAfter(0.001, io)).await();
                    throw new AssertionError();
                } catch (Exception e) {
                    assertSame(io, e);
                }
            });
        }

        @Test
        void cancellingTheInnerCancelsTheOuter() {
            Loops.run(() -> {
                Task<String> inner = after(10, "x");
                AsyncFuture<String> outer = Asyncio.shield(inner);
                inner.cancel();
                assertThrows(CancelledError.class, outer::await);
                assertTrue(outer.isCancelled());
            });
        }

        @Test
        void aDoneFutureIsReturnedAsIs() {
            Loops.run(() -> {
                Task<String> t = after(0, "d");
                t.await();
                assertSame(t, Asyncio.shield(t));
            });
        }
    }

    @Nested
    class AsCompleted {
        @Test
        void handsBackTheOriginalTasksInCompletionOrder() {
            Loops.run(() -> {
                Task<String> c = after(0.03, "c");
                Task<String> a = after(0.01, "a");
                Task<String> b = after(0.02, "b");
                List<Task<String>> order = new ArrayList<>();
                for (Task<String> t : Asyncio.asCompleted(List.of(c, a, b, a))) {
                    order.add(t);
                }
                assertEquals(List.of(a, b, c), order);
            });
        }

        @Test
        void theOverallTimeoutRaisesAndCancelsNothing() {
            Loops.run(() -> {
                Task<String> fast = after(0, "fast");
                Task<String> slow = after(10, "slow");
                Iterator<Task<String>> it = Asyncio.asCompleted(List.of(slow, fast), 0.02).iterator();
                assertSame(fast, it.next());
                assertTrue(it.hasNext());
                assertThrows(AsyncTimeoutException.class, it::next);
                assertFalse(slow.isCancelled());
                slow.cancel();
            });
        }

        @Test
        void iteratedAgainItResumesAndGivesNoMoreThanThereAre() {
            Loops.run(() -> {
                Iterable<Task<String>> it = Asyncio.asCompleted(List.of(after(0, "x")));
                Iterator<Task<String>> i = it.iterator();
                assertSame(i, it.iterator()); // asyncio's iterator is its own __iter__: it resumes
                i.next();
                assertFalse(i.hasNext());
                assertThrows(NoSuchElementException.class, i::next);
                assertFalse(Asyncio.asCompleted(List.<Task<String>>of()).iterator().hasNext());
            });
        }
    }
}
