package io.jasyncio;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one short, private loop the first time a loop is built in a JVM, so that the classes on
 * the paths of a task's life (finishing, failing, being cancelled) are loaded before the JIT
 * compiles those paths.
 *
 * <p>Why: a frame suspended in compiled code resumes in that same code. If the code was compiled
 * while a path had never run (a class it names not yet loaded, a branch never taken), every
 * suspended frame that later takes the path deoptimises, one by one. The JDK's own
 * {@code VirtualThread.run} names classes that load only when the first virtual thread ends; a
 * million tasks suspended before any ended took 10 s to finish instead of 1 (measured with
 * {@code -Xlog:deoptimization}). Costs a few milliseconds, once. {@code -Djasyncio.warmup=false}
 * turns it off.
 */
final class Warmup {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private Warmup() {
    }

    /**
     * Runs the warm-up once, in the first caller; later calls, concurrent ones and those made by the
     * warm-up itself return at once. (Not a static initialiser: the warm-up's task bodies are
     * methods of this class, and a task thread would wait for the class to finish initialising.)
     */
    static void ensure() {
        if (STARTED.get() || !STARTED.compareAndSet(false, true)) {
            return;
        }
        loadFailurePaths();
        if (!"false".equals(System.getProperty("jasyncio.warmup"))) {
            run();
        }
    }

    /**
     * Loads the classes that reporting a failure needs, now, while they can be loaded. A process
     * out of file descriptors cannot open a class file from a directory or an unopened jar: the
     * first error met then would fail again, with {@link NoClassDefFoundError}, while the loop
     * reports it. Class literals load a class without initialising it. Always done, even with
     * {@code -Djasyncio.warmup=false}: it costs microseconds.
     */
    static void loadFailurePaths() {
        Class<?>[] classes = {
                ExceptionContext.class, ExceptionContext.Builder.class, Sneaky.class, SlowStep.class,
                InvalidStateException.class, UnretrievedException.class, KeyboardInterruptException.class,
                CancelledError.class, CancellationSite.class, ExceptionGroup.class, TaskDump.class,
        };
        if (classes.length == 0) {
            throw new AssertionError();   // keeps the array (and the loads) from being optimised away
        }
    }

    private static void run() {
        try (EventLoop loop = EventLoop.builder().scheduling(Scheduling.SHARED).debug(false).build()) {
            loop.setExceptionHandler((l, c) -> { });
            loop.runUntilComplete(() -> {
                AsyncFuture<Integer> never = loop.createFuture();
                Task<Integer> done = loop.createTask(() -> Asyncio.sleep(0, 1));
                Task<Integer> sleeping = loop.createTask(() -> Asyncio.sleep(0.0005, 2));
                Task<Integer> failing = loop.createTask(() -> {
                    Asyncio.sleep(0);
                    throw new IllegalStateException("warm-up");
                });
                Task<Integer> cancelled = loop.createTask(never::await);
                Task<Integer> cancelledEarly = loop.createTask(() -> 0);
                cancelledEarly.cancel();
                Asyncio.sleep(0);
                cancelled.cancel();
                Asyncio.gather(true, List.of(done, sleeping, failing, cancelled, cancelledEarly)).await();
                Asyncio.moveOnAfter(0).run(() -> Asyncio.sleep(1));
                return null;
            });
        } catch (RuntimeException | Error e) {
            // A warm-up that fails costs speed, never correctness.
        }
    }
}
