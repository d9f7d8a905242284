package io.jasyncio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Runs several top-level bodies on one loop, then cleans up. Mirrors asyncio 3.11's {@code Runner};
 * {@link Asyncio#run} is a runner used once.
 *
 * <pre>{@code
 * try (Runner runner = new Runner()) {
 *     runner.run(() -> connect());
 *     runner.run(() -> serve());
 * }
 * }</pre>
 *
 * <p>{@link #close()} cancels the tasks still pending and waits for them, reports those that ended
 * with an exception to the loop's exception handler, shuts down the default executor, and closes
 * the loop. Not thread-safe: use a runner from one thread.
 */
public final class Runner implements AutoCloseable {
    private final Supplier<EventLoop> loopFactory;
    private EventLoop loop;
    private boolean closed;

    /** A runner whose loop has the default settings. */
    public Runner() {
        this(EventLoop::newEventLoop);
    }

    /**
     * A runner whose loop comes from {@code loopFactory} (for a debug loop, a test clock, a
     * scheduling mode).
     *
     * @param loopFactory makes the loop, once, on first use
     */
    public Runner(Supplier<EventLoop> loopFactory) {
        this.loopFactory = Objects.requireNonNull(loopFactory, "loopFactory");
    }

    /**
     * A runner over a loop configured by {@code builder}.
     *
     * @param builder the loop's configuration
     */
    public Runner(EventLoop.Builder builder) {
        this(builder::build);
    }

    /**
     * The runner's loop, created on first use.
     *
     * @return the loop
     * @throws IllegalStateException if the runner is closed
     */
    public EventLoop getLoop() {
        if (closed) {
            throw new IllegalStateException("Runner is closed");
        }
        if (loop == null) {
            loop = loopFactory.get();
        }
        return loop;
    }

    /**
     * Runs {@code main} as a task on the runner's loop until it completes.
     *
     * @param <T> the result type
     * @param main the body
     * @return its result
     * @throws IllegalStateException if called from a running loop or after {@link #close()}
     * @throws Throwable what {@code main} throws, unchanged
     */
    public <T> T run(Callable<? extends T> main) {
        Objects.requireNonNull(main, "main");
        if (EventLoop.ownedBy(Thread.currentThread()) != null) {
            throw new IllegalStateException("Runner.run() cannot be called from a running event loop");
        }
        EventLoop l = getLoop();
        return l.runUntilComplete(l.createTask(main));
    }

    /**
     * Runs {@code main}, which returns nothing, as a task until it completes.
     *
     * @param main the body
     */
    public void run(CheckedRunnable main) {
        run(EventLoop.asCallable(main));
    }

    /** Cancels what is left, closes unfinished async generators, shuts down the default executor and closes the loop. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        EventLoop l = loop;
        closed = true;
        if (l == null || l.isClosed()) {
            return;
        }
        try {
            cancelAllTasks(l);
            l.runUntilComplete(l.shutdownAsyncGenerators());
            l.runUntilComplete(l.shutdownDefaultExecutor());
        } finally {
            l.close();
            loop = null;
        }
    }

    private static void cancelAllTasks(EventLoop loop) {
        Set<Task<?>> left = loop.allTasks();
        if (left.isEmpty()) {
            return;
        }
        List<Task<?>> tasks = new ArrayList<>(left);
        for (Task<?> t : tasks) {
            t.cancel();
        }
        loop.runUntilComplete(GatheringFuture.over(tasks, true));
        for (Task<?> t : tasks) {
            if (!t.isCancelled() && t.peekException() != null) {
                loop.callExceptionHandler(ExceptionContext.builder("unhandled exception during Asyncio.run() shutdown")
                        .exception(t.exception()).future(t).build());
            }
        }
    }
}
