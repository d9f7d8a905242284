package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio.timeout / timeout_at (3.11+) and the non-raising moveOnAfter. */
class TimeoutTest {

    @Test
    void expiryCancelsTheBodyAndRaisesNamingTheScope() {
        Loops.run(() -> {
            Order o = new Order();
            Timeout t = Asyncio.timeout(0.01);
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class, () -> t.run(() -> {
                try {
                    Asyncio.sleep(10);
                } finally {
                    o.expect(1);
                }
            }));
            o.expect(2);
            assertSame(t, e.timeout());
            assertInstanceOf(CancelledError.class, e.getCause());
            assertTrue(t.expired());
            assertTrue(t.raises());
            assertEquals(0, Asyncio.currentTask().cancelling());
            Asyncio.sleep(0); // the task is not left cancelled
        });
    }

    @Test
    void noExpiryReturnsTheResult() {
        Loops.run(() -> {
            Timeout t = Asyncio.timeout(5);
            assertEquals("fast", t.run(() -> Asyncio.sleep(0.001, "fast")));
            assertFalse(t.expired());
            assertThrows(InvalidStateException.class, () -> t.run(() -> 1));
            assertThrows(InvalidStateException.class, () -> t.reschedule(1));
        });
    }

    @Test
    void moveOnAfterReturnsNullAndSaysItExpired() {
        Loops.run(() -> {
            Timeout t = Asyncio.moveOnAfter(0.01);
            assertNull(t.run(() -> Asyncio.sleep(10, "never")));
            assertTrue(t.expired());
            assertFalse(t.raises());
            Timeout quick = Asyncio.moveOnAfter(5);
            assertEquals("v", quick.run(() -> "v"));
            assertFalse(quick.expired());
            Asyncio.sleep(0);
        });
    }

    @Test
    void rescheduleLaterEarlierAndAway() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            // Later: the body finishes in time.
            Timeout later = Asyncio.timeout(0.01);
            assertEquals("ok", later.run(() -> {
                later.reschedule(loop.time() + 5);
                Asyncio.sleep(0.03);
                return "ok";
            }));
            // Earlier: expires at once.
            Timeout earlier = Asyncio.timeout(5);
            assertThrows(AsyncTimeoutException.class, () -> earlier.run(() -> {
                earlier.reschedule(loop.time() - 1);
                Asyncio.sleep(5);
            }));
            // Away: no deadline.
            Timeout none = Asyncio.timeout(0.005);
            assertEquals(1, none.run(() -> {
                none.reschedule(Double.POSITIVE_INFINITY);
                assertEquals(Double.POSITIVE_INFINITY, none.when());
                return Asyncio.sleep(0.02, 1);
            }));
        });
    }

    @Test
    void aDeadlineInThePastExpiresAtTheFirstAwait() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeoutAt(loop.time() - 1).run(() -> Asyncio.sleep(1)));
            // A body that never suspends is not cancelled, even past its deadline.
            assertEquals(5, Asyncio.timeoutAt(loop.time() - 1).run(() -> 5));
            Asyncio.sleep(0);
        });
    }

    @Test
    void theInnerTimeoutFiresFirst() {
        Loops.run(() -> {
            Timeout outer = Asyncio.timeout(5);
            Timeout inner = Asyncio.timeout(0.01);
            String r = outer.run(() -> {
                try {
                    inner.run(() -> Asyncio.sleep(10));
                    return "no";
                } catch (AsyncTimeoutException e) {
                    assertSame(inner, e.timeout());
                    return "inner fired";
                }
            });
            assertEquals("inner fired", r);
            assertFalse(outer.expired());
        });
    }

    @Test
    void theOuterTimeoutFiresFirst() {
        Loops.run(() -> {
            Timeout outer = Asyncio.timeout(0.01);
            Timeout inner = Asyncio.timeout(5);
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                    () -> outer.run(() -> inner.run(() -> Asyncio.sleep(10))));
            assertSame(outer, e.timeout());
            assertFalse(inner.expired());
        });
    }

    @Test
    void bothFiringInOneIterationTheOuterWins() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double when = loop.time() + 0.01;
            Timeout outer = Asyncio.timeoutAt(when);
            Timeout inner = Asyncio.timeoutAt(when);
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                    () -> outer.run(() -> inner.run(() -> Asyncio.sleep(10))));
            assertSame(outer, e.timeout());
            assertTrue(inner.expired());
            assertEquals(0, Asyncio.currentTask().cancelling());
        });
    }

    @Test
    void aCancellationFromOutsideIsNotMistakenForATimeout() {
        Loops.run(() -> {
            Timeout[] scope = new Timeout[1];
            Task<Void> t = Asyncio.createTask(() -> {
                scope[0] = Asyncio.timeout(0.02);
                scope[0].run(() -> Asyncio.sleep(10));
            });
            Asyncio.sleep(0.005);
            t.cancel("outside");
            Asyncio.sleep(0.03);
            assertTrue(t.isCancelled());
            assertEquals("outside", assertThrows(CancelledError.class, t::result).getMessage());
        });
    }

    @Test
    void outsideCancellationAtTheSameTimeAsExpiryStaysACancellation() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            double when = loop.time() + 0.01;
            Task<Void> t = Asyncio.createTask(() -> Asyncio.timeoutAt(when).run(() -> Asyncio.sleep(10)));
            // Scheduled before the task enters its timeout, so this fires first in the same iteration.
            loop.callAt(when, () -> t.cancel());
            assertThrows(CancelledError.class, t::await);
            assertEquals(1, t.cancelling(), "the timeout withdrew its own request; the outside one remains");
        });
    }

    @Test
    void anErrorRaisedWhileBeingCancelledIsKeptWithTheTimeoutNoted() {
        Loops.run(() -> {
            IOException io = new IOException("cleanup failed");
            Exception e = assertThrows(Exception.class, () -> Asyncio.timeout(0.01).run(() -> {
                try {
                    Asyncio.sleep(10);
                } catch (CancelledError c) {
                    throw io;
                }
            }));
            assertSame(io, e);
            assertEquals(1, io.getSuppressed().length);
            assertInstanceOf(AsyncTimeoutException.class, io.getSuppressed()[0]);
        });
    }

    @Test
    void aBodyThatCatchesTheCancellationCompletesNormally() {
        Loops.run(() -> {
            Timeout t = Asyncio.timeout(0.01);
            assertEquals("handled", t.run(() -> {
                try {
                    Asyncio.sleep(10);
                    return "no";
                } catch (CancelledError e) {
                    return "handled";
                }
            }));
            assertTrue(t.expired());
            Asyncio.sleep(0); // nothing pending on the task
        });
    }

    @Test
    void outsideATaskItIsAnError() {
        assertThrows(IllegalStateException.class, () -> Asyncio.timeout(1));
        try (EventLoop loop = EventLoop.newEventLoop()) {
            IllegalStateException[] err = new IllegalStateException[1];
            loop.callSoon(() -> {
                try {
                    Asyncio.timeout(1).run(() -> 1);
                } catch (IllegalStateException e) {
                    err[0] = e;
                }
                loop.stop();
            });
            loop.runForever();
            assertTrue(err[0].getMessage().contains("callback"), err[0].getMessage());
        }
    }

    @Test
    void badDelaysAreRejected() {
        Loops.run(() -> {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.timeout(-1));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.timeout(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.timeoutAt(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> Asyncio.moveOnAfter(-0.1));
        });
    }

    @Test
    void aTaskGroupInsideATimeout() {
        Loops.run(() -> {
            int[] cancelled = {0};
            assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(0.01).run(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 3; i++) {
                    g.createTask(() -> {
                        try {
                            Asyncio.sleep(10);
                        } catch (CancelledError e) {
                            cancelled[0]++;
                            throw e;
                        }
                    });
                }
            })));
            assertEquals(3, cancelled[0]);
            assertEquals(0, Asyncio.currentTask().cancelling());
        });
    }
}
