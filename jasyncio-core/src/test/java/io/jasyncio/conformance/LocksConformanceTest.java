package io.jasyncio.conformance;

import io.jasyncio.AsyncFuture;
import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.TaskGroup;
import io.jasyncio.sync.AsyncBoundedSemaphore;
import io.jasyncio.sync.AsyncCondition;
import io.jasyncio.sync.AsyncLock;
import io.jasyncio.sync.AsyncSemaphore;
import io.jasyncio.sync.Barrier;
import io.jasyncio.sync.BrokenBarrierException;
import io.jasyncio.sync.Event;
import io.jasyncio.sync.Held;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static io.jasyncio.conformance.Conformance.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPython's lock, condition and semaphore cancellation cases ({@code Lib/test/test_asyncio/test_locks.py},
 * 3.12 and 3.13), each named after the case it mirrors. The rule they pin: a waiter cancelled
 * after it was granted the lock, a permit or a notification, but before it resumed, raises
 * {@link CancelledError} and the grant passes to the next waiter. Where CPython peeks at
 * {@code _waiters}, these look at what a user can see. jasyncio's lock has an owner, so a case that
 * releases a lock from a task other than its holder is ported with the holder releasing it.
 *
 * <p>Cases skipped, with why they have no Java meaning: every {@code test_repr} (Lock, Event,
 * Condition, Semaphore, Barrier: {@code __repr__} formats); {@code test_lock},
 * {@code test_semaphore}, {@code test_barrier} and {@code test_lock_by_with_statement}
 * ({@code await lock} and {@code with await lock} are a Python {@code TypeError}; Java has no
 * such expression); {@code test_lock_doesnt_accept_loop_parameter} and {@code test_ambiguous_loops}
 * ({@code loop=} arguments, removed in 3.10, and a private {@code _loop} rebound by hand).
 * Not yet ported: ConditionTests' {@code test_wait} (it releases the waiters' lock from the main
 * task, as {@code test_acquire} does), and BarrierTests' {@code test_draining_state} and the four
 * half-draining reset/abort cases.
 */
@Timeout(60)
class LocksConformanceTest {

    @Nested
    class LockTests {
        @Test
        void test_acquire_cancel() {
            run(() -> {
                AsyncLock lock = new AsyncLock();
                lock.acquire();
                Task<Void> task = Asyncio.createTask(lock::acquire);
                Asyncio.getRunningLoop().callSoon(task::cancel);
                assertThrows(CancelledError.class, task::await);
                assertTrue(lock.toString().contains("waiters=0"), lock.toString());
                lock.release();
                assertTrue(lock.tryAcquire(), "nobody else holds it");
            });
        }

        @Test
        void test_cancel_race() {
            // A holds the lock, B and C wait; then, at once, B is cancelled and A releases.
            // The lock must skip B's cancelled waiter and go to C.
            run(() -> {
                AsyncLock lock = new AsyncLock();
                EventLoop loop = Asyncio.getRunningLoop();
                AsyncFuture<Void> fa = loop.createFuture();
                Task<Void> ta = Asyncio.createTask(() -> lockit(lock, fa));
                Asyncio.sleep(0);
                assertTrue(lock.isLocked());
                Task<Void> tb = Asyncio.createTask(() -> lockit(lock, null));
                Asyncio.sleep(0);
                Task<Void> tc = Asyncio.createTask(() -> lockit(lock, null));
                Asyncio.sleep(0);
                fa.setResult(null);
                tb.cancel();
                Asyncio.sleep(0);
                assertFalse(lock.isLocked());
                assertTrue(ta.isDone());
                assertTrue(tb.isCancelled());
                tc.await();
            });
        }

        private void lockit(AsyncLock lock, AsyncFuture<Void> blocker) {
            lock.acquire();
            try {
                if (blocker != null) {
                    blocker.await();
                }
            } finally {
                lock.release();
            }
        }

        @Test
        void test_cancel_release_race() {
            // Issue 32734: three wait, the first is cancelled as the lock is released: only one
            // of the others takes it.
            run(() -> {
                AsyncLock lock = new AsyncLock();
                int[] lockCount = new int[1];
                int[] callCount = new int[1];
                lock.acquire();
                List<Task<Void>> t = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    t.add(Asyncio.createTask(() -> {
                        callCount[0]++;
                        lock.acquire();
                        lockCount[0]++;
                    }));
                }
                Asyncio.sleep(0);
                Task<?> main = Task.current();
                Asyncio.getRunningLoop().callSoon(() -> t.get(0).cancel());
                Asyncio.sleep(0);       // the cancel runs; then we release, in the same turn
                lock.release();
                assertThrows(CancelledError.class, t.get(0)::await);
                Asyncio.sleep(0);
                assertEquals(1, lockCount[0], "only one lock was taken");
                assertEquals(3, callCount[0]);
                assertTrue(t.get(0).isCancelled() && t.get(1).isDone());
                t.get(2).cancel();
                Asyncio.sleep(0);
                assertTrue(t.get(2).isCancelled());
                assertSame(main, Task.current());
            });
        }

        @Test
        void test_finished_waiter_cancelled() {
            run(() -> {
                AsyncLock lock = new AsyncLock();
                lock.acquire();
                Task<Void> tb = Asyncio.createTask(() -> {
                    lock.acquire();
                    lock.release();
                });
                Asyncio.sleep(0);
                // A second waiter; wake the first and cancel it. The second must not be left waiting.
                Task<Boolean> tc = Asyncio.createTask(() -> {
                    lock.acquire();
                    boolean locked = lock.isLocked();
                    lock.release();
                    return locked;
                });
                tb.cancel();
                lock.release();
                Asyncio.sleep(0);
                assertTrue(tb.isCancelled());
                assertTrue(tc.await());
            });
        }

        @Test
        void aLockHandedOverAsItsWaiterIsCancelledGoesToTheNextWaiter() {
            // Not in CPython's file, but its rule: the lock handed to b, cancelled before it
            // resumed, goes to c; b's acquire raises and b never held it.
            run(() -> {
                Conformance.Order order = new Conformance.Order();
                AsyncLock lock = new AsyncLock();
                lock.acquire();
                Task<Void> b = Asyncio.createTask(() -> {
                    order.expect(2);
                    try {
                        lock.acquire();
                    } catch (CancelledError e) {
                        order.expect(6);   // after c got the lock it passed on
                        assertFalse(lock.isHeldByCurrentTask());
                        throw e;
                    }
                    order.expect(-1); // not reached
                });
                Task<Void> c = Asyncio.createTask(() -> {
                    order.expect(3);
                    lock.acquire();
                    order.expect(5);
                    lock.release();
                });
                order.expect(1);
                Asyncio.sleep(0);
                order.expect(4);
                lock.release();  // hands the lock to b...
                b.cancel();      // ...cancelled before it runs
                assertThrows(CancelledError.class, b::await);
                c.await();
                order.finish(7);
                assertFalse(lock.isLocked());
            });
        }

        @Test
        void test_release_not_acquired() {
            run(() -> {
                AsyncLock lock = new AsyncLock();
                assertThrows(IllegalStateException.class, lock::release);
            });
        }

        @Test
        void test_release_no_waiters() {
            run(() -> {
                AsyncLock lock = new AsyncLock();
                lock.acquire();
                assertTrue(lock.isLocked());
                lock.release();
                assertFalse(lock.isLocked());
            });
        }

        /** test_context_manager: {@code async with lock} is {@code try (Held h = lock.hold())}. */
        @Test
        void test_context_manager() {
            run(() -> {
                AsyncLock lock = new AsyncLock();
                assertFalse(lock.isLocked());
                try (Held h = lock.hold()) {
                    assertTrue(lock.isLocked());
                }
                assertFalse(lock.isLocked());
            });
        }

        /**
         * test_acquire. Pinned difference (docs/differences.md, "Coordination": a lock is released
         * by its holder): CPython's main task releases the lock each waiter took; here each holder
         * releases it when the main task says so, and a release by the main task is refused.
         */
        @Test
        void test_acquire() {
            run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                AsyncLock lock = new AsyncLock();
                List<Integer> result = new ArrayList<>();
                List<AsyncFuture<Void>> releaseNow = new ArrayList<>();
                List<Task<Boolean>> tasks = new ArrayList<>();
                lock.acquire();
                for (int i = 1; i <= 3; i++) {
                    releaseNow.add(loop.createFuture());
                }
                java.util.function.IntFunction<Task<Boolean>> c = tag -> Asyncio.createTask(() -> {
                    lock.acquire();
                    result.add(tag);
                    releaseNow.get(tag - 1).await();
                    lock.release();
                    return true;
                });
                tasks.add(c.apply(1));
                tasks.add(c.apply(2));
                Asyncio.sleep(0);
                assertEquals(List.of(), result);
                lock.release();
                Asyncio.sleep(0);
                assertEquals(List.of(1), result);
                Asyncio.sleep(0);
                assertEquals(List.of(1), result);
                // The difference: only the holder may release.
                assertThrows(IllegalStateException.class, lock::release);
                tasks.add(c.apply(3));
                releaseNow.get(0).setResult(null);
                Asyncio.sleep(0);
                Asyncio.sleep(0);
                assertEquals(List.of(1, 2), result);
                releaseNow.get(1).setResult(null);
                Asyncio.sleep(0);
                Asyncio.sleep(0);
                assertEquals(List.of(1, 2, 3), result);
                releaseNow.get(2).setResult(null);
                for (Task<Boolean> t : tasks) {
                    assertTrue(t.await());
                }
                assertFalse(lock.isLocked());
            });
        }
    }

    @Nested
    class EventTests {
        @Test
        void test_wait() {
            run(() -> {
                Event ev = new Event();
                assertFalse(ev.isSet());
                List<Integer> result = new ArrayList<>();
                Task<Void> t1 = Asyncio.createTask(() -> {
                    ev.await();
                    result.add(1);
                });
                Task<Void> t2 = Asyncio.createTask(() -> {
                    ev.await();
                    result.add(2);
                });
                Asyncio.sleep(0);
                assertEquals(List.of(), result);
                Task<Void> t3 = Asyncio.createTask(() -> {
                    ev.await();
                    result.add(3);
                });
                ev.set();
                Asyncio.sleep(0);
                // t3's first step was queued before set() woke t1 and t2, and finds the event set.
                assertEquals(List.of(3, 1, 2), result);
                assertTrue(t1.isDone() && t2.isDone() && t3.isDone());
                assertEquals(null, t1.result());
            });
        }

        @Test
        void test_wait_on_set() {
            run(() -> {
                Event ev = new Event();
                ev.set();
                ev.await();
                assertTrue(ev.isSet());
            });
        }

        @Test
        void test_wait_cancel() {
            run(() -> {
                Event ev = new Event();
                Task<Void> wait = Asyncio.createTask(ev::await);
                Asyncio.getRunningLoop().callSoon(wait::cancel);
                assertThrows(CancelledError.class, wait::await);
                // CPython checks that _waiters is empty: a set() now wakes nobody and fails nothing.
                ev.set();
                Asyncio.sleep(0);
                assertTrue(wait.isCancelled());
            });
        }

        @Test
        void test_clear() {
            run(() -> {
                Event ev = new Event();
                assertFalse(ev.isSet());
                ev.set();
                assertTrue(ev.isSet());
                ev.clear();
                assertFalse(ev.isSet());
            });
        }

        @Test
        void test_clear_with_waiters() {
            run(() -> {
                Event ev = new Event();
                List<Integer> result = new ArrayList<>();
                Task<Boolean> t = Asyncio.createTask(() -> {
                    ev.await();
                    result.add(1);
                    return true;
                });
                Asyncio.sleep(0);
                assertEquals(List.of(), result);
                // A waiter woken by set() returns even though the event is cleared before it runs.
                ev.set();
                ev.clear();
                assertFalse(ev.isSet());
                ev.set();
                ev.set();
                Asyncio.sleep(0);
                assertEquals(List.of(1), result);
                assertTrue(t.isDone());
                assertTrue(t.result());
            });
        }
    }

    @Nested
    class ConditionTests {
        @Test
        void test_wait_cancel() {
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                Task<Boolean> wait = Asyncio.createTask(() -> {
                    try (Held h = cond.hold()) {
                        try {
                            cond.await();
                        } finally {
                            assertTrue(cond.lock().isHeldByCurrentTask(), "the lock is held again");
                        }
                    }
                    return true;
                });
                Asyncio.sleep(0);
                Asyncio.getRunningLoop().callSoon(wait::cancel);
                assertThrows(CancelledError.class, wait::await);
                assertTrue(cond.toString().contains("waiters=0"), cond.toString());
                assertFalse(cond.lock().isLocked());
            });
        }

        @Test
        void test_wait_cancel_contested() {
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                boolean[] heldAtTheEnd = new boolean[1];
                Task<Void> waitTask = Asyncio.createTask(() -> {
                    cond.acquire();
                    try {
                        cond.await();
                    } finally {
                        heldAtTheEnd[0] = cond.lock().isHeldByCurrentTask();
                        cond.release();
                    }
                });
                Asyncio.sleep(0);
                assertFalse(cond.lock().isLocked());
                // Notify, but contest the lock before cancelling.
                cond.acquire();
                assertTrue(cond.lock().isLocked());
                cond.notifyOne();
                Asyncio.getRunningLoop().callSoon(waitTask::cancel);
                cond.release();
                try {
                    waitTask.await();
                } catch (CancelledError e) {
                    // allowed: the cancellation came before the waiter resumed
                }
                assertTrue(heldAtTheEnd[0], "the waiter held the lock when its wait ended, however it ended");
                assertFalse(cond.lock().isLocked());
            });
        }

        @Test
        void test_wait_cancel_after_notify() {
            // bpo-32841
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                boolean[] waited = new boolean[1];
                Task<Void> waiter = Asyncio.createTask(() -> {
                    try (Held h = cond.hold()) {
                        waited[0] = true;
                        cond.await();
                    }
                });
                Asyncio.sleep(0);  // start waiting
                cond.acquire();
                cond.notifyOne();
                Asyncio.sleep(0);  // the waiter gets to re-acquiring
                waiter.cancel();
                Asyncio.sleep(0);  // activate the cancellation
                cond.release();
                Asyncio.sleep(0);  // the cancellation should occur
                Asyncio.sleep(0);
                assertTrue(waiter.isCancelled());
                assertTrue(waited[0]);
                assertFalse(cond.lock().isLocked());
            });
        }

        @Test
        void test_timeout_in_block() {
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                try (Held h = cond.hold()) {
                    AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                            () -> Asyncio.timeout(0.5).run(() -> cond.await()));
                    assertTrue(cond.lock().isHeldByCurrentTask(), "the lock is held again when the timeout error leaves: " + e);
                }
                assertFalse(cond.lock().isLocked());
            });
        }

        @Test
        void aTimeoutExpiringWhileTheWaiterReacquiresLeavesWithTheLockHeld() {
            // The case: the deadline lands while the notified waiter waits for the lock.
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                boolean[] heldWhenTheErrorLeft = new boolean[1];
                Task<Void> waiter = Asyncio.createTask(() -> {
                    try (Held h = cond.hold()) {
                        try {
                            Asyncio.timeout(1).run(() -> cond.await());
                        } catch (AsyncTimeoutException e) {
                            heldWhenTheErrorLeft[0] = cond.lock().isHeldByCurrentTask();
                        }
                    }
                });
                Asyncio.sleep(0.5);
                cond.acquire();
                cond.notifyOne();
                Asyncio.sleep(1);   // the deadline passes while the waiter waits for the lock
                assertFalse(waiter.isDone());
                cond.release();
                waiter.await();
                assertTrue(heldWhenTheErrorLeft[0]);
                assertFalse(cond.lock().isLocked());
            });
        }

        @Test
        void test_cancelled_error_wakeup() {
            // A CancelledError received while awaiting the wake-up is re-raised unchanged.
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                CancelledError[] raised = new CancelledError[1];
                Task<Void> task = Asyncio.createTask(() -> {
                    try (Held h = cond.hold()) {
                        try {
                            cond.awaitFor(() -> false);
                        } catch (CancelledError e) {
                            raised[0] = e;
                            throw e;
                        }
                    }
                });
                Asyncio.sleep(0);
                task.cancel("foo");
                CancelledError err = assertThrows(CancelledError.class, task::await);
                assertEquals("foo", err.getMessage());
                assertEquals("foo", raised[0].getMessage());
                assertSame(raised[0], err, "awaiting the task raises the very error the wait raised");
            });
        }

        @Test
        void test_cancelled_error_re_aquire() {
            // A CancelledError received while re-acquiring the lock is re-raised unchanged, with
            // the lock held.
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                boolean[] wake = new boolean[1];
                CancelledError[] raised = new CancelledError[1];
                boolean[] held = new boolean[1];
                Task<Void> task = Asyncio.createTask(() -> {
                    try (Held h = cond.hold()) {
                        try {
                            cond.awaitFor(() -> wake[0]);
                        } catch (CancelledError e) {
                            raised[0] = e;
                            held[0] = cond.lock().isHeldByCurrentTask();
                            throw e;
                        }
                    }
                });
                Asyncio.sleep(0);
                cond.acquire();
                wake[0] = true;
                cond.notifyOne();
                Asyncio.sleep(0);   // the task is now trying to re-acquire the lock: cancel it there
                task.cancel("foo");
                cond.release();
                CancelledError err = assertThrows(CancelledError.class, task::await);
                assertEquals("foo", err.getMessage());
                assertSame(raised[0], err);
                assertTrue(held[0], "the lock was held when the error left the wait");
            });
        }

        @Test
        void test_cancelled_wakeup() {
            // A task cancelled as it is woken by notify() must not swallow the wake-up: here, while
            // it awaits its wake-up.
            cancelledWakeup(false);
        }

        @Test
        void test_cancelled_wakeup_relock() {
            // The same, the cancellation landing while the woken task re-acquires the lock.
            cancelledWakeup(true);
        }

        private void cancelledWakeup(boolean relock) {
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                int[] state = new int[1];
                List<Task<Void>> c = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    c.add(Asyncio.createTask(() -> {
                        try (Held h = cond.hold()) {
                            for (;;) {
                                cond.awaitFor(() -> state[0] != 0);
                                if (state[0] < 0) {
                                    return;
                                }
                                state[0]--;
                            }
                        }
                    }));
                }
                Asyncio.sleep(0);
                try (Held h = cond.hold()) {
                    state[0]++;          // produce one item and wake one consumer
                    cond.notifyOne();
                    if (relock) {
                        Asyncio.sleep(0);  // it wakes and settles on re-acquiring the lock
                    }
                    c.get(0).cancel();   // cancelled while it waits to run
                    Asyncio.moveOnAfter(0.01).run(() -> cond.awaitFor(() -> state[0] == 0));
                    assertEquals(0, state[0], "the item was consumed: the notification was not lost");
                    state[0] = -1;
                    cond.notifyAllWaiters();
                }
                c.get(1).await();
            });
        }

        @Test
        void test_wait_unacquired() {
            run(() -> assertThrows(IllegalStateException.class, () -> new AsyncCondition().await()));
        }

        @Test
        void test_notify_unacquired() {
            run(() -> assertThrows(IllegalStateException.class, () -> new AsyncCondition().notifyOne()));
        }

        @Test
        void test_notify_all_unacquired() {
            run(() -> assertThrows(IllegalStateException.class, () -> new AsyncCondition().notifyAllWaiters()));
        }

        @Test
        void test_wait_for_unacquired() {
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                // A predicate true at once returns without the lock; a false one needs it.
                assertTrue(cond.awaitFor(() -> true));
                assertThrows(IllegalStateException.class, () -> cond.awaitFor(() -> false));
            });
        }

        @Test
        void test_context_manager() {
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                assertFalse(cond.lock().isLocked());
                try (Held h = cond.hold()) {
                    assertTrue(cond.lock().isLocked());
                }
                assertFalse(cond.lock().isLocked());
            });
        }

        /** test_explicit_lock: a condition made over a lock shares its state with it. */
        @Test
        void test_explicit_lock() {
            run(() -> {
                for (int round = 0; round < 2; round++) { // twice: the pair is reusable
                    AsyncLock lock = new AsyncLock();
                    AsyncCondition cond = new AsyncCondition(lock);
                    assertSame(lock, cond.lock());
                    assertFalse(lock.isLocked());
                    try (Held h = cond.hold()) {
                        assertTrue(lock.isLocked());
                    }
                    assertFalse(lock.isLocked());
                    try (Held h = lock.hold()) {
                        assertTrue(cond.lock().isLocked());
                    }
                    assertFalse(cond.lock().isLocked());
                }
            });
        }

        @Test
        void test_notify_all() {
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                List<Integer> result = new ArrayList<>();
                List<Task<Boolean>> tasks = new ArrayList<>();
                for (int i = 1; i <= 2; i++) {
                    int tag = i;
                    tasks.add(Asyncio.createTask(() -> {
                        cond.acquire();
                        cond.await();
                        result.add(tag);
                        cond.release();
                        return true;
                    }));
                }
                Asyncio.sleep(0);
                assertEquals(List.of(), result);
                cond.acquire();
                cond.notifyAllWaiters();
                cond.release();
                Asyncio.sleep(0);
                assertEquals(List.of(1, 2), result);
                for (Task<Boolean> t : tasks) {
                    assertTrue(t.isDone() && t.result());
                }
            });
        }

        @Test
        void test_wait_for() {
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                boolean[] presult = {false};
                List<Integer> result = new ArrayList<>();
                Task<Boolean> t = Asyncio.createTask(() -> {
                    cond.acquire();
                    if (cond.awaitFor(() -> presult[0])) {
                        result.add(1);
                        cond.release();
                    }
                    return true;
                });
                Asyncio.sleep(0);
                assertEquals(List.of(), result);
                cond.acquire();
                cond.notifyOne();
                cond.release();
                Asyncio.sleep(0);
                assertEquals(List.of(), result);
                presult[0] = true;
                cond.acquire();
                cond.notifyOne();
                cond.release();
                Asyncio.sleep(0);
                assertEquals(List.of(1), result);
                assertTrue(t.isDone() && t.result());
            });
        }

        @Test
        void test_notify() {
            run(() -> {
                AsyncCondition cond = new AsyncCondition();
                List<Integer> result = new ArrayList<>();
                List<Task<Boolean>> tasks = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    int tag = i;
                    tasks.add(Asyncio.createTask(() -> {
                        cond.acquire();
                        cond.await();
                        result.add(tag);
                        cond.release();
                        return true;
                    }));
                }
                Asyncio.sleep(0);
                assertEquals(List.of(), result);
                cond.acquire();
                cond.notify(1);
                cond.release();
                Asyncio.sleep(0);
                assertEquals(List.of(1), result);
                cond.acquire();
                cond.notify(1);
                cond.notify(2048);
                cond.release();
                Asyncio.sleep(0);
                assertEquals(List.of(1, 2, 3), result);
                for (Task<Boolean> t : tasks) {
                    assertTrue(t.isDone() && t.result());
                }
            });
        }
    }

    @Nested
    class SemaphoreTests {
        @Test
        void test_acquire_cancel() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(1);
                sem.acquire();
                Task<Void> acquire = Asyncio.createTask(sem::acquire);
                Asyncio.getRunningLoop().callSoon(acquire::cancel);
                assertThrows(CancelledError.class, acquire::await);
                assertTrue(sem.toString().contains("waiters=0"), sem.toString());
                assertEquals(0, sem.availablePermits());
            });
        }

        @Test
        void test_acquire_cancel_before_awoken() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(0);
                List<Task<Void>> t = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    t.add(Asyncio.createTask(sem::acquire));
                }
                Asyncio.sleep(0);
                t.get(0).cancel();
                t.get(1).cancel();
                sem.release();
                Asyncio.sleep(0);
                Asyncio.sleep(0);
                assertTrue(t.get(2).isDone());
                assertFalse(t.get(3).isDone());
                t.get(2).cancel();
                t.get(3).cancel();
                Asyncio.sleep(0);
            });
        }

        @Test
        void test_acquire_hang() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(0);
                Task<Void> t1 = Asyncio.createTask(sem::acquire);
                Task<Void> t2 = Asyncio.createTask(sem::acquire);
                Asyncio.sleep(0);
                t1.cancel();
                sem.release();
                Asyncio.sleep(0);
                Asyncio.sleep(0);
                assertTrue(sem.isLocked());
                assertTrue(t2.isDone());
            });
        }

        @Test
        void test_acquire_no_hang() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(1);
                @SuppressWarnings("unchecked")
                Task<Void>[] t2 = new Task[1];
                Task<Void> t1 = Asyncio.createTask(() -> {
                    try (Held h = sem.hold()) {
                        Asyncio.sleep(0);
                    }
                    t2[0].cancel();   // t2 was handed the permit and has not run yet
                });
                t2[0] = Asyncio.createTask(() -> {
                    try (Held h = sem.hold()) {
                        throw new AssertionError("t2 must not get the permit");
                    }
                });
                List<Object> r = Asyncio.gather(true, List.of(t1, t2[0])).await();
                assertEquals(null, r.get(0));
                assertTrue(r.get(1) instanceof CancelledError, String.valueOf(r.get(1)));
                Asyncio.waitFor(() -> {
                    sem.acquire();
                    return null;
                }, 1.0);
            });
        }

        @Test
        void test_acquire_fifo_order_3() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(0);
                List<Integer> result = new ArrayList<>();
                List<Task<Boolean>> tasks = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    int n = i;
                    tasks.add(Asyncio.createTask(() -> {
                        sem.acquire();
                        result.add(n);
                        return true;
                    }));
                }
                Asyncio.sleep(0);
                tasks.get(0).cancel();
                Asyncio.sleep(0);
                sem.release();
                sem.release();
                Asyncio.gather(true, tasks).await();
                assertEquals(List.of(2, 3), result);
            });
        }

        @Test
        void aPermitHandedOverAsItsWaiterIsCancelledGoesToTheNextWaiter() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(0);
                Task<Void> a = Asyncio.createTask(sem::acquire);
                Task<Void> b = Asyncio.createTask(sem::acquire);
                Asyncio.sleep(0);
                sem.release();   // hands the permit to a...
                a.cancel();      // ...cancelled before it runs
                assertThrows(CancelledError.class, a::await);
                b.await();
                assertEquals(0, sem.availablePermits(), "b holds the one permit; a holds none");
                sem.release();
                assertEquals(1, sem.availablePermits());
            });
        }

        @Test
        void test_initial_value_zero() {
            run(() -> assertTrue(new AsyncSemaphore(0).isLocked()));
        }

        @Test
        void test_semaphore_value() {
            assertThrows(IllegalArgumentException.class, () -> new AsyncSemaphore(-1));
        }

        @Test
        void test_release_not_acquired() {
            run(() -> assertThrows(IllegalStateException.class, () -> new AsyncBoundedSemaphore(1).release()));
        }

        @Test
        void test_release_no_waiters() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(1);
                sem.acquire();
                assertTrue(sem.isLocked());
                sem.release();
                assertFalse(sem.isLocked());
            });
        }

        @Test
        void test_acquire() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(3);
                List<Integer> result = new ArrayList<>();
                sem.acquire();
                sem.acquire();
                assertFalse(sem.isLocked());
                List<Task<Boolean>> tasks = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    int tag = i;
                    tasks.add(Asyncio.createTask(() -> {
                        sem.acquire();
                        result.add(tag);
                        return true;
                    }));
                }
                Asyncio.sleep(0);
                assertEquals(List.of(1), result);
                assertTrue(sem.isLocked());
                assertEquals(0, sem.availablePermits());
                tasks.add(Asyncio.createTask(() -> {
                    sem.acquire();
                    result.add(4);
                    return true;
                }));
                sem.release();
                sem.release();
                assertEquals(0, sem.availablePermits(), "both permits went to waiters");
                Asyncio.sleep(0);
                assertEquals(3, result.size());
                assertTrue(sem.isLocked());
                assertEquals(0, sem.availablePermits());
                assertTrue(tasks.get(0).isDone() && tasks.get(0).result());
                long done = tasks.subList(1, 4).stream().filter(Task::isDone).count();
                assertEquals(2, done);
                sem.release();
                Asyncio.gather(tasks.subList(1, 4)).await();
            });
        }

        @Test
        void test_acquire_fifo_order() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(1);
                List<String> result = new ArrayList<>();
                TaskGroup.run(g -> {
                    for (String tag : List.of("c1", "c2", "c3")) {
                        g.createTask(() -> {
                            sem.acquire();
                            result.add(tag + "_1");
                            Asyncio.sleep(0.01);
                            sem.release();
                            sem.acquire();
                            result.add(tag + "_2");
                            Asyncio.sleep(0.01);
                            sem.release();
                        });
                    }
                });
                assertEquals(List.of("c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"), result);
            });
        }

        @Test
        void test_acquire_fifo_order_2() {
            run(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(1);
                List<Integer> result = new ArrayList<>();
                Task<Boolean> t1 = Asyncio.createTask(() -> {
                    sem.acquire();
                    result.add(1);
                    return true;
                });
                Task<Boolean> t2 = Asyncio.createTask(() -> {
                    sem.acquire();
                    result.add(2);
                    sem.release();
                    sem.acquire();
                    result.add(4);
                    return true;
                });
                Task<Boolean> t3 = Asyncio.createTask(() -> {
                    sem.acquire();
                    result.add(3);
                    return true;
                });
                Asyncio.sleep(0);
                sem.release();
                sem.release();
                Asyncio.gather(List.of(t1, t2, t3)).await();
                assertEquals(List.of(1, 2, 3, 4), result);
            });
        }
    }

    /**
     * BarrierTests. {@code async with barrier as i} is {@code int i = barrier.await()} (asyncio's
     * barrier does nothing on exit); {@code n_waiting} is {@code waiting()}.
     */
    @Nested
    class BarrierTests {
        private static final int N = 5;

        private static <T> List<T> gatherTasks(int n, java.util.concurrent.Callable<T> body) {
            List<Task<T>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tasks.add(Asyncio.createTask(body));
            }
            return Asyncio.gather(tasks).await();
        }

        @Test
        void test_barrier_parties() {
            assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
            assertThrows(IllegalArgumentException.class, () -> new Barrier(-4));
            assertEquals(N, new Barrier(N).parties());
        }

        @Test
        void test_context_manager() {
            run(() -> {
                Barrier barrier = new Barrier(3);
                List<Integer> results = gatherTasks(3, barrier::await);
                assertEquals(List.of(0, 1, 2), results.stream().sorted().toList());
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            });
        }

        @Test
        void test_filling_one_task() {
            run(() -> {
                Barrier barrier = new Barrier(1);
                assertEquals(0, barrier.await());
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            });
        }

        @Test
        void test_filling_one_task_twice() {
            run(() -> {
                Barrier barrier = new Barrier(1);
                Task<Integer> t1 = Asyncio.createTask(barrier::await);
                Asyncio.sleep(0);
                assertEquals(0, barrier.waiting());
                Task<Integer> t2 = Asyncio.createTask(barrier::await);
                Asyncio.sleep(0);
                assertEquals(t1.result(), t2.result());
                assertEquals(t1.isDone(), t2.isDone());
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            });
        }

        @Test
        void test_filling_task_by_task() {
            run(() -> {
                Barrier barrier = new Barrier(3);
                Task<Integer> t1 = Asyncio.createTask(barrier::await);
                Asyncio.sleep(0);
                assertEquals(1, barrier.waiting());
                Task<Integer> t2 = Asyncio.createTask(barrier::await);
                Asyncio.sleep(0);
                assertEquals(2, barrier.waiting());
                Task<Integer> t3 = Asyncio.createTask(barrier::await);
                Asyncio.sleep(0);
                Asyncio.wait(List.of(t1, t2, t3));
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            });
        }

        @Test
        void test_filling_tasks_wait_twice() {
            run(() -> {
                Barrier barrier = new Barrier(N);
                List<Boolean> results = new ArrayList<>();
                gatherTasks(N, () -> {
                    barrier.await();
                    results.add(true);
                    barrier.await();
                    results.add(false);
                    return null;
                });
                assertEquals(2 * N, results.size());
                assertEquals(N, results.stream().filter(b -> b).count());
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            });
        }

        @Test
        void test_filling_tasks_check_return_value() {
            run(() -> {
                Barrier barrier = new Barrier(N);
                List<Integer> res = gatherTasks(N, () -> {
                    barrier.await();
                    return barrier.await();
                });
                assertEquals(List.of(0, 1, 2, 3, 4), res.stream().sorted().toList());
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            });
        }

        @Test
        void test_blocking_tasks_while_draining() {
            run(() -> {
                int rewait = 2;
                Barrier barrier = new Barrier(N);
                Barrier barrierNoWaiting = new Barrier(N - rewait);
                int[] rewaitN = {rewait};
                // Success means barrierNoWaiting was waited for exactly N - rewait times.
                gatherTasks(N, () -> {
                    barrier.await();
                    if (rewaitN[0] > 0) {
                        rewaitN[0]--;
                        barrier.await();
                    } else {
                        barrierNoWaiting.await();
                        barrier.await();
                    }
                    return null;
                });
            });
        }

        @Test
        void test_filling_tasks_cancel_one() {
            run(() -> {
                Barrier barrier = new Barrier(3);
                List<Boolean> results = new ArrayList<>();
                java.util.concurrent.Callable<Void> coro = () -> {
                    barrier.await();
                    results.add(true);
                    return null;
                };
                Task<Void> t1 = Asyncio.createTask(coro);
                Asyncio.sleep(0);
                assertEquals(1, barrier.waiting());
                Task<Void> t2 = Asyncio.createTask(coro);
                Asyncio.sleep(0);
                assertEquals(2, barrier.waiting());
                t1.cancel();
                Asyncio.sleep(0);
                assertEquals(1, barrier.waiting());
                assertThrows(CancelledError.class, t1::await);
                assertTrue(t1.isCancelled());
                Task<Void> t3 = Asyncio.createTask(coro);
                Asyncio.sleep(0);
                assertEquals(2, barrier.waiting());
                Task<Void> t4 = Asyncio.createTask(coro);
                Asyncio.gather(List.of(t2, t3, t4)).await();
                assertEquals(3, results.size());
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            });
        }

        @Test
        void test_reset_barrier() {
            run(() -> {
                Barrier barrier = new Barrier(1);
                Asyncio.createTask(barrier::reset);
                Asyncio.sleep(0);
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            });
        }

        @Test
        void test_reset_barrier_while_tasks_waiting() {
            run(() -> {
                Barrier barrier = new Barrier(N);
                List<Boolean> results = new ArrayList<>();
                List<Task<Void>> tasks = new ArrayList<>();
                for (int i = 0; i < N - 1; i++) {
                    tasks.add(Asyncio.createTask(() -> {
                        try {
                            barrier.await();
                        } catch (BrokenBarrierException e) {
                            results.add(true);
                        }
                    }));
                }
                Asyncio.sleep(0);
                Asyncio.createTask(barrier::reset);
                Asyncio.gather(tasks).await();
                assertEquals(N - 1, results.size());
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            });
        }

        @Test
        void test_reset_barrier_while_tasks_waiting_and_waiting_again() {
            run(() -> {
                Barrier barrier = new Barrier(N);
                List<Boolean> results1 = new ArrayList<>();
                List<Boolean> results2 = new ArrayList<>();
                List<Task<Void>> tasks = new ArrayList<>();
                for (int i = 0; i < N - 1; i++) {
                    tasks.add(Asyncio.createTask(() -> {
                        try {
                            barrier.await();
                        } catch (BrokenBarrierException e) {
                            results1.add(true);
                        } finally {
                            barrier.await();
                            results2.add(true);
                        }
                    }));
                }
                // Reset: the N-1 waiting tasks get BrokenBarrierException.
                Asyncio.createTask(barrier::reset);
                Asyncio.sleep(0);
                // Complete the waiting tasks in their finally.
                Asyncio.createTask(() -> {
                    barrier.await();
                    results2.add(true);
                    return null;
                });
                Asyncio.gather(tasks).await();
                assertFalse(barrier.isBroken());
                assertEquals(N - 1, results1.size());
                assertEquals(N, results2.size());
                assertEquals(0, barrier.waiting());
            });
        }

        @Test
        void test_abort_barrier() {
            run(() -> {
                Barrier barrier = new Barrier(1);
                Asyncio.createTask(barrier::abort);
                Asyncio.sleep(0);
                assertEquals(0, barrier.waiting());
                assertTrue(barrier.isBroken());
            });
        }

        @Test
        void test_abort_barrier_when_exception() {
            run(() -> {
                Barrier barrier = new Barrier(N);
                List<Boolean> results1 = new ArrayList<>();
                List<Boolean> results2 = new ArrayList<>();
                gatherTasks(N, () -> {
                    try {
                        int i = barrier.await();
                        if (i == N / 2) {
                            throw new IllegalStateException("the middle one fails");
                        }
                        barrier.await();
                        results1.add(true);
                    } catch (BrokenBarrierException e) {
                        results2.add(true);
                    } catch (IllegalStateException e) {
                        barrier.abort();
                    }
                    return null;
                });
                assertTrue(barrier.isBroken());
                assertEquals(0, results1.size());
                assertEquals(N - 1, results2.size());
                assertEquals(0, barrier.waiting());
            });
        }

        @Test
        void test_abort_barrier_when_exception_then_resetting() {
            run(() -> {
                Barrier barrier1 = new Barrier(N);
                Barrier barrier2 = new Barrier(N);
                List<Boolean> results1 = new ArrayList<>();
                List<Boolean> results2 = new ArrayList<>();
                List<Boolean> results3 = new ArrayList<>();
                gatherTasks(N, () -> {
                    try {
                        int i = barrier1.await();
                        if (i == N / 2) {
                            throw new IllegalStateException("the middle one fails");
                        }
                        barrier1.await();
                        results1.add(true);
                    } catch (BrokenBarrierException e) {
                        results2.add(true);
                    } catch (IllegalStateException e) {
                        barrier1.abort();
                    }
                    // Everyone leaves barrier1 before the reset, and no one enters it before.
                    int i = barrier2.await();
                    if (i == N / 2) {
                        barrier1.reset();
                    }
                    barrier2.await();
                    barrier1.await();
                    results3.add(true);
                    return null;
                });
                assertFalse(barrier1.isBroken());
                assertEquals(0, results1.size());
                assertEquals(N - 1, results2.size());
                assertEquals(N, results3.size());
                assertEquals(0, barrier1.waiting());
            });
        }
    }
}
