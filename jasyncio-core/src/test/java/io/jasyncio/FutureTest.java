package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio's Future: states, completion once, callbacks through the loop, awaiting, bridges. */
class FutureTest {

    @Test
    void pendingFutureHasNoResult() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            assertFalse(f.isDone());
            assertFalse(f.isCancelled());
            assertThrows(InvalidStateException.class, f::result);
            assertThrows(InvalidStateException.class, f::exception);
            assertSame(loop, f.getLoop());
        }
    }

    @Test
    void resultIsSetOnceAndKept() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            f.setResult("first");
            assertTrue(f.isDone());
            assertEquals("first", f.result());
            assertNull(f.exception());
            assertThrows(InvalidStateException.class, () -> f.setResult("second"));
            assertThrows(InvalidStateException.class, () -> f.setException(new RuntimeException()));
            assertFalse(f.cancel());
            assertEquals("first", f.result());
        }
    }

    @Test
    void exceptionIsRethrownUnchangedEvenWhenChecked() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            IOException io = new IOException("disk");
            f.setException(io);
            assertSame(io, f.exception());
            Throwable thrown = assertThrows(Throwable.class, f::result);
            assertSame(io, thrown);
            assertThrows(InvalidStateException.class, () -> f.setResult("late"));
            assertThrows(NullPointerException.class, () -> loop.<String>createFuture().setException(null));
        }
    }

    @Test
    void cancelWithMessage() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            assertTrue(f.cancel("because"));
            assertTrue(f.isCancelled());
            assertTrue(f.isDone());
            assertFalse(f.cancel());
            CancelledError e = assertThrows(CancelledError.class, f::result);
            assertEquals("because", e.getMessage());
            assertThrows(CancelledError.class, f::exception);
            assertThrows(InvalidStateException.class, () -> f.setResult("x"));
        }
    }

    @Test
    void setExceptionWithCancelledErrorCancels() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            f.setException(new CancelledError("stop"));
            assertTrue(f.isCancelled());
            assertEquals("stop", assertThrows(CancelledError.class, f::result).getMessage());
        }
    }

    @Test
    void cancelledErrorIsNotAnException() {
        // semantics 4: catch (Exception e) must not swallow a cancellation
        assertFalse(Exception.class.isAssignableFrom(CancelledError.class));
        assertTrue(Error.class.isAssignableFrom(CancelledError.class));
    }

    @Test
    void callbacksAreScheduledNotRunInlineAndKeepOrder() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Order o = new Order();
            AsyncFuture<Integer> f = loop.createFuture();
            f.addDoneCallback(x -> o.expect(3));
            f.addDoneCallback(x -> {
                o.expect(4);
                assertEquals(7, x.result());
            });
            o.expect(1);
            f.setResult(7);
            o.expect(2);
            // A callback added after completion is scheduled too, not run inline.
            f.addDoneCallback(x -> o.expect(5));
            Asyncio.sleep(0);
            o.finish(6);
        });
    }

    @Test
    void removeDoneCallbackCountsRegistrations() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<Integer> f = loop.createFuture();
            List<String> seen = new ArrayList<>();
            Consumer<AsyncFuture<Integer>> a = x -> seen.add("a");
            Consumer<AsyncFuture<Integer>> b = x -> seen.add("b");
            f.addDoneCallback(a);
            f.addDoneCallback(b);
            f.addDoneCallback(a);
            assertEquals(2, f.removeDoneCallback(a));
            assertEquals(0, f.removeDoneCallback(a));
            f.setResult(1);
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(List.of("b"), seen);
        }
    }

    @Test
    void awaitReturnsResultOrThrows() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<String> f = loop.createFuture();
            loop.callLater(0.005, () -> f.setResult("done"));
            assertEquals("done", f.await());
            AsyncFuture<String> g = loop.createFuture();
            IOException io = new IOException("x");
            loop.callSoon(() -> g.setException(io));
            try {
                g.await();
                throw new AssertionError("no exception");
            } catch (Exception e) {
                assertSame(io, e);
            }
        });
    }

    @Test
    void awaitingDoneFutureDoesNotYield() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Order o = new Order();
            AsyncFuture<Integer> f = loop.createFuture();
            f.setResult(1);
            loop.callSoon(() -> o.expect(3));
            o.expect(1);
            f.await();
            o.expect(2);
            Asyncio.sleep(0);
            o.finish(4);
        });
    }

    @Test
    void awaitOutsideATaskIsAClearError() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<Integer> f = loop.createFuture();
            // On a plain thread.
            IllegalStateException plain = assertThrows(IllegalStateException.class, f::await);
            assertTrue(plain.getMessage().contains("outside a task"), plain.getMessage());
            assertThrows(IllegalStateException.class, () -> Asyncio.sleep(0));
            // Inside a callback.
            IllegalStateException[] inCallback = new IllegalStateException[1];
            loop.callSoon(() -> {
                try {
                    f.await();
                } catch (IllegalStateException e) {
                    inCallback[0] = e;
                }
                loop.stop();
            });
            loop.runForever();
            assertTrue(inCallback[0].getMessage().contains("from a callback"), inCallback[0].getMessage());
        }
    }

    @Test
    void awaitingAFutureOfAnotherLoopIsAnError() {
        try (EventLoop other = EventLoop.newEventLoop()) {
            AsyncFuture<Integer> foreign = other.createFuture();
            Loops.run(() -> {
                IllegalStateException e = assertThrows(IllegalStateException.class, foreign::await);
                assertTrue(e.getMessage().contains("a future belongs to one loop"), e.getMessage());
            });
            assertFalse(foreign.isDone());
        }
    }

    @Test
    void toCompletableFutureCompletesFromTheLoop() throws Exception {
        CompletableFuture<String>[] cf = new CompletableFuture[3];
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<String> ok = loop.createFuture();
            AsyncFuture<String> bad = loop.createFuture();
            AsyncFuture<String> cancelled = loop.createFuture();
            cf[0] = ok.toCompletableFuture();
            cf[1] = bad.toCompletableFuture();
            cf[2] = cancelled.toCompletableFuture();
            ok.setResult("v");
            bad.setException(new IOException("e"));
            cancelled.cancel("c");
            Asyncio.sleep(0);
        });
        assertEquals("v", cf[0].get(1, TimeUnit.SECONDS));
        ExecutionException ee = assertThrows(ExecutionException.class, () -> cf[1].get(1, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, ee.getCause());
        assertThrows(CancellationException.class, () -> cf[2].get(1, TimeUnit.SECONDS));
    }

    @Test
    void cancellingTheCompletableFutureCancelsTheFuture() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            AsyncFuture<String> f = loop.createFuture();
            CompletableFuture<String> cf = f.toCompletableFuture();
            Thread.ofPlatform().start(() -> cf.cancel(true));
            assertThrows(CancelledError.class, f::await);
            assertTrue(f.isCancelled());
        });
    }

    @Test
    void wrapFutureCompletedByAnotherThread() {
        Loops.run(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            AsyncFuture<String> f = Asyncio.wrapFuture(cf);
            Thread.ofPlatform().start(() -> cf.complete("from thread"));
            assertEquals("from thread", f.await());
            CompletableFuture<String> failing = new CompletableFuture<>();
            AsyncFuture<String> g = Asyncio.ensureFuture(failing);
            Thread.ofPlatform().start(() -> failing.completeExceptionally(new IOException("io")));
            try {
                g.await();
                throw new AssertionError();
            } catch (Exception e) {
                assertInstanceOf(IOException.class, e);
            }
            // Cancelling the wrapper cancels the CompletableFuture.
            CompletableFuture<String> slow = new CompletableFuture<>();
            AsyncFuture<String> h = Asyncio.wrapFuture(slow);
            h.cancel();
            Asyncio.sleep(0); // the cancellation travels through a scheduled callback
            assertTrue(slow.isCancelled());
        });
    }

    @Test
    void toStringShowsState() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            assertTrue(f.toString().contains("pending"));
            f.setResult("r");
            assertTrue(f.toString().contains("result=r"));
        }
    }
}
