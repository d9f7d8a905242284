package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio's Task: scheduling, names, cancellation (3.11+ semantics), eager start, stacks. */
class TaskTest {

    @Test
    void taskStartsOnTheNextIterationNotInline() {
        Loops.run(() -> {
            Order o = new Order();
            Task<String> t = Asyncio.createTask(() -> {
                o.expect(2);
                return "r";
            });
            o.expect(1);
            assertEquals("r", t.await());
            o.finish(3);
        });
    }

    @Test
    void namesCurrentTaskAndAllTasks() {
        Loops.run(() -> {
            Task<?> main = Asyncio.currentTask();
            assertTrue(main.getName().startsWith("Task-"));
            Task<Task<?>> t = Asyncio.createTask("worker", () -> {
                Asyncio.sleep(0);
                return Asyncio.currentTask();
            });
            assertEquals("worker", t.getName());
            t.setName("renamed");
            Set<Task<?>> all = Asyncio.allTasks();
            assertTrue(all.contains(t) && all.contains(main));
            assertSame(t, t.await());
            assertFalse(Asyncio.allTasks().contains(t));
            assertSame(main, Asyncio.currentTask());
            assertTrue(t.toString().contains("renamed"));
        });
    }

    @Test
    void cancelBeforeStartNeverRunsTheBody() {
        Loops.run(() -> {
            boolean[] ran = {false};
            Task<Void> t = Asyncio.createTask(() -> {
                ran[0] = true;
            });
            assertTrue(t.cancel("early"));
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("early", e.getMessage());
            assertTrue(t.isCancelled());
            assertFalse(ran[0]);
        });
    }

    @Test
    void cancelDeliversCancelledErrorAtTheAwaitPoint() {
        Loops.run(() -> {
            Order o = new Order();
            Task<Void> t = Asyncio.createTask(() -> {
                try {
                    o.expect(2);
                    Asyncio.sleep(10);
                    throw new AssertionError("not cancelled");
                } catch (CancelledError e) {
                    o.expect(4);
                    assertEquals("stop", e.getMessage());
                    throw e;
                } finally {
                    o.expect(5);
                }
            });
            o.expect(1);
            Asyncio.sleep(0);
            o.expect(3);
            assertTrue(t.cancel("stop"));
            assertEquals(1, t.cancelling());
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("stop", e.getMessage());
            assertTrue(t.isCancelled());
            o.finish(6);
        });
    }

    @Test
    void catchingExceptionDoesNotSwallowCancellation() {
        Loops.run(() -> {
            Task<String> t = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(10);
                } catch (Exception e) {
                    return "swallowed";
                }
                return "not cancelled";
            });
            Asyncio.sleep(0);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
        });
    }

    @Test
    void aTaskMayCatchCancellationAndCarryOn() {
        Loops.run(() -> {
            Task<String> t = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(10);
                } catch (CancelledError e) {
                    Asyncio.sleep(0);
                    return "survived";
                }
                return "not cancelled";
            });
            Asyncio.sleep(0);
            t.cancel();
            assertEquals("survived", t.await());
            assertFalse(t.isCancelled());
            assertEquals(1, t.cancelling());
        });
    }

    @Test
    void cancellingATaskCancelsTheTaskItAwaits() {
        Loops.run(() -> {
            Order o = new Order();
            Task<Void> inner = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(10);
                } catch (CancelledError e) {
                    o.expect(2);
                    throw e;
                }
            });
            Task<Void> outer = Asyncio.createTask(() -> {
                inner.await();
            });
            Asyncio.sleep(0);
            o.expect(1);
            outer.cancel("from main");
            assertThrows(CancelledError.class, outer::await);
            o.expect(3);
            assertTrue(inner.isCancelled());
            assertEquals("from main", assertThrows(CancelledError.class, inner::result).getMessage());
        });
    }

    @Test
    void anInnerTaskThatRefusesCancellationGivesItsResult() {
        // asyncio: task.cancel() cancels the awaited task; if that one swallows it, the outer gets its result.
        Loops.run(() -> {
            Task<String> inner = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(10);
                    return "slept";
                } catch (CancelledError e) {
                    return "refused";
                }
            });
            Task<String> outer = Asyncio.createTask(inner::await);
            Asyncio.sleep(0);
            outer.cancel();
            assertEquals("refused", outer.await());
            assertFalse(outer.isCancelled());
        });
    }

    @Test
    void cancellationDuringCancellation() {
        Loops.run(() -> {
            Order o = new Order();
            Task<Void> t = Asyncio.createTask(() -> {
                try {
                    Asyncio.sleep(10);
                } catch (CancelledError first) {
                    o.expect(2);
                    try {
                        Asyncio.sleep(10); // cleanup that awaits
                    } catch (CancelledError second) {
                        o.expect(4);
                        throw second;
                    }
                }
            });
            Asyncio.sleep(0);
            o.expect(1);
            t.cancel("one");
            Asyncio.sleep(0);
            o.expect(3);
            t.cancel("two");
            assertEquals(2, t.cancelling());
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("two", e.getMessage());
            o.finish(5);
        });
    }

    @Test
    void cancelReturnsFalseOnceDone() {
        Loops.run(() -> {
            Task<Integer> t = Asyncio.createTask(() -> 1);
            assertEquals(1, t.await());
            assertFalse(t.cancel());
            assertEquals(0, t.cancelling());
        });
    }

    @Test
    void aRunningTaskIsCancelledAtItsNextSuspensionNotAtDoneFutures() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Order o = new Order();
            Task<Void> t = Asyncio.createTask(() -> {
                Asyncio.currentTask().cancel("self");
                o.expect(1);
                AsyncFuture<Integer> done = loop.createFuture();
                done.setResult(5);
                assertEquals(5, done.await()); // a done future is not a cancellation point
                o.expect(2);
                try {
                    Asyncio.sleep(0);
                } catch (CancelledError e) {
                    o.expect(3);
                    assertEquals("self", e.getMessage());
                    throw e;
                }
            });
            assertThrows(CancelledError.class, t::await);
            o.finish(4);
        });
    }

    @Test
    void aCancelRequestedWhileAwaitingAPendingFutureCancelsItAtOnce() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<Integer> f = loop.createFuture();
            Task<Integer> t = Asyncio.createTask(() -> {
                Asyncio.currentTask().cancel();
                return f.await();
            });
            assertThrows(CancelledError.class, t::await);
            assertTrue(f.isCancelled());
        });
    }

    @Test
    void uncancelWithdrawsAPendingCancellation() {
        Loops.run(() -> {
            Task<String> t = Asyncio.createTask(() -> {
                Task<?> me = Asyncio.currentTask();
                me.cancel();
                assertEquals(1, me.cancelling());
                assertEquals(0, me.uncancel());
                assertEquals(0, me.uncancel());
                Asyncio.sleep(0); // no longer raises
                return "ok";
            });
            assertEquals("ok", t.await());
        });
    }

    @Test
    void aTaskCancelledRightBeforeItReturnsIsCancelled() {
        Loops.run(() -> {
            Task<String> t = Asyncio.createTask(() -> {
                Asyncio.currentTask().cancel("late");
                return "value";
            });
            assertEquals("late", assertThrows(CancelledError.class, t::await).getMessage());
            assertTrue(t.isCancelled());
        });
    }

    @Test
    void aCompletedResultWinsOverACancellationThatArrivesBeforeTheTaskResumes() {
        // Deliberate difference from asyncio: the await returns the outcome; the cancellation
        // comes at the next suspension, so nothing completed is thrown away.
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<String> f = loop.createFuture();
            Order o = new Order();
            Task<Void> t = Asyncio.createTask(() -> {
                o.expect(1);
                assertEquals("result", f.await());
                o.expect(3);
                try {
                    Asyncio.sleep(0);
                } catch (CancelledError e) {
                    o.expect(4);
                    throw e;
                }
            });
            Asyncio.sleep(0);
            f.setResult("result");   // t's wake-up is now scheduled
            t.cancel();              // and the cancel arrives before it runs
            o.expect(2);
            assertThrows(CancelledError.class, t::await);
            o.finish(5);
        });
    }

    @Test
    void aTaskCannotAwaitItself() {
        Loops.run(() -> {
            Task<Object> t = Asyncio.createTask(() -> {
                Task<?> me = Asyncio.currentTask();
                return me.await();
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, t::await);
            assertTrue(e.getMessage().contains("cannot await on itself"), e.getMessage());
        });
    }

    @Test
    void tasksDoNotSupportSetResult() {
        Loops.run(() -> {
            Task<Integer> t = Asyncio.createTask(() -> 1);
            assertThrows(UnsupportedOperationException.class, () -> t.setResult(2));
            assertThrows(UnsupportedOperationException.class, () -> t.setException(new RuntimeException()));
            assertEquals(1, t.await());
        });
    }

    @Test
    void exceptionsAreStoredAndRethrownToAwaiters() {
        Loops.run(() -> {
            IOException io = new IOException("x");
            Task<Void> t = Asyncio.createTask(() -> {
                throw io;
            });
            try {
                t.await();
                throw new AssertionError();
            } catch (Exception e) {
                assertSame(io, e);
            }
            assertSame(io, t.exception());
        });
    }

    @Test
    void awaitWorksAtAnyDepthOfTheCallStack() {
        Loops.run(() -> {
            Task<Integer> t = Asyncio.createTask(() -> deep(200));
            assertEquals(200, t.await());
        });
    }

    private static int deep(int n) {
        if (n == 0) {
            Asyncio.sleep(0);
            return 0;
        }
        return 1 + deep(n - 1);
    }

    @Test
    void stackShowsWhereATaskIsSuspended() {
        Loops.run(() -> {
            Task<Void> t = Asyncio.createTask(this::parkedHere);
            Asyncio.sleep(0);
            List<StackTraceElement> stack = t.getStack();
            assertFalse(stack.isEmpty());
            assertTrue(stack.stream().anyMatch(e -> e.getMethodName().equals("parkedHere")), stack.toString());
            assertTrue(stack.stream().noneMatch(e -> e.getClassName().equals("io.jasyncio.EventLoop")), stack.toString());
            assertTrue(t.getStack(1).size() == 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            t.printStack(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("parkedHere"));
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.getStack().isEmpty());
        });
    }

    private void parkedHere() {
        Asyncio.sleep(10);
    }

    @Test
    void eagerTaskRunsInsideCreateTaskUntilItsFirstSuspension() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Order o = new Order();
            Task<?> main = Asyncio.currentTask();
            Task<String> t = loop.createTask("eager", true, () -> {
                o.expect(1);
                assertEquals("eager", Asyncio.currentTask().getName());
                Asyncio.sleep(0);
                o.expect(3);
                return "r";
            });
            o.expect(2);
            assertSame(main, Asyncio.currentTask());
            assertFalse(t.isDone());
            assertEquals("r", t.await());
            o.finish(4);
        });
    }

    @Test
    void eagerTaskThatNeverSuspendsIsDoneAtOnce() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            loop.setEagerTaskStart(true);
            assertTrue(loop.isEagerTaskStart());
            Task<Integer> t = Asyncio.createTask(() -> 7);
            assertTrue(t.isDone());
            assertEquals(7, t.result());
            Task<Integer> failing = Asyncio.createTask(() -> {
                throw new IllegalArgumentException("eager failure");
            });
            assertTrue(failing.isDone());
            assertThrows(IllegalArgumentException.class, failing::result);
            loop.setEagerTaskStart(false);
        });
    }

    @Test
    void eagerTaskFromACallback() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<Task<String>> made = loop.createFuture();
            Order o = new Order();
            loop.callSoon(() -> {
                Task<String> t = loop.createTask(null, true, () -> {
                    o.expect(1);
                    Asyncio.sleep(0);
                    return "x";
                });
                o.expect(2);
                assertNull(loop.currentTask());
                made.setResult(t);
            });
            assertEquals("x", made.await().await());
            o.finish(3);
        });
    }

    @Test
    void nestedEagerTasks() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Order o = new Order();
            Task<String> outer = loop.createTask(null, true, () -> {
                o.expect(1);
                Task<String> inner = loop.createTask(null, true, () -> {
                    o.expect(2);
                    Asyncio.sleep(0);
                    o.expect(5);
                    return "in";
                });
                o.expect(3);
                return inner.await() + "+out";
            });
            o.expect(4);
            assertEquals("in+out", outer.await());
            o.finish(6);
        });
    }

    @Test
    void aFireAndForgetTaskIsNotCollected() {
        Loops.run(() -> {
            boolean[] finished = {false};
            Asyncio.createTask(() -> {
                Asyncio.sleep(0.02);
                finished[0] = true;
            });
            for (int i = 0; i < 5; i++) {
                System.gc();
                Asyncio.sleep(0.01);
            }
            Asyncio.sleep(0.03);
            assertTrue(finished[0]);
        });
    }

    @Test
    void aBlockingCallInATaskFreezesTheLoop() {
        // Semantics 7: no other task or callback runs while a task blocks in a JDK call.
        Loops.run(() -> {
            int[] ticks = {0};
            Task<Void> ticker = Asyncio.createTask(() -> {
                while (true) {
                    ticks[0]++;
                    Asyncio.sleep(0);
                }
            });
            Asyncio.sleep(0);
            int before = ticks[0];
            Thread.sleep(30);
            assertEquals(before, ticks[0], "another task ran while this one blocked");
            Asyncio.sleep(0);
            assertTrue(ticks[0] > before);
            ticker.cancel();
            assertThrows(CancelledError.class, ticker::await);
        });
    }

    @Test
    void interruptStatusOfATaskSurvivesSuspension() {
        Loops.run(() -> {
            Thread.currentThread().interrupt();
            Asyncio.sleep(0.005);
            Asyncio.sleep(0);
            assertTrue(Thread.interrupted());
        });
    }
}
