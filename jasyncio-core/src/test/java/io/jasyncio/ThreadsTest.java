package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** to_thread, run_in_executor, run_coroutine_threadsafe: the doors between threads and a loop. */
class ThreadsTest {

    @Test
    void toThreadRunsOffTheLoopAndReturnsTheResult() {
        Loops.run(() -> {
            Thread loopThread = Thread.currentThread();
            Thread worker = Asyncio.toThread(Thread::currentThread);
            assertTrue(worker != loopThread);
            IOException io = new IOException("blocking failed");
            try {
                Asyncio.toThread(() -> {
                    throw io;
                });
                throw new AssertionError();
            } catch (Exception e) {
                assertSame(io, e);
            }
        });
    }

    @Test
    void theLoopRunsOtherTasksWhileAThreadBlocks() {
        // The worker blocks until the loop has run another task three times: if toThread held the
        // loop, the ticker could never release it and the wait would fail (no wall-clock bound).
        CountDownLatch ticked = new CountDownLatch(3);
        Loops.runRealTime(() -> {
            Task<Void> ticker = Asyncio.createTask(() -> {
                while (true) {
                    ticked.countDown();
                    Asyncio.sleep(0.001);
                }
            });
            boolean released = Asyncio.toThread(() -> ticked.await(30, TimeUnit.SECONDS));
            assertTrue(released, "the loop was blocked while the thread waited: " + ticked.getCount() + " ticks missing");
            ticker.cancel();
        });
    }

    @Test
    void cancellingToThreadInterruptsTheWorker() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Loops.run(() -> {
            Task<Void> t = Asyncio.createTask(() -> Asyncio.toThread(() -> {
                started.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            }));
            Asyncio.toThread(() -> started.await());
            t.cancel();
            assertThrows(CancelledError.class, t::await);
        });
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the worker was not interrupted");
    }

    @Test
    void workerThreadsDoNotRunOnTheLoopsCarrier() {
        Loops.run(() -> {
            String loopCarrier = Thread.currentThread().toString();
            String worker = Asyncio.toThread(() -> Thread.currentThread().toString());
            if (Asyncio.getRunningLoop().getScheduling() == Scheduling.DEDICATED) {
                assertTrue(loopCarrier.contains("jasyncio-carrier-"), loopCarrier);
                assertTrue(!worker.contains("jasyncio-carrier-"), worker);
            }
        });
    }

    @Test
    void runInExecutorWithAnExecutorOfOurOwn() {
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> new Thread(r, "mine"));
        try {
            Loops.run(() -> {
                String name = Asyncio.getRunningLoop().runInExecutor(ex, () -> Thread.currentThread().getName()).await();
                assertEquals("mine", name);
            });
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void setDefaultExecutorAndShutdown() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            loop.setDefaultExecutor(Executors.newFixedThreadPool(1, r -> new Thread(r, "custom-default")));
            assertEquals("custom-default", Asyncio.toThread(() -> Thread.currentThread().getName()));
            loop.shutdownDefaultExecutor().await();
            assertThrows(IllegalStateException.class, () -> Asyncio.toThread(() -> 1));
        });
    }

    @Test
    void runCoroutineThreadsafeFromAnotherThread() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            CompletableFuture<String>[] result = new CompletableFuture[2];
            CountDownLatch done = new CountDownLatch(1);
            Thread other = new Thread(() -> {
                try {
                    result[0] = Asyncio.runCoroutineThreadsafe(() -> Asyncio.sleep(0.001, "hello"), loop);
                    assertEquals("hello", result[0].get(5, TimeUnit.SECONDS));
                    result[1] = Asyncio.runCoroutineThreadsafe(() -> Asyncio.sleep(100, "never"), loop);
                    Thread.sleep(10);
                    result[1].cancel(true);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                } finally {
                    done.countDown();
                }
            });
            other.start();
            AsyncFuture<Void> finished = loop.wrapFuture(CompletableFuture.runAsync(() -> {
                try {
                    done.await();
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            loop.runUntilComplete(finished);
            other.join();
            assertTrue(result[1].isCancelled());
            assertThrows(CancellationException.class, () -> result[1].get());
            // The task on the loop was cancelled too.
            assertTrue(loop.allTasks().isEmpty());
        }
    }

    @Test
    void runCoroutineThreadsafePassesExceptions() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AtomicBoolean ok = new AtomicBoolean();
            Thread other = new Thread(() -> {
                CompletableFuture<Object> cf = Asyncio.runCoroutineThreadsafe(() -> {
                    throw new IOException("bad");
                }, loop);
                ExecutionException e = assertThrows(ExecutionException.class, () -> cf.get(5, TimeUnit.SECONDS));
                assertInstanceOf(IOException.class, e.getCause());
                ok.set(true);
                loop.callSoonThreadsafe(loop::stop);
            });
            other.start();
            loop.runForever();
            other.join();
            assertTrue(ok.get());
        }
    }
}
